"""Reads for booking: what a prisoner's visitors can book, and the NOMIS facts that decide it."""

from __future__ import annotations

import enum
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from prisons.models import Prison, VisitSession
from prisons.nomis import get_client
from prisons.nomis.interface import ApprovedVisitor, Prisoner, Unavailability, VisitBalance
from visits.models import ACTIVE_STATES, PLACE_TAKING_STATES, Visit, VisitState
from visits.rules import check_allowance, remand_week_full, session_open_to, unavailable_on


@dataclass(frozen=True)
class PrisonerContext:
    """Everything NOMIS says about a prisoner that booking needs, fetched once for a journey or a booking."""

    prisoner: Prisoner
    balance: VisitBalance
    approved: tuple[ApprovedVisitor, ...]
    non_associations: tuple[str, ...]
    unavailable: tuple[Unavailability, ...]


def prisoner_context(number: str, *, first: date, last: date) -> PrisonerContext | None:
    """Ask NOMIS about a prisoner (raises NomisUnavailable when it is down). None if there is no such prisoner."""
    client = get_client()
    prisoner = client.get_prisoner(number)
    if prisoner is None:
        return None
    return PrisonerContext(
        prisoner=prisoner,
        balance=client.get_visit_balance(prisoner.number),
        approved=tuple(client.get_approved_visitors(prisoner.number)),
        non_associations=tuple(client.get_non_associations(prisoner.number)),
        unavailable=tuple(client.get_unavailable_dates(prisoner.number, first, last)),
    )


CONTEXT_CACHE_SECONDS = 10 * 60


def cached_prisoner_context(number: str, *, first: date, last: date) -> PrisonerContext | None:
    """The prisoner's NOMIS facts for the pages of a journey, cached for 10 minutes; the final booking asks
    NOMIS afresh (``prisoner_context``)."""
    key = f"nomis-context:{number}:{first.isoformat()}:{last.isoformat()}"
    context = cache.get(key)
    if context is None:
        context = prisoner_context(number, first=first, last=last)
        if context is not None:
            cache.set(key, context, CONTEXT_CACHE_SECONDS)
    return context


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
    Unbookable.BLOCKED: "No visits",
    Unbookable.FULL: "Fully booked",
    Unbookable.NOT_ELIGIBLE: "Not available for this prisoner",
    Unbookable.ALREADY_BOOKED: "Already booked",
    Unbookable.NON_ASSOCIATION: "Not available",
    Unbookable.PRISONER_UNAVAILABLE: "Prisoner not available",
    Unbookable.WEEKLY_LIMIT: "Weekly visit limit reached",
    Unbookable.NO_ALLOWANCE: "No visiting allowance left",
}


@dataclass(frozen=True)
class SessionAvailability:
    session: VisitSession
    closed: bool
    places_left: int
    unbookable: Unbookable | None

    @property
    def bookable(self) -> bool:
        return self.unbookable is None

    @property
    def unbookable_text(self) -> str:
        return UNBOOKABLE_TEXT[self.unbookable] if self.unbookable else ""


def _live(queryset: QuerySet[Visit], now: datetime) -> QuerySet[Visit]:
    """Visits that still stand: active states, less holds that have run out."""
    return queryset.filter(state__in=ACTIVE_STATES).exclude(state=VisitState.RESERVED, hold_expires_at__lte=now)


def sessions_available(
    *,
    prison: Prison,
    prisoner: PrisonerContext,
    closed: bool,
    from_date: date,
    to_date: date,
    now: datetime | None = None,
) -> list[SessionAvailability]:
    """Every session from ``from_date`` to ``to_date``, bookable or not and why not, for this prisoner and a visit
    that is open or closed. At most four queries, whatever the window or the history."""
    now = now or timezone.now()
    sessions = list(
        VisitSession.objects.filter(prison=prison, date__range=(from_date, to_date), removed=False).order_by(
            "date", "start_time"
        )
    )
    if not sessions:
        return []
    in_window = Q(session__prison=prison, session__date__range=(from_date, to_date))
    taken = Counter(
        {
            row["session_id"]: row["n"]
            for row in _live(Visit.objects.filter(in_window, closed=closed), now)
            .filter(state__in=PLACE_TAKING_STATES)
            .values("session_id")
            .annotate(n=Count("id"))
        }
    )
    # The prisoner's own visits, over whole weeks so that a remand prisoner's weekly cap can be counted.
    week_start = from_date - timedelta(days=from_date.weekday())
    week_end = to_date + timedelta(days=6 - to_date.weekday())
    own = list(
        _live(
            Visit.objects.filter(prisoner_number=prisoner.prisoner.number, session__date__range=(week_start, week_end)),
            now,
        ).values_list("session_id", "session__date")
    )
    own_sessions = {session_id for session_id, _ in own}
    per_week: Counter[date] = Counter(day - timedelta(days=day.weekday()) for _, day in own)
    conflict_days: set[date] = set()
    if prisoner.non_associations:
        conflict_days = set(
            _live(Visit.objects.filter(in_window, prisoner_number__in=prisoner.non_associations), now).values_list(
                "session__date", flat=True
            )
        )

    allowance = check_allowance(prisoner.prisoner, prisoner.balance)
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


def _why_unbookable(
    session: VisitSession,
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
