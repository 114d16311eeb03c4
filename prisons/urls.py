from django.urls import path

from prisons import views

app_name = "prisons"

urlpatterns = [
    path("prisons/<slug:slug>", views.prison_detail, name="detail"),
]
