from django.urls import path

from prisons.nomis.stub import views

app_name = "nomis_stub"

urlpatterns = [
    path("", views.debug_page, name="debug"),
    path("faults", views.faults_update, name="faults"),
    path("events", views.event_create, name="events"),
]
