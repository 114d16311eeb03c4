"""The booking journey as data: its steps in order, what completes each one, and the answers kept between them.

Answers live in the server-side session. Every step's view re-checks the earlier steps and sends the visitor to the
first one that still needs an answer, so the browser's back button, a refresh or an old tab never breaks the
journey. "Change" links from the check page carry ``?change=1`` and come back to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views import View

from accounts.maintenance import RETRY_AFTER_SECONDS, Pause, booking_paused
from common.govuk.jinja import url
from prisons.models import Prison, VisitSession
from visits.models import Visit, VisitState
from visits.rules import PartyMember, party_problems
from visits.selectors import bookable_prison

SESSION_KEY = "booking"
# The sessions whose waiting lists this journey has joined (journey.views.waiting): the picker says so.
WAITING_LISTS_KEY = "waiting_lists"
HOLD_LOST_MESSAGE = gettext_noop("Your visit time is no longer available. Select a new time.")
# Why the time must be chosen again after an earlier answer changed (kept in the answers until it is shown).
TIME_AGAIN_KEY = "time_again_because"
VISITORS_OR_PRISONER_CHANGED = gettext_noop(
    "You changed who is visiting or the prisoner's details, so the time you chose was let go. Select a time again."
)
VISITORS_NEED_APPROVAL = gettext_noop(
    "The prison must now approve this visit, because of who is visiting, so the time you chose was let go. "
    "Select a time again."
)


def paused_response(request: HttpRequest, *, pause: Pause, prison: Prison | None) -> HttpResponse:
    """The GOV.UK "service unavailable" page for a paused journey (accounts.maintenance): 503, with when to try
    again."""
    response = render(request, "journey/booking-paused.html", {"pause": pause, "prison": prison}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # A pause is planned, not a fault: Django logs every 5xx as an error (and so to Sentry) unless it is marked as
    # logged already. The pause and its lift are logged once each (accounts.maintenance).
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


class Answers:
    """The visitor's answers so far, as stored in the session (plain JSON values)."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self.data: dict[str, Any] = request.session.get(SESSION_KEY, {})
        self._prison: Prison | None = None
        self._hold: Visit | None = None
        self._hold_loaded = False

    def save(self) -> None:
        self.request.session[SESSION_KEY] = self.data
        self.request.session.modified = True

    def clear(self) -> None:
        self.data = {}
        self.save()

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def set(self, key: str, value: Any) -> None:
        self.data[key] = value
        self.save()

    def forget(self, *keys: str) -> None:
        for key in keys:
            self.data.pop(key, None)
        self.save()

    @property
    def prison(self) -> Prison | None:
        if self._prison is None and (slug := self.data.get("prison")):
            self._prison = bookable_prison(slug)
        return self._prison

    @property
    def visitors(self) -> list[dict[str, str]]:
        return list(self.data.get("visitors", []))

    @property
    def party(self) -> list[PartyMember]:
        return [
            PartyMember(v["first_name"], v["last_name"], date.fromisoformat(v["date_of_birth"])) for v in self.visitors
        ]

    @property
    def hold(self) -> Visit | None:
        """The visit holding the chosen session, if there is one."""
        if not self._hold_loaded:
            self._hold_loaded = True
            if visit_id := self.data.get("hold_visit_id"):
                self._hold = Visit.objects.select_related("session").filter(pk=visit_id).first()
        return self._hold

    def preference_sessions(self) -> list[VisitSession]:
        """The extra times of a request, in the visitor's order of preference."""
        ids = self.data.get("preferences", [])
        sessions = VisitSession.objects.in_bulk(ids) if ids else {}
        return [sessions[i] for i in ids if i in sessions]

    def hold_is_live(self) -> bool:
        """The chosen time is still held, and its session can still take the visit (not blocked or removed since)."""
        hold = self.hold
        return bool(
            hold
            and hold.state == VisitState.RESERVED
            and hold.hold_expires_at
            and hold.hold_expires_at > timezone.now()
            and not hold.session.blocked
            and not hold.session.removed
        )


@dataclass(frozen=True)
class Step:
    name: str
    url_name: str
    complete: Callable[[Answers], bool]


def _party_ok(answers: Answers) -> bool:
    prison = answers.prison
    party = answers.party
    return bool(prison and party) and not party_problems(
        [m.date_of_birth for m in party],
        on=timezone.localdate(),
        adult_age=prison.adult_age,  # type: ignore[union-attr]
        max_visitors=prison.max_visitors,  # type: ignore[union-attr]
        max_adults=prison.max_adults,  # type: ignore[union-attr]
    )


STEPS = (
    Step("prison", "visits:choose-prison", lambda a: a.prison is not None),
    Step("prisoner", "visits:prisoner", lambda a: bool(a.get("prisoner"))),
    Step("visitors", "visits:visitors", _party_ok),
    Step("support", "visits:support", lambda a: "support" in a.data),
    Step("time", "visits:choose-time", lambda a: a.hold_is_live()),
    Step("contact", "visits:contact", lambda a: bool(a.get("contact"))),
    Step("check", "visits:check", lambda a: False),
)
STEP_NAMES = [s.name for s in STEPS]


def first_incomplete(answers: Answers, *, before: str) -> Step | None:
    """The first step before ``before`` that still needs an answer."""
    for step in STEPS[: STEP_NAMES.index(before)]:
        if not step.complete(answers):
            return step
    return None


def changing(request: HttpRequest) -> bool:
    """Whether the visitor is changing an answer from check your answers (``change`` in the address or the form)."""
    return bool(request.GET.get("change") or request.POST.get("change"))


def next_url(request: HttpRequest, step_name: str) -> str:
    """Where to go after answering a step: back to the check page when changing an answer, else the next step."""
    if changing(request):
        return url("visits:check")
    return url(STEPS[STEP_NAMES.index(step_name) + 1].url_name)


def previous_url(step_name: str) -> str:
    index = STEP_NAMES.index(step_name)
    return url(STEPS[index - 1].url_name) if index else url("visits:start")


class JourneyView(View):
    """A step of the journey: loads the answers and sends the visitor back to the first step still to answer."""

    step: str = ""
    http_method_names = ["get", "head", "post"]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.answers = Answers(request)
        if (pause := booking_paused(self.answers.prison)) is not None:  # the maintenance switch
            return paused_response(request, pause=pause, prison=self.answers.prison)
        missing = first_incomplete(self.answers, before=self.step)
        if missing is not None:
            target = reverse(missing.url_name)
            if missing.name == "time":
                because = self.answers.get(TIME_AGAIN_KEY)
                if because or self.answers.get("hold_visit_id"):
                    messages.warning(request, _(because or HOLD_LOST_MESSAGE))
                    self.answers.forget("hold_visit_id", "preferences", TIME_AGAIN_KEY)
                if self.answers.get("contact"):  # on the way back to check your answers: return there after
                    target += "?change=1"
            return HttpResponseRedirect(target)
        return super().dispatch(request, *args, **kwargs)

    def back_url(self) -> str:
        if self.request.GET.get("change"):
            return url("visits:check")
        return previous_url(self.step)

    def go_next(self) -> HttpResponse:
        return redirect(next_url(self.request, self.step))
