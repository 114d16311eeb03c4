from django.urls import include, path

from prisons import views

app_name = "prisons"

urlpatterns = [
    path("prisons/<slug:slug>", views.prison_detail, name="detail"),
    path("nomis-stub/", include("prisons.nomis.stub.urls")),
]
