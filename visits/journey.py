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
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from prisons.models import Prison, VisitSession
from visits.models import Visit, VisitState
from visits.rules import PartyMember, party_problems
from visits.selectors import CompiledQuery

SESSION_KEY = "booking"
HOLD_LOST_MESSAGE = "Your visit time is no longer available. Select a new time."


# Every page of the journey looks up the prison, and from the time step on the hold: the ORM's own queries,
# compiled once (visits.selectors.CompiledQuery) rather than on every page.
_BOOKABLE_PRISON = CompiledQuery(lambda slug: Prison.objects.bookable_online().filter(slug=slug), "\x00slug\x00")
_HOLD = CompiledQuery(lambda pk: Visit.objects.select_related("session").filter(pk=pk), -918_273_645)


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
        if self._prison is None and self.data.get("prison"):
            self._prison = _BOOKABLE_PRISON.first(self.data["prison"])
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
            visit_id = self.data.get("hold_visit_id")
            if visit_id:
                self._hold = _HOLD.first(visit_id)
        return self._hold

    def preference_sessions(self) -> list[VisitSession]:
        """The extra times of a request, in the visitor's order of preference."""
        ids = self.data.get("preferences", [])
        sessions = {s.id: s for s in VisitSession.objects.filter(id__in=ids)} if ids else {}
        return [sessions[i] for i in ids if i in sessions]

    def hold_is_live(self) -> bool:
        hold = self.hold
        return bool(
            hold
            and hold.state == VisitState.RESERVED
            and hold.hold_expires_at
            and hold.hold_expires_at > timezone.now()
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
        max_visitors=prison.max_visitors,
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


def next_url(request: HttpRequest, step_name: str) -> str:
    """Where to go after answering a step: back to the check page when changing an answer, else the next step."""
    if request.GET.get("change") or request.POST.get("change"):
        return reverse("visits:check")
    return reverse(STEPS[STEP_NAMES.index(step_name) + 1].url_name)


def previous_url(step_name: str) -> str:
    index = STEP_NAMES.index(step_name)
    return reverse(STEPS[index - 1].url_name) if index else reverse("visits:start")


class JourneyView(View):
    """A step of the journey: loads the answers and sends the visitor back to the first step still to answer."""

    step: str = ""
    http_method_names = ["get", "post"]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.answers = Answers(request)
        missing = first_incomplete(self.answers, before=self.step)
        if missing is not None:
            if missing.name == "time" and self.answers.get("hold_visit_id"):
                messages.warning(request, _(HOLD_LOST_MESSAGE))
                self.answers.forget("hold_visit_id", "preferences")
            return HttpResponseRedirect(reverse(missing.url_name))
        return super().dispatch(request, *args, **kwargs)

    def back_url(self) -> str:
        if self.request.GET.get("change"):
            return reverse("visits:check")
        return previous_url(self.step)

    def go_next(self) -> HttpResponse:
        return redirect(next_url(self.request, self.step))
