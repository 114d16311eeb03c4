from django.urls import path

from journey.views import prison as views

app_name = "prisons"

urlpatterns = [
    path("prisons/<slug:slug>", views.prison_detail, name="detail"),
]
