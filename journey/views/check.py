"""Check your answers, the one submit that books or requests the visit, and the confirmation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from journey.counting import journey_completed
from journey.forms import SUPPORT_NEEDS
from journey.steps import HOLD_LOST_MESSAGE, Answers, JourneyView
from journey.views.time import DROP_OUT_FOR_REFUSAL
from prisons.nomis import NomisUnavailable
from visits.errors import AlreadyProcessed, HoldLost, InvalidChange
from visits.links import manage_token, visit_for_token
from visits.models import Visit, VisitState
from visits.rules import Outcome, decide
from visits.selectors import cached_prisoner_context, prisoner_context
from visits.services import ContactDetails, hold_release, visit_book, visit_request

# The visit just booked or requested, for its confirmation page: shown for half an hour at most, and forgotten as
# soon as a new journey starts, so that the next person at a shared computer cannot see it.
CONFIRMED_KEY = "confirmed_visit_id"
CONFIRMED_AT_KEY = "confirmed_at"
CONFIRMATION_SHOWN_FOR = timedelta(minutes=30)


def confirmation_forget(request: HttpRequest) -> None:
    request.session.pop(CONFIRMED_KEY, None)
    request.session.pop(CONFIRMED_AT_KEY, None)


class CheckAnswersView(JourneyView):
    """Check your answers before booking; change links come back here. The submit is safe against double
    clicks: a second POST finds the visit already done and shows its confirmation."""

    step = "check"

    def dispatch(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        confirmed = request.session.get(CONFIRMED_KEY)
        if request.method == "POST" and confirmed and not Answers(request).get("hold_visit_id"):
            return redirect("visits:confirmation")  # the second click of a double click
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        """The answers in summary lists."""
        return render(
            request,
            "journey/check.html",
            {
                "answers": self.answers,
                "prison": self.answers.prison,
                "prisoner": self.answers.get("prisoner"),
                "visitors": self.answers.visitors,
                "support": self.answers.get("support"),
                "contact": self.answers.get("contact"),
                "hold": self.answers.hold,
                "preferences": self.answers.preference_sessions(),
                "is_request": self.answers.get("outcome") == Outcome.REQUEST,
                "back_url": self.back_url(),
                "support_labels": dict(SUPPORT_NEEDS),
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        hold = self.answers.hold
        prison = self.answers.prison
        try:  # ask NOMIS afresh: the facts may have changed since the journey began
            context = prisoner_context(hold.prisoner_number, first=hold.session.date, last=hold.session.date)
        except NomisUnavailable:
            # NOMIS went down after the journey checked the prisoner: book on those facts; the visit reaches
            # NOMIS once it is back (nomis_sync.sync), and NOMIS's events flag it if anything has changed since.
            first, last = prison.bookable_window(timezone.localdate())
            context = cached_prisoner_context(hold.prisoner_number, first=first, last=last, fetch=False)
            if context is None:
                return render(request, "journey/nomis-unavailable.html", {"prison": prison}, status=503)
        if context is None:
            return redirect("visits:drop-out", reason="released")
        decision = decide(
            prisoner=context.prisoner,
            balance=context.balance,
            approved=context.approved,
            party=self.answers.party,
            on=hold.session.date,
        )
        if decision.outcome == Outcome.REFUSE:
            return redirect("visits:drop-out", reason=DROP_OUT_FOR_REFUSAL[decision.reasons[0].code])
        contact = self.answers.get("contact")
        details = ContactDetails(
            email=contact["email"],
            phone=contact["phone"],
            wants_email=bool(contact["email"]),
            wants_sms=bool(contact["phone"]),
            language=request.LANGUAGE_CODE[:2],
        )
        support = self.answers.get("support")
        common = {
            "visit": hold,
            "contact": details,
            "support_needs": support["needs"],
            "support_details": support["details"],
            "non_associations": context.non_associations,
        }
        try:
            if decision.outcome == Outcome.BOOK and self.answers.get("outcome") == Outcome.BOOK:
                visit = visit_book(**common)
            else:
                visit = visit_request(
                    **common, preferences=self.answers.preference_sessions(), reasons=[r.code for r in decision.reasons]
                )
        except HoldLost:
            hold_release(visit=hold)  # let its place go: the session can no longer take it
            self.answers.forget("hold_visit_id", "preferences")
            messages.warning(request, _(HOLD_LOST_MESSAGE))
            return redirect(reverse("visits:choose-time") + "?change=1")  # then back here
        except InvalidChange as problem:  # e.g. the choices no longer fit: choose the time again
            self.answers.forget("preferences")
            messages.warning(request, _(problem.message))
            return redirect(reverse("visits:choose-time") + "?change=1")  # then back here
        except AlreadyProcessed:
            visit = Visit.objects.get(pk=hold.pk)
        journey_completed(request, prison)  # for the completion rate (journey.counting), once per journey
        request.session[CONFIRMED_KEY] = visit.id
        request.session[CONFIRMED_AT_KEY] = timezone.now().isoformat()
        self.answers.clear()
        return redirect("visits:confirmation")


@require_safe
def confirmation(request: HttpRequest) -> HttpResponse:
    """Visit booked, or request sent: the reference, what happens next, what to bring."""
    visit_id = request.session.get(CONFIRMED_KEY)
    try:
        confirmed_at = datetime.fromisoformat(request.session.get(CONFIRMED_AT_KEY, ""))
    except (TypeError, ValueError):
        confirmed_at = None
    if confirmed_at is None or timezone.now() - confirmed_at > CONFIRMATION_SHOWN_FOR:
        visit_id = None
    visit = Visit.objects.select_related("prison", "session").filter(pk=visit_id).first() if visit_id else None
    if visit is None:
        return redirect("visits:start")
    return render(
        request,
        "journey/confirmation.html",
        {
            "visit": visit,
            "visitors": list(visit.visitors.all()),
            "preferences": list(visit.preferences.select_related("session").order_by("rank"))
            if visit.state == VisitState.REQUESTED
            else [],
            "token": manage_token(visit),
            "is_request": visit.state == VisitState.REQUESTED,
        },
    )


@require_safe
def calendar_file(request: HttpRequest, token: str) -> HttpResponse:
    """The visit as an iCalendar event, to add to a calendar."""
    visit = visit_for_token(token)
    if visit is None or visit.state != VisitState.BOOKED:
        raise Http404
    session = visit.session
    start = timezone.make_aware(datetime.combine(session.date, session.start_time))
    end = timezone.make_aware(datetime.combine(session.date, session.end_time))

    def utc(moment: datetime) -> str:
        return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

    address = " ".join(f"{visit.prison.address} {visit.prison.postcode}".split()).replace(",", "\\,")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Visit someone in prison//EN",
        "BEGIN:VEVENT",
        f"UID:{visit.reference}@visit-someone-in-prison",
        f"DTSTAMP:{utc(timezone.now())}",
        f"DTSTART:{utc(start)}",
        f"DTEND:{utc(end)}",
        "SUMMARY:"
        + _("Prison visit: %(prison)s (%(reference)s)")
        % {"prison": visit.prison.display_name, "reference": visit.reference},
        f"LOCATION:{address}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    response = HttpResponse("\r\n".join(lines) + "\r\n", content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="visit-{visit.reference}.ics"'
    return response
