"""A full session's waiting list: join it from the date picker, open the place offered (the link in the message),
and leave it (waiting_list.services does the writing)."""

from __future__ import annotations

import contextlib
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from journey.forms import WaitingListForm
from journey.steps import SESSION_KEY, WAITING_LISTS_KEY
from journey.views.time import DROP_OUT_FOR_REFUSAL, ChooseTimeView
from prisons.models import VisitSession
from prisons.nomis import NomisUnavailable
from visits.errors import BookingError
from visits.models import WaitingListEntry, WaitingState
from visits.outbox import describe_session
from visits.rules import Outcome, PartyMember, decide
from visits.selectors import Unbookable, prisoner_context
from visits.services import ContactDetails
from waiting_list.services import (
    LEAVE,
    OFFER,
    entry_for_token,
    offered_hold,
    waiting_list_join,
    waiting_list_leave,
    waiting_list_refuse,
    waiting_token,
)


class JoinWaitingListView(ChooseTimeView):
    """Tell me if a place comes up: for a session the picker shows fully booked, for this journey's prisoner and
    party, by email or text message."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.session_id = kwargs["session_id"]
        return super().dispatch(request, *args, **kwargs)

    def full_session(self) -> VisitSession | None:
        """The session, if it is in this prisoner's window and fully booked (not blocked, nor closed to them)."""
        availability = self.availability(refresh=self.request.method == "POST")
        full = any(a.session.id == self.session_id and a.unbookable == Unbookable.FULL for a in availability)
        return VisitSession.objects.get(pk=self.session_id) if full else None

    def get(self, request: HttpRequest, session_id: int) -> HttpResponse:
        if (response := self.load()) is not None:
            return response
        session = self.full_session()
        if session is None:
            return self.not_full()
        contact = self.answers.get("contact") or {}
        return self.render_form(WaitingListForm(initial=contact or None), session)

    def post(self, request: HttpRequest, session_id: int) -> HttpResponse:
        if (response := self.load()) is not None:
            return response
        session = self.full_session()
        if session is None:
            return self.not_full()
        form = WaitingListForm(request.POST)
        if not form.is_valid():
            return self.render_form(form, session)
        updates = form.cleaned_data["updates"]
        try:
            waiting_list_join(
                session=session,
                closed=self.decision.closed,
                prisoner=self.prisoner_details(),
                party=self.answers.party,
                visitor_contact_ids=self.decision.matches,
                support=self.answers.get("support"),
                non_associations=self.context.non_associations,
                contact=ContactDetails(
                    email=form.cleaned_data["email"] if "email" in updates else "",
                    phone=form.cleaned_data["phone"] if "sms" in updates else "",
                    wants_email="email" in updates,
                    wants_sms="sms" in updates,
                    language=request.LANGUAGE_CODE[:2],
                ),
            )
        except BookingError as problem:
            if problem.code != "already_waiting":
                messages.warning(request, _(problem.message))
                return redirect("visits:choose-time")
        self.answers.set(WAITING_LISTS_KEY, sorted({*self.answers.get(WAITING_LISTS_KEY, []), session.id}))
        messages.success(
            request,
            _("You're on the waiting list for %(time)s. We'll tell you if a place comes up.")
            % {"time": describe_session(session)},
        )
        return redirect("visits:choose-time")

    def not_full(self) -> HttpResponse:
        """The time is not (or no longer) full, or not one this prisoner can have: back to the times as they are."""
        messages.warning(request=self.request, message=_("That time is not fully booked now. Select a time."))
        return redirect("visits:choose-time")

    def render_form(self, form: WaitingListForm, session: VisitSession) -> HttpResponse:
        return render(
            self.request,
            "journey/waiting-join.html",
            {
                "form": form,
                "session": session,
                "when": describe_session(session),
                "prison": self.prison,
                "closed": self.decision.closed,
                "back_url": "/choose-time",
            },
            status=200 if not form.errors else 400,
        )


@require_http_methods(["GET", "HEAD", "POST"])
def offer(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the place-offered message: the place held for them, to book (POST), or where they stand. Only
    that message's link opens it: the leave link of the message saying they joined does not."""
    entry = entry_for_token(token, purposes=[OFFER])
    if entry is None:
        return render(request, "journey/waiting-link-expired.html", status=404)
    hold = offered_hold(entry)
    if request.method != "POST" or hold is None:
        context = {"entry": entry, "hold": hold, "when": describe_session(entry.session)}
        return render(request, "journey/waiting-offer.html", {**context, "leave_token": waiting_token(entry, LEAVE)})
    return _open_offer(request, entry, hold)


def _open_offer(request: HttpRequest, entry: WaitingListEntry, hold: Any) -> HttpResponse:
    """Check the rules again in NOMIS, as the journey does, then open check your answers on the held place."""
    session = entry.session
    try:
        context = prisoner_context(entry.prisoner_number, first=session.date, last=session.date)
    except NomisUnavailable:
        return render(request, "journey/nomis-unavailable.html", {"prison": entry.prison}, status=503)
    if context is None:
        waiting_list_refuse(entry=entry, reason="released")
        return redirect("visits:drop-out", reason="released")
    decision = decide(
        prisoner=context.prisoner,
        balance=context.balance,
        approved=context.approved,
        party=[PartyMember(v.first_name, v.last_name, v.date_of_birth) for v in hold.visitors.all()],
        on=session.date,
    )
    if decision.outcome == Outcome.REFUSE:
        code = decision.reasons[0].code
        waiting_list_refuse(entry=entry, reason=code)
        return redirect("visits:drop-out", reason=DROP_OUT_FOR_REFUSAL[code])
    request.session[SESSION_KEY] = {
        "prison": entry.prison.slug,
        "prisoner": {
            "first_name": entry.prisoner_first_name,
            "last_name": entry.prisoner_last_name,
            "date_of_birth": entry.prisoner_date_of_birth.isoformat() if entry.prisoner_date_of_birth else "",
            "number": entry.prisoner_number,
            "location": entry.prisoner_location,
        },
        "visitors": list(entry.party),
        "support": {"needs": [], "details": "", **(entry.support or {})},
        "contact": {
            "updates": [c for c, wanted in (("email", entry.wants_email), ("sms", entry.wants_sms)) if wanted],
            "email": entry.contact_email if entry.wants_email else "",
            "phone": entry.contact_phone if entry.wants_sms else "",
        },
        "hold_visit_id": hold.id,
        "preferences": [],
        "outcome": decision.outcome.value,
        "reasons": [r.message for r in decision.reasons],
    }
    return redirect("visits:check")


@require_http_methods(["GET", "HEAD", "POST"])
def leave(request: HttpRequest, token: str) -> HttpResponse:
    """Leave the waiting list: are you sure (GET), then done (POST). The leave link of every message opens it, and
    so does the offer link (the offer page links here)."""
    entry = entry_for_token(token, purposes=[LEAVE, OFFER])
    if entry is None:
        return render(request, "journey/waiting-link-expired.html", status=404)
    # "No, stay on the list" goes back to the offer only from the offer link; the leave link cannot open an offer.
    offer_token = token if entry_for_token(token, purposes=[OFFER]) is not None else None
    context = {"entry": entry, "offer_token": offer_token, "when": describe_session(entry.session), "left": False}
    if request.method == "POST":
        with contextlib.suppress(BookingError):  # already off the list: the page says so
            waiting_list_leave(entry=entry, now=timezone.now())
        entry.refresh_from_db()
        context["left"] = True
    context["on_list"] = entry.state in (WaitingState.WAITING, WaitingState.OFFERED)
    return render(request, "journey/waiting-leave.html", context)
