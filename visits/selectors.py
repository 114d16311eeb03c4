"""Reads for booking: what a prisoner's visitors can book, and the NOMIS facts that decide it."""

from __future__ import annotations

import enum
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_noop

from common.read_ahead import cache_get
from prisons.models import Prison, VisitSession
from prisons.nomis import BookingFacts, get_client
from prisons.nomis_checks import nomis_checks_record
from prisons.window_cache import window_version, window_version_key
from visits.models import ACTIVE_STATES, PLACE_TAKING_STATES, Visit, VisitState
from visits.rules import check_allowance, remand_week_full, session_open_to, unavailable_on

# Everything NOMIS says about a prisoner that booking needs (one call: ``NomisClient.get_booking_facts``).
PrisonerContext = BookingFacts


def prisoner_context(number: str, *, first: date, last: date) -> PrisonerContext | None:
    """Ask NOMIS about a prisoner (raises NomisUnavailable when it is down). None if there is no such prisoner."""
    return get_client().get_booking_facts(number, first, last)


def facts_key(number: str) -> str:
    return f"nomis-facts:{number}"


def cached_prisoner_context(number: str, *, first: date, last: date, fetch: bool = True) -> PrisonerContext | None:
    """The prisoner's NOMIS facts for the pages of a journey, kept in the cache (Redis in production) for
    ``NOMIS_FACTS_CACHE_SECONDS`` (10 minutes) for this window, and so is "no such prisoner"; the final booking asks
    NOMIS afresh (``prisoner_context``). With ``fetch=False``, only what is kept (None if nothing is)."""
    key = facts_key(number)
    kept = cache_get(key)
    if kept is not None and kept[0] == (first, last):
        return kept[1]  # type: ignore[no-any-return]
    if not fetch:
        return None
    context = prisoner_context(number, first=first, last=last)
    nomis_checks_record(context.prisoner.number if context else number.strip().upper(), context)
    # "No such prisoner" is kept as long as a prisoner's facts are, so a second look-up of a number takes the same
    # time whether or not the number is real.
    cache.set(key, ((first, last), context), settings.NOMIS_FACTS_CACHE_SECONDS)
    return context


def forget_prisoner_context(number: str) -> None:
    """NOMIS says something changed for this prisoner: the next page asks NOMIS afresh."""
    cache.delete(facts_key(number))


class Unbookable(enum.StrEnum):
    """Why a session cannot be booked, in the words the date picker shows."""

    BLOCKED = "blocked"
    FULL = "full"
    NOT_ELIGIBLE = "not_eligible"
    ALREADY_BOOKED = "already_booked"
    NON_ASSOCIATION = "non_association"
    PRISONER_UNAVAILABLE = "prisoner_unavailable"
    WEEKLY_LIMIT = "weekly_limit"
    NO_ALLOWANCE = "no_allowance"


UNBOOKABLE_TEXT = {
    Unbookable.BLOCKED: gettext_noop("No visits"),
    Unbookable.FULL: gettext_noop("Fully booked"),
    Unbookable.NOT_ELIGIBLE: gettext_noop("Not available for this prisoner"),
    Unbookable.ALREADY_BOOKED: gettext_noop("Already booked"),
    Unbookable.NON_ASSOCIATION: gettext_noop("Not available"),
    Unbookable.PRISONER_UNAVAILABLE: gettext_noop("Prisoner not available"),
    Unbookable.WEEKLY_LIMIT: gettext_noop("Weekly visit limit reached"),
    Unbookable.NO_ALLOWANCE: gettext_noop("No visiting allowance left"),
}


class WindowSession(NamedTuple):
    """A session as the shared window keeps it: what the date picker shows and decides with. A plain tuple: read
    back from the cache on every first view, a window of these unpickles in half the time of one of model instances
    (docs/benchmarks.md). The pages that act on a session fetch its row."""

    id: int
    date: date
    start_time: time
    end_time: time
    open_capacity: int
    closed_capacity: int
    locations: list[str]
    incentive_levels: list[str]
    categories: list[str]
    blocked: bool


@dataclass(frozen=True)
class SessionAvailability:
    session: VisitSession | WindowSession
    closed: bool
    places_left: int
    unbookable: Unbookable | None

    @property
    def bookable(self) -> bool:
        return self.unbookable is None

    @property
    def unbookable_text(self) -> str:
        return UNBOOKABLE_TEXT[self.unbookable] if self.unbookable else ""


def prison_key(slug: str) -> str:
    return f"bookable-prison:{slug}"


def bookable_prison(slug: str) -> Prison | None:
    """The prison taking online bookings with this slug, for the journey's pages: a shared read (kept in the cache
    for ``SHARED_READS_SECONDS``, as every page of every journey to it asks)."""
    seconds = settings.SHARED_READS_SECONDS
    if seconds <= 0:
        return Prison.objects.bookable_online().filter(slug=slug).first()
    key = prison_key(slug)
    found = cache_get(key)
    if found is None:
        found = Prison.objects.bookable_online().filter(slug=slug).first() or False  # False: kept as "none"
        cache.set(key, found, seconds)
    return found or None


def _live(queryset: QuerySet[Visit], now: datetime) -> QuerySet[Visit]:
    """Visits that still stand: active states, less holds that have run out."""
    return queryset.filter(state__in=ACTIVE_STATES).exclude(state=VisitState.RESERVED, hold_expires_at__lte=now)


def _window_sessions(prison: Prison, from_date: date, to_date: date) -> QuerySet[VisitSession]:
    """The sessions (not removed) from ``from_date`` to ``to_date``, in order."""
    return VisitSession.objects.filter(prison=prison, date__range=(from_date, to_date), removed=False).order_by(
        "date", "start_time"
    )


def _sessions_and_places_taken(
    prison: Prison, from_date: date, to_date: date, closed: bool, now: datetime
) -> tuple[list[VisitSession], dict[int, int]]:
    """The window's sessions (not removed), in order, and the places taken in each by open or closed visits."""
    sessions = list(_window_sessions(prison, from_date, to_date))
    if not sessions:
        return [], {}
    taken = (
        _live(Visit.objects.filter(session__in=[s.id for s in sessions]), now)
        .filter(closed=closed, state__in=PLACE_TAKING_STATES)
        .values_list("session_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return sessions, dict(taken)


def _whole_weeks(from_date: date, to_date: date) -> tuple[date, date]:
    """The Monday of ``from_date``'s week and the Sunday of ``to_date``'s: a remand prisoner's weekly limit counts
    whole weeks."""
    return from_date - timedelta(days=from_date.weekday()), to_date + timedelta(days=6 - to_date.weekday())


@dataclass(frozen=True)
class SharedWindow:
    """A prison's window as every visitor to it reads it alike: its sessions (not removed), in order, the places
    taken in each by open and by closed visits, and the sessions in which each prisoner has a visit that stands,
    over the window's whole weeks (a remand prisoner's weekly limit counts them): those outside the window are in
    ``outside``, with their days."""

    first: date
    last: date
    sessions: list[WindowSession]
    taken: dict[bool, dict[int, int]]  # closed or not: session id -> places taken
    prisoners_sessions: dict[str, tuple[int, ...]]  # prisoner number -> their sessions, in the weeks' rest too
    outside: dict[int, date]  # the sessions of the window's first and last weeks outside it: id -> day
    version: int = 0  # the prison's window version it was read at (prisons.window_cache)

    def day_of(self) -> dict[int, date]:
        """Every session's day, by id."""
        return {**{s.id: s.date for s in self.sessions}, **self.outside}


def _window_read(prison: Prison, from_date: date, to_date: date, now: datetime, version: int = 0) -> SharedWindow:
    """The sessions of the window's whole weeks and every visit that stands in them: two queries."""
    rows = _window_sessions(prison, *_whole_weeks(from_date, to_date)).values_list(*WindowSession._fields)
    every = [WindowSession(*row) for row in rows]
    sessions = [s for s in every if from_date <= s.date <= to_date]
    taken: dict[bool, Counter[int]] = {False: Counter(), True: Counter()}
    prisoners_sessions: defaultdict[str, list[int]] = defaultdict(list)
    if every:
        visits = (
            _live(Visit.objects.filter(session__in=[s.id for s in every]), now)
            .values_list("session_id", "closed", "prisoner_number", "state")
            .order_by()
        )
        for session_id, closed, prisoner_number, state in visits:
            if state in PLACE_TAKING_STATES:
                taken[closed][session_id] += 1
            prisoners_sessions[prisoner_number].append(session_id)
    return SharedWindow(
        from_date,
        to_date,
        sessions,
        {closed: dict(counts) for closed, counts in taken.items()},
        {number: tuple(ids) for number, ids in prisoners_sessions.items()},
        {s.id: s.date for s in every if not from_date <= s.date <= to_date},
        version,
    )


def window_key(slug: str, today: date) -> str:
    """The key of a prison's window as read on ``today`` (the window itself says which days it covers)."""
    return f"shared-window:3:{slug}:{today.isoformat()}"  # 3: with the version it was read at


def _shared_window(
    prison: Prison, from_date: date, to_date: date, now: datetime, *, refresh: bool = False
) -> SharedWindow:
    """``_window_read``, the same for every visitor to the prison: a shared read, kept in the cache for
    ``SHARED_READS_SECONDS`` (a few seconds), so that the visitors looking at a prison's times at once ask the
    database once. Every change to the prison's visits or sessions raises its version when it commits
    (prisons.window_cache), and a window read at another version is read again: a hold or a booking shows in the
    next picker at once. A hold that runs out shows within the few seconds. A place shown free may still have gone
    between the page and the choice: holding it checks again, under its lock, and the visitor who found it gone is
    shown the times read afresh (``refresh``), kept for the next ones."""
    key = window_key(prison.slug, timezone.localdate(now))
    version = window_version(cache_get(window_version_key(prison.slug)))  # before the database: see window_cache
    found = None if refresh else cache_get(key)
    if found is None or (found.first, found.last, found.version) != (from_date, to_date, version):
        found = _window_read(prison, from_date, to_date, now, version)
        cache.set(key, found, settings.SHARED_READS_SECONDS)
    return found  # type: ignore[no-any-return]


def sessions_available(
    *,
    prison: Prison,
    prisoner: PrisonerContext,
    closed: bool,
    from_date: date,
    to_date: date,
    now: datetime | None = None,
    shared: bool = False,
    refresh: bool = False,
) -> list[SessionAvailability]:
    """Every session from ``from_date`` to ``to_date``, bookable or not and why not, for this prisoner and a visit
    that is open or closed. At most four queries, whatever the window or the history. ``shared``: the sessions, the
    places taken, the prisoner's own visits and those of the prisoners they must not meet may be a few seconds old
    (``_shared_window``, read afresh with ``refresh``): for the public date picker, where every visitor to a prison
    reads them alike. ``visit_reserve`` checks the chosen session afresh, under its lock."""
    now = now or timezone.now()
    allowance = check_allowance(prisoner.prisoner, prisoner.balance)
    if shared and settings.SHARED_READS_SECONDS > 0:
        window = _shared_window(prison, from_date, to_date, now, refresh=refresh)
        sessions, taken = window.sessions, Counter(window.taken[closed])
        number = prisoner.prisoner.number
        own_sessions = set(window.prisoners_sessions.get(number, ()))
        own_days: list[date] = []
        conflict_days: set[date] = set()
        if allowance.weekly_limit is not None or prisoner.non_associations:
            day_of = window.day_of()
            own_days = [day_of[i] for i in own_sessions]
            others = prisoner.non_associations
            conflict_days = {day_of[i] for other in others for i in window.prisoners_sessions.get(other, ())}
    else:
        sessions, places_taken = _sessions_and_places_taken(prison, from_date, to_date, closed, now)
        taken = Counter(places_taken)
        own_sessions, own_days, conflict_days = _own_and_conflicts(prison, prisoner, from_date, to_date, now)
    if not sessions:
        return []
    per_week = Counter(day - timedelta(days=day.weekday()) for day in own_days)

    results = []
    for session in sessions:
        capacity = session.closed_capacity if closed else session.open_capacity
        left = max(capacity - taken[session.id], 0)
        results.append(
            SessionAvailability(
                session,
                closed,
                left,
                _why_unbookable(
                    session,
                    prisoner,
                    left=left,
                    own_sessions=own_sessions,
                    conflict_days=conflict_days,
                    visits_that_week=per_week[session.date - timedelta(days=session.date.weekday())],
                    allowance_ok=allowance.ok,
                    weekly_limit=allowance.weekly_limit,
                ),
            )
        )
    return results


def _own_and_conflicts(
    prison: Prison, prisoner: PrisonerContext, from_date: date, to_date: date, now: datetime
) -> tuple[set[int], list[date], set[date]]:
    """The prisoner's own visits that stand over the window's whole weeks (their sessions, and the days of all of
    them, for a remand prisoner's weekly limit) and the window's days on which a prisoner they must not meet has a
    visit at this prison."""
    own = list(
        _live(Visit.objects, now)
        .filter(prisoner_number=prisoner.prisoner.number, session__date__range=_whole_weeks(from_date, to_date))
        .values_list("session_id", "session__date")
        .order_by()
    )
    conflict_days: set[date] = set()
    if prisoner.non_associations:
        visits = Visit.objects.filter(session__prison=prison, session__date__range=(from_date, to_date))
        conflict_days = set(
            _live(visits, now)
            .filter(prisoner_number__in=prisoner.non_associations)
            .values_list("session__date", flat=True)
            .order_by()
            .distinct()
        )
    return {session_id for session_id, _ in own}, [day for _, day in own], conflict_days


def _why_unbookable(
    session: VisitSession | WindowSession,
    prisoner: PrisonerContext,
    *,
    left: int,
    own_sessions: set[int],
    conflict_days: set[date],
    visits_that_week: int,
    allowance_ok: bool,
    weekly_limit: int | None,
) -> Unbookable | None:
    if session.blocked:
        return Unbookable.BLOCKED
    if not allowance_ok:
        return Unbookable.NO_ALLOWANCE
    if unavailable_on(session.date, prisoner.unavailable):
        return Unbookable.PRISONER_UNAVAILABLE
    if not session_open_to(
        prisoner.prisoner,
        locations=session.locations,
        incentive_levels=session.incentive_levels,
        categories=session.categories,
    ):
        return Unbookable.NOT_ELIGIBLE
    if session.id in own_sessions:
        return Unbookable.ALREADY_BOOKED
    if session.date in conflict_days:
        return Unbookable.NON_ASSOCIATION
    if remand_week_full(weekly_limit, visits_that_week):
        return Unbookable.WEEKLY_LIMIT
    if left == 0:
        return Unbookable.FULL
    return None


def sessions_by_day(availability: list[SessionAvailability]) -> dict[date, list[SessionAvailability]]:
    days: dict[date, list[SessionAvailability]] = defaultdict(list)
    for item in availability:
        days[item.session.date].append(item)
    return dict(days)
