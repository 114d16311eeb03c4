"""Journey steps about time: the accordion date picker, and extra preferences when the visit is a request."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from journey.forms import AnotherTimeForm, ChooseTimeForm
from journey.picker import Filters, build_picker, offered
from journey.steps import HOLD_LOST_MESSAGE, WAITING_LISTS_KEY, JourneyView, changing
from prisons.models import VisitSession
from prisons.nomis import NomisUnavailable
from visits.errors import SessionUnavailable
from visits.rules import MAX_PREFERENCES, PARTY_MESSAGES, Outcome, check_allowance, decide, party_problems
from visits.selectors import PrisonerContext, cached_prisoner_context, sessions_available
from visits.services import PrisonerDetails, hold_release, visit_reserve

DROP_OUT_FOR_REFUSAL = {
    "no_allowance": "no-allowance",
    "prisoner_no_visits": "no-visits",
    "visitor_banned_indefinitely": "visitor-banned",
}


class TimeStepView(JourneyView):
    """What every time step needs: the window, the prisoner's NOMIS facts and the decision for this party."""

    step = "time"

    def load(self) -> HttpResponse | None:
        """Load the facts; a response when the visitor must be sent elsewhere instead."""
        self.prison = self.answers.prison
        self.first, self.last = self.prison.bookable_window(timezone.localdate())  # type: ignore[union-attr]
        number = self.answers.get("prisoner")["number"]
        try:
            context = cached_prisoner_context(number, first=self.first, last=self.last)
        except NomisUnavailable:
            return render(self.request, "journey/nomis-unavailable.html", {"prison": self.prison}, status=503)
        if context is None:
            return redirect("visits:drop-out", reason="released")
        self.context: PrisonerContext = context
        self.decision = decide(
            prisoner=context.prisoner,
            balance=context.balance,
            approved=context.approved,
            party=self.answers.party,
            on=self.first,
        )
        if self.decision.outcome == Outcome.REFUSE:
            return redirect("visits:drop-out", reason=DROP_OUT_FOR_REFUSAL[self.decision.reasons[0].code])
        return None

    def prisoner_details(self) -> PrisonerDetails:
        """The prisoner as a visit records them: the number and date of birth given, the rest as NOMIS has it."""
        answered = self.answers.get("prisoner")
        prisoner = self.context.prisoner
        return PrisonerDetails(
            answered["number"],
            prisoner.first_name,
            prisoner.last_name,
            date.fromisoformat(answered["date_of_birth"]),
            prisoner.location,
        )


class ChooseTimeView(TimeStepView):
    """Choose a time: the accordion date picker. Choosing holds the session for 10 minutes."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        rank = kwargs.get("rank", 1)
        if not 1 <= rank <= MAX_PREFERENCES:
            raise Http404("No such choice")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, rank: int = 1) -> HttpResponse:
        if rank > 2 + len(self.answers.get("preferences", [])):
            return redirect("visits:another-time")  # choose the earlier choices first
        return self.load() or self.render_picker(rank)

    def post(self, request: HttpRequest, rank: int = 1) -> HttpResponse:
        if rank > 2 + len(self.answers.get("preferences", [])):
            return redirect("visits:another-time")
        if (response := self.load()) is not None:
            return response
        availability = self.availability()
        held = self.held(rank)
        form = ChooseTimeForm(request.POST, bookable_ids=[a.session.id for a in availability if offered(a, held)])
        if not form.is_valid():
            return self.render_picker(rank, error=form.errors["session"][0], availability=availability)
        session = VisitSession.objects.get(pk=form.cleaned_data["session"])
        if rank == 1:
            return self.hold(session, availability)
        preferences = [*[p for p in self.answers.get("preferences", []) if p != session.id][: rank - 2], session.id]
        self.answers.set("preferences", preferences)
        return redirect("visits:another-time") if rank < MAX_PREFERENCES else redirect("visits:contact")

    def hold(self, session: VisitSession, availability: list[Any]) -> HttpResponse:
        previous = self.answers.hold
        if previous is not None and previous.session_id == session.id and self.answers.hold_is_live():
            return self.after_hold()
        prison = self.prison
        problems = party_problems(
            [m.date_of_birth for m in self.answers.party],
            on=session.date,
            adult_age=prison.adult_age,
            max_visitors=prison.max_visitors,
            max_adults=prison.max_adults,
        )
        if problems:  # the ages on the visit's own date: someone may have turned 18 (or the adult age) by then
            message = _(PARTY_MESSAGES[problems[0]]).format(
                max_visitors=prison.max_visitors, max_adults=prison.max_adults, adult_age=prison.adult_age
            )
            return self.render_picker(1, error=message, availability=availability)
        if previous is not None:
            hold_release(visit=previous)
        try:
            visit = visit_reserve(
                session=session,
                closed=self.decision.closed,
                party=self.answers.party,
                prisoner=self.prisoner_details(),
                non_associations=self.context.non_associations,
                visitor_contact_ids=self.decision.matches,
                weekly_limit=check_allowance(self.context.prisoner, self.context.balance).weekly_limit,
            )
        except SessionUnavailable:
            self.answers.forget("hold_visit_id")
            # The time went since the page was shown: the times as they are now.
            return self.render_picker(1, error=_(HOLD_LOST_MESSAGE), availability=self.availability(refresh=True))
        # A request's first choice changed from check your answers: its other choices stay, in their order.
        kept = [p for p in self.answers.get("preferences", []) if p != session.id] if changing(self.request) else []
        self.answers.data.update(
            hold_visit_id=visit.id,
            preferences=kept if self.decision.outcome == Outcome.REQUEST else [],
            outcome=self.decision.outcome.value,
            reasons=[r.message for r in self.decision.reasons],
        )
        self.answers.save()
        return self.after_hold()

    def after_hold(self) -> HttpResponse:
        if self.decision.outcome == Outcome.REQUEST and not changing(self.request):
            return redirect("visits:another-time")
        return self.go_next()

    def availability(self, *, refresh: bool = False) -> list[Any]:
        """The window's sessions for this prisoner, the places taken a few seconds old at most (visit_reserve checks
        the chosen one afresh, under its lock)."""
        return sessions_available(
            prison=self.prison,
            prisoner=self.context,
            closed=self.decision.closed,
            from_date=self.first,
            to_date=self.last,
            shared=True,
            refresh=refresh,
        )

    def held(self, rank: int) -> int | None:
        """The session this visitor holds, when choosing the first time: offered again, and chosen."""
        hold = self.answers.hold
        return hold.session_id if rank == 1 and hold is not None and self.answers.hold_is_live() else None

    def render_picker(
        self, rank: int, *, error: str | None = None, availability: list[Any] | None = None
    ) -> HttpResponse:
        """The picker: the window's days by week, the chosen times left out, the error on the first bookable day."""
        availability = availability if availability is not None else self.availability()
        filters = Filters.from_query(dict(self.request.GET.lists()))
        chosen = [self.answers.hold.session_id] if self.answers.hold else []
        chosen += self.answers.get("preferences", [])
        selected = chosen[rank - 1] if len(chosen) >= rank else None
        picker = build_picker(
            availability,
            first=self.first,
            last=self.last,
            filters=filters,
            exclude=chosen[: rank - 1],
            selected=selected,
            selected_day=next((a.session.date for a in availability if a.session.id == selected), None),
            held=self.held(rank),
            error=error,
            waiting_lists=rank == 1,
            joined=self.answers.get(WAITING_LISTS_KEY, []),
        )
        if not picker.has_bookable and not picker.has_full and not filters.active and rank == 1:
            return redirect("visits:drop-out", reason="nothing-bookable")
        context = {
            "picker": picker,
            "rank": rank,
            "error": error,
            "filters": filters,
            "prison": self.prison,
            "is_request": self.decision.outcome == Outcome.REQUEST,
            "closed": self.decision.closed,
            "back_url": self.back_url(),
            "action": reverse("visits:choose-time") if rank == 1 else reverse("visits:choose-time-rank", args=[rank]),
        }
        return render(self.request, "journey/choose-time.html", context, status=200 if error is None else 400)


class AnotherTimeView(TimeStepView):
    """A request: do you want to choose another time, in order of preference (up to 3)?"""

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.load() or self.render_question(AnotherTimeForm())

    def render_question(self, form: AnotherTimeForm) -> HttpResponse:
        chosen = 1 + len(self.answers.get("preferences", []))
        if chosen >= MAX_PREFERENCES:
            return redirect("visits:contact")
        return render(
            self.request,
            "journey/another-time.html",
            {
                "form": form,
                "chosen": chosen,
                "back_url": reverse("visits:choose-time"),
                "prison": self.prison,
                "reasons": self.decision.reasons,
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        if (response := self.load()) is not None:
            return response
        form = AnotherTimeForm(request.POST)
        if not form.is_valid():
            return self.render_question(form)
        if form.cleaned_data["another"] == "yes":
            rank = 2 + len(self.answers.get("preferences", []))
            return redirect("visits:choose-time-rank", rank=min(rank, MAX_PREFERENCES))
        return redirect("visits:contact")
