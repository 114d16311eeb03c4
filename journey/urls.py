from django.urls import path
from django.views.generic import TemplateView

import common.converters  # noqa: F401  (registers the <token:...> converter)
from journey.views import check, details, dropout, manage, start, time, waiting

app_name = "visits"


def page(name: str) -> TemplateView:
    """A content page every GOV.UK service carries (help, cookies, accessibility, privacy)."""
    return TemplateView.as_view(template_name=f"pages/{name}.html")


urlpatterns = [
    path("", start.start, name="start"),
    # The booking journey, in the order of journey.steps.STEPS.
    path("prison", start.choose_prison, name="choose-prison"),
    path("prisoner", details.PrisonerView.as_view(), name="prisoner"),
    path("visitors", details.VisitorsView.as_view(), name="visitors"),
    path("visitors/add", details.VisitorFormView.as_view(), name="visitor-add"),
    path("visitors/<int:index>/change", details.VisitorFormView.as_view(), name="visitor-change"),
    path("visitors/<int:index>/remove", details.RemoveVisitorView.as_view(), name="visitor-remove"),
    path("support", details.SupportView.as_view(), name="support"),
    path("choose-time", time.ChooseTimeView.as_view(), name="choose-time"),
    path("choose-time/<int:rank>", time.ChooseTimeView.as_view(), name="choose-time-rank"),
    path("another-time", time.AnotherTimeView.as_view(), name="another-time"),
    path("contact", details.ContactView.as_view(), name="contact"),
    path("check", check.CheckAnswersView.as_view(), name="check"),
    path("confirmation", check.confirmation, name="confirmation"),
    path("cannot-book/<slug:reason>", dropout.drop_out, name="drop-out"),
    # A fully booked session's waiting list: joined from the picker, then the links in its messages. Every route with
    # a secret takes it as <token:...> under a prefix the logs redact (common.logging.TOKEN_ROUTES).
    path("waiting-list-join/<int:session_id>", waiting.JoinWaitingListView.as_view(), name="waiting-join"),
    path("waiting-list/<token:token>", waiting.offer, name="waiting-offer"),
    path("waiting-list/<token:token>/leave", waiting.leave, name="waiting-leave"),
    # Managing a visit.
    path("manage", manage.find_visit, name="find-visit"),
    path("visit-ended", manage.visit_ended, name="visit-ended"),
    path("visit/<token:token>", manage.manage_link, name="manage-link"),
    path("visit/<token:token>/cancel", manage.cancel, name="cancel"),
    path("visit/<token:token>/withdraw", manage.withdraw, name="withdraw"),
    path("visit/<token:token>/change", manage.change_time, name="change-time"),
    path("visit/<token:token>/calendar.ics", check.calendar_file, name="calendar"),
    # Pages every GOV.UK service carries.
    path("help", page("help"), name="help"),
    path("cookies", page("cookies"), name="cookies"),
    path("accessibility", page("accessibility"), name="accessibility"),
    path("privacy", page("privacy"), name="privacy"),
    path("prison-data-licence", page("data-licence"), name="data-licence"),
]
