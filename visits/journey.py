"""The booking journey as data: its steps in order, what completes each one, and the answers kept between them.

Answers live in the server-side session. Every step's view re-checks the earlier steps and sends the visitor to the
first one that still needs an answer, so the browser's back button, a refresh or an old tab never breaks the
journey. "Change" links from the check page carry ``?change=1`` and come back to it.
"""

from __future__ import annotations

import functools
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
from django.utils.translation import gettext_noop
from django.views import View

from config.govuk.jinja import url
from config.memo import MISSING, Memo
from prisons import generations as gen
from prisons.models import Prison, VisitSession
from visits.models import Visit, VisitState
from visits.rules import PartyMember, party_problems
from visits.selectors import CompiledQuery, context_generation_key

SESSION_KEY = "booking"
HOLD_LOST_MESSAGE = gettext_noop("Your visit time is no longer available. Select a new time.")
# Why the time must be chosen again after an earlier answer changed (kept in the answers until it is shown).
TIME_AGAIN_KEY = "time_again_because"
VISITORS_OR_PRISONER_CHANGED = gettext_noop(
    "You changed who is visiting or the prisoner's details, so the time you chose was let go. Select a time again."
)


# Every page of the journey looks up the prison, and from the time step on the hold: the ORM's own queries,
# compiled once (visits.selectors.CompiledQuery) rather than on every page.
_BOOKABLE_PRISON = CompiledQuery(lambda slug: Prison.objects.bookable_online().filter(slug=slug), "\x00slug\x00")
_HOLD = CompiledQuery(lambda pk: Visit.objects.select_related("session").filter(pk=pk), -918_273_645)
# What a page read, kept in this process under the generations read before it (prisons.generations), for reading
# pages (GET) only: a POST reads the database afresh. Read-only: the same instances serve many requests.
_PRISON_IDS: dict[str, int] = {}  # slug -> id: a prison's id never changes; a wrong guess only misses the memo
_PRISONS = Memo("journey-prisons", size=512, seconds=60)
_HOLDS = Memo("journey-holds", size=4096, seconds=60)
_PREFERENCES = Memo("journey-preferences", size=4096, seconds=60)


class Answers:
    """The visitor's answers so far, as stored in the session (plain JSON values)."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self.data: dict[str, Any] = request.session.get(SESSION_KEY, {})
        self._prison: Prison | None = None
        self._hold: Visit | None = None
        self._hold_loaded = False
        self._generations: dict[str, int] | None = None
        self.reading = request.method in ("GET", "HEAD")  # may use what this process kept (see _PRISONS)

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

    def generations(self) -> dict[str, int]:
        """The generations this journey's pages depend on (prisons.generations), read once a request, in one round
        trip to the cache: everything's, the prison's, and the prisoner's and their NOMIS facts' once known."""
        if self._generations is None:
            keys = [gen.EVERYTHING]
            if (prison_id := _PRISON_IDS.get(self.data.get("prison", ""))) is not None:
                keys.append(gen.prison_key(prison_id))
            if number := (self.data.get("prisoner") or {}).get("number"):
                keys += [gen.prisoner_key(number), context_generation_key(number)]
            self._generations = dict(zip(keys, gen.read(keys), strict=True))
        return self._generations

    def generations_of(self, *keys: str) -> tuple[int, ...] | None:
        """These generations, or None if they were not read at the start of the request."""
        found = self.generations()
        return tuple(found[key] for key in keys) if all(key in found for key in keys) else None

    @property
    def prison(self) -> Prison | None:
        if self._prison is None and (slug := self.data.get("prison")):
            prison_id = _PRISON_IDS.get(slug)
            stamp = self.generations_of(gen.EVERYTHING, gen.prison_key(prison_id)) if prison_id else None
            if self.reading and stamp is not None:
                found = _PRISONS.get((slug, stamp))
                if found is not MISSING:
                    self._prison = found
                    return found  # type: ignore[no-any-return]
            self._prison = _BOOKABLE_PRISON.first(slug)
            if self._prison is not None:
                _PRISON_IDS[slug] = self._prison.pk
                if stamp is not None and self._prison.pk == prison_id:
                    _PRISONS.set((slug, stamp), self._prison)
        return self._prison

    @property
    def visitors(self) -> list[dict[str, str]]:
        return list(self.data.get("visitors", []))

    @property
    def party(self) -> list[PartyMember]:
        return [
            PartyMember(v["first_name"], v["last_name"], date.fromisoformat(v["date_of_birth"])) for v in self.visitors
        ]

    def prison_stamp(self) -> tuple[int, ...] | None:
        """Everything's and the prison's generations, when this is a reading page (GET) and they were read: what a
        page that shows the prison's row, its sessions or a hold of this journey can be kept under."""
        prison = self.prison
        if not self.reading or prison is None:
            return None
        return self.generations_of(gen.EVERYTHING, gen.prison_key(prison.pk))

    @property
    def hold(self) -> Visit | None:
        """The visit holding the chosen session, if there is one."""
        if not self._hold_loaded:
            self._hold_loaded = True
            visit_id = self.data.get("hold_visit_id")
            if visit_id:
                stamp = self.prison_stamp()
                found = _HOLDS.get((visit_id, stamp)) if stamp is not None else MISSING
                if found is MISSING:
                    found = _HOLD.first(visit_id)
                    if stamp is not None and found is not None and found.prison_id == self.prison.pk:  # type: ignore[union-attr]
                        _HOLDS.set((visit_id, stamp), found)
                self._hold = found
        return self._hold

    def preference_sessions(self) -> list[VisitSession]:
        """The extra times of a request, in the visitor's order of preference."""
        ids = tuple(self.data.get("preferences", []))
        if not ids:
            return []
        stamp = self.prison_stamp()
        found = _PREFERENCES.get((ids, stamp)) if stamp is not None else MISSING
        if found is MISSING:
            sessions = {s.id: s for s in VisitSession.objects.filter(id__in=ids)}
            found = [sessions[i] for i in ids if i in sessions]
            if stamp is not None and all(s.prison_id == self.prison.pk for s in found):  # type: ignore[union-attr]
                _PREFERENCES.set((ids, stamp), found)
        return list(found)

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


@functools.lru_cache(maxsize=4096)
def _party_fits(dates_of_birth: tuple[date, ...], on: date, adult_age: int, max_visitors: int, max_adults: int) -> bool:
    """Whether a party fits the prison's limits (a pure rule, checked on every page: remembered)."""
    found = party_problems(dates_of_birth, on=on, adult_age=adult_age, max_visitors=max_visitors, max_adults=max_adults)
    return not found


def _party_ok(answers: Answers) -> bool:
    prison = answers.prison
    party = answers.party
    return bool(prison and party) and _party_fits(
        tuple(m.date_of_birth for m in party),
        timezone.localdate(),
        prison.adult_age,  # type: ignore[union-attr]
        prison.max_visitors,  # type: ignore[union-attr]
        prison.max_adults,  # type: ignore[union-attr]
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
