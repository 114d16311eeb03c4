"""Every path as the real service has it; the APIs' paths do not overlap, so one origin serves them all."""

from django.urls import path, register_converter

from hmpps_fake import views


class PrisonerNumber:
    regex = "[A-Za-z][0-9]{4}[A-Za-z]{2}"

    def to_python(self, value: str) -> str:
        return value.upper()

    def to_url(self, value: str) -> str:
        return value


register_converter(PrisonerNumber, "number")

urlpatterns = [
    path("auth/oauth/token", views.token),
    path("prisoner/<number:number>", views.prisoner),
    path("prisoner/<number:number>/non-associations", views.non_associations),
    path("api/offenders/<number:number>/offender-restrictions", views.offender_restrictions),
    path("api/bookings/<int:booking>/court-hearings", views.court_hearings),
    path("api/schedules/<number:number>/scheduled-transfers", views.scheduled_transfers),
    path("prisoners/<number:number>/alerts", views.alerts),
    path("prisoners/<number:number>/visits", views.visit_create),
    path("prisoners/<number:number>/visits/<int:visit_id>/cancel", views.visit_cancel),
    path("visits/<int:visit_id>", views.visit),
    path("v2/prisoners/<number:number>/contacts/social/approved", views.approved_contacts),
    path("visits/allocation/prisoner/<number:number>/balance/detailed", views.balance),
    path("events/<number:number>", views.appointments),
    path("", views.sqs),  # Amazon SQS's JSON protocol: the action in X-Amz-Target, the queue in the body
    path("health", views.health),
    path("__fake/faults", views.faults_view),
    path("__fake/faults/expire-tokens", views.tokens_expire),
    path("__fake/events", views.events_fire),
]
