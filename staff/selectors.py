"""Reads for the staff console, always through the prison the user is working in (see staff.access)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from prisons.models import NomisCheck, Prison, VisitSession
from visits.models import (
    LIVE_WAITING_STATES,
    PLACE_TAKING_STATES,
    EventType,
    Visit,
    VisitEvent,
    VisitFlag,
    Visitor,
    VisitState,
    WaitingListEntry,
    ended_by_the_visitor,
)
from visits.rules import request_answered_in_time


def prisons_for_user(user: AbstractBaseUser | AnonymousUser) -> list[Prison]:
    """The prisons this staff user covers, in name order (none for anyone signed out)."""
    if not user.is_authenticated:
        return []
    return list(Prison.objects.filter(staff_access__user=user).order_by("name"))


def has_started(session: VisitSession) -> bool:
    """Whether the session's start time has passed (staff cannot book or move visits into it any more)."""
    now = timezone.localtime()
    return (session.date, session.start_time) <= (now.date(), now.time())


def sessions_with_counts(*, prison: Prison, day: date) -> list[VisitSession]:
    """The day's sessions, each with ``open_taken`` and ``closed_taken`` places (one query)."""
    now = timezone.now()
    live = Q(visits__state__in=[s.value for s in PLACE_TAKING_STATES]) & ~Q(
        visits__state=VisitState.RESERVED, visits__hold_expires_at__lte=now
    )
    return list(
        VisitSession.objects.filter(prison=prison, date=day)
        .annotate(
            open_taken=Count("visits", filter=live & Q(visits__closed=False)),
            closed_taken=Count("visits", filter=live & Q(visits__closed=True)),
        )
        .order_by("start_time")
    )


def waiting_lists_on(*, prison: Prison, day: date) -> list[WaitingListEntry]:
    """The people still on the day's sessions' waiting lists, in the order they joined (one query)."""
    return list(
        WaitingListEntry.objects.filter(prison=prison, session__date=day, state__in=LIVE_WAITING_STATES)
        .select_related("offer")
        .order_by("session_id", "joined_at", "id")
    )


def _open_flags() -> Exists:
    return Exists(VisitFlag.objects.filter(visit=OuterRef("pk"), cleared_at__isnull=True))


def _cancelled_by_visitors() -> Q:
    """Visits their visitors cancelled that staff have not yet marked as seen."""
    return Q(state=VisitState.CANCELLED, cancellation_seen_at__isnull=True) & ended_by_the_visitor()


def dashboard_counts(*, prison: Prison) -> dict[str, int]:
    """Requests waiting, flagged visits, visitors' cancellations not yet seen, and visits not yet in NOMIS at the
    prison (one query)."""
    return Visit.objects.filter(prison=prison).aggregate(
        requests=Count("id", filter=Q(state=VisitState.REQUESTED)),
        cancellations=Count("id", filter=_cancelled_by_visitors(), distinct=True),
        unsynced=Count("id", filter=Q(nomis_sync_needed=True), distinct=True),
        flagged=Count(
            "id",
            filter=Q(
                state__in=[VisitState.BOOKED, VisitState.REQUESTED], flags__cleared_at__isnull=True, flags__isnull=False
            ),
            distinct=True,
        ),
    )


def _with_people(visits: QuerySet[Visit]) -> QuerySet[Visit]:
    return (
        visits.select_related("session")
        .annotate(flagged=_open_flags())
        .prefetch_related(Prefetch("visitors", queryset=Visitor.objects.order_by("position")))
    )


def visits_on(*, prison: Prison, day: date, session_id: int | None = None) -> list[Visit]:
    """Booked, requested and finished visits on a day (not holds or dead ones), with visitors (two queries)."""
    visits = Visit.objects.filter(prison=prison, session__date=day).exclude(
        state__in=[VisitState.RESERVED, VisitState.EXPIRED, VisitState.WITHDRAWN, VisitState.REJECTED]
    )
    if session_id is not None:
        visits = visits.filter(session_id=session_id)
    return list(_with_people(visits).order_by("session__start_time", "prisoner_last_name", "id"))


def nomis_checks(*, prison: Prison) -> list[NomisCheck]:
    """What NOMIS holds wrongly about the prison's prisoners and their visitors, by prisoner (one query)."""
    return list(NomisCheck.objects.filter(prison_code=prison.code).order_by("prisoner_number", "kind", "subject"))


def nomis_checks_count(*, prison: Prison) -> int:
    return NomisCheck.objects.filter(prison_code=prison.code).count()


def visits_unsynced(*, prison: Prison) -> list[Visit]:
    """Visits whose last change has not reached NOMIS yet, oldest change first (two queries)."""
    return list(_with_people(Visit.objects.filter(prison=prison, nomis_sync_needed=True)).order_by("updated_at"))


def visitor_cancellations(*, prison: Prison) -> list[Visit]:
    """Visits cancelled by their visitors and not yet seen by staff, soonest visit first (two queries)."""
    visits = Visit.objects.filter(_cancelled_by_visitors(), prison=prison).distinct()
    return list(_with_people(visits).order_by("session__date", "session__start_time", "id"))


def requests_waiting(*, prison: Prison) -> list[Visit]:
    """Requests for staff to decide, soonest first (two queries)."""
    visits = Visit.objects.filter(prison=prison, state=VisitState.REQUESTED)
    return list(_with_people(visits).order_by("session__date", "session__start_time", "id"))


def flagged_visits(*, prison: Prison) -> list[Visit]:
    """Visits with a flag not yet cleared, soonest first, each with its open flags (three queries)."""
    visits = Visit.objects.filter(prison=prison, state__in=[VisitState.BOOKED, VisitState.REQUESTED]).filter(
        _open_flags()
    )
    return list(
        _with_people(visits)
        .prefetch_related(
            Prefetch("flags", queryset=VisitFlag.objects.filter(cleared_at__isnull=True), to_attr="open_flags")
        )
        .order_by("session__date", "session__start_time", "id")
    )


def visit_for_staff(*, prison: Prison, reference: str) -> Visit | None:
    """One visit at this prison, with everything its page shows."""
    return (
        Visit.objects.filter(prison=prison, reference=reference)
        .select_related("session", "booked_by")
        .prefetch_related("visitors", "events__actor", "flags", "preferences__session")
        .first()
    )


def reference_typed(text: str) -> str | None:
    """A booking reference however it was typed ('NDMHNQRX', 'nd mh nq rx', 'nd-mh-nq-rx'), as it is stored
    ('nd-mh-nq-rx'); None when the text cannot be one."""
    letters = "".join(ch for ch in text.lower() if ch not in " -")
    if len(letters) != 8 or not letters.isalpha() or not letters.isascii():
        return None
    return "-".join(letters[i : i + 2] for i in range(0, 8, 2))


def search_visits(*, prison: Prison, query: str) -> list[Visit]:
    """Visits at this prison by reference, prisoner number or visitor name (latest first, at most 50)."""
    text = query.strip()
    if not text:
        return []
    words = text.split()
    condition = Q(reference__iexact=text) | Q(prisoner_number__iexact=text)
    reference = reference_typed(text)
    if reference:
        condition |= Q(reference=reference)
    name = Q()
    for word in words:
        name &= Q(visitors__first_name__icontains=word) | Q(visitors__last_name__icontains=word)
    visits = (
        Visit.objects.filter(prison=prison)
        .filter(condition | name)
        .exclude(state__in=[VisitState.RESERVED, VisitState.EXPIRED])
    )
    return list(_with_people(visits.distinct()).order_by("-session__date", "-id")[:50])


NOT_STAFF = ("visitor", "system")  # the actor labels that are not a staff member's name (visits.services.Actor)
FIGURE_PERIODS = {1: "Last 7 days", 4: "Last 4 weeks", 12: "Last 12 weeks"}  # weeks: their label


@dataclass(frozen=True)
class Figures:
    """What happened at a prison from ``first`` to ``last``: bookings and requests made, what became of them, and
    the visits that fell in the period (up to today)."""

    first: date
    last: date
    booked_by_channel: dict[str, int]  # confirmed straight away, by the channel they came through
    requested: int  # sent as requests for the prison to check
    approved: int
    rejected_by_staff: int
    rejected_unanswered: int  # rejected by the service because nobody answered in time
    withdrawn: int
    answered_in_time: int  # approved or rejected by staff within the promised working days (visits.rules)
    holds_lapsed: int  # a time chosen, the booking never finished
    cancelled_by_visitors: int
    cancelled_by_prison: int
    attended: int
    no_shows: int
    not_recorded: int  # booked visits in the past whose attendance nobody recorded
    places_used: int  # places taken by booked, attended and no-show visits in the period's sessions
    capacity: int  # the places the period's sessions offered (not blocked or removed)

    @property
    def booked(self) -> int:
        return sum(self.booked_by_channel.values())

    @property
    def instant_share(self) -> int | None:
        """Percentage of visits confirmed straight away, of all booked or requested."""
        return _percent(self.booked, self.booked + self.requested)

    @property
    def answered(self) -> int:
        return self.approved + self.rejected_by_staff

    @property
    def answered_in_time_share(self) -> int | None:
        return _percent(self.answered_in_time, self.answered)

    @property
    def no_show_share(self) -> int | None:
        return _percent(self.no_shows, self.attended + self.no_shows)

    @property
    def capacity_share(self) -> int | None:
        return _percent(self.places_used, self.capacity)


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def performance_figures(*, prison: Prison, first: date, last: date) -> Figures:
    """The prison's figures for a period (four queries, whatever the number of visits)."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    events = VisitEvent.objects.filter(visit__prison=prison, created_at__gte=start, created_at__lt=end)
    counts: Counter[tuple[str, str, str]] = Counter()
    for row in events.values("type", "channel", "actor_label").annotate(n=Count("id")):
        who = row["actor_label"] if row["actor_label"] in NOT_STAFF else "staff"  # else a staff member's name
        counts[(row["type"], row["channel"], who)] += row["n"]

    def total(type: str, *, who: str | None = None) -> int:
        return sum(n for (t, _, w), n in counts.items() if t == type and (who is None or w == who))

    booked_by_channel: Counter[str] = Counter()
    for (type_, channel, _), n in counts.items():
        if type_ == EventType.BOOKED:
            booked_by_channel[channel] += n

    # How long each answer took: the request's own event, then the staff member's decision in the period.
    asked = VisitEvent.objects.filter(visit=OuterRef("visit"), type=EventType.REQUESTED).order_by("created_at")
    answers = events.filter(type__in=[EventType.APPROVED, EventType.REJECTED]).exclude(actor_label__in=NOT_STAFF)
    answers = answers.annotate(asked_at=Subquery(asked.values("created_at")[:1]))
    in_time = sum(
        1
        for answered_at, asked_at in answers.values_list("created_at", "asked_at")
        if asked_at is not None
        and request_answered_in_time(
            timezone.localdate(asked_at), timezone.localdate(answered_at), works_weekends=prison.works_weekends
        )
    )

    today = timezone.localdate()
    outcomes = Visit.objects.filter(prison=prison, session__date__range=(first, min(last, today))).aggregate(
        attended=Count("id", filter=Q(state=VisitState.ATTENDED)),
        no_shows=Count("id", filter=Q(state=VisitState.NO_SHOW)),
        not_recorded=Count("id", filter=Q(state=VisitState.BOOKED, session__date__lt=today)),
        places_used=Count(
            "id",
            filter=Q(
                state__in=[VisitState.BOOKED, VisitState.ATTENDED, VisitState.NO_SHOW],
                session__blocked=False,
                session__removed=False,
            ),
        ),
    )
    capacity = VisitSession.objects.filter(
        prison=prison, date__range=(first, min(last, today)), blocked=False, removed=False
    ).aggregate(places=Coalesce(Sum(F("open_capacity") + F("closed_capacity")), 0))["places"]
    return Figures(
        first=first,
        last=last,
        booked_by_channel=dict(booked_by_channel),
        requested=total(EventType.REQUESTED),
        approved=total(EventType.APPROVED),
        rejected_by_staff=total(EventType.REJECTED, who="staff"),
        rejected_unanswered=total(EventType.REJECTED) - total(EventType.REJECTED, who="staff"),
        withdrawn=total(EventType.WITHDRAWN),
        answered_in_time=in_time,
        holds_lapsed=total(EventType.EXPIRED),
        cancelled_by_visitors=total(EventType.CANCELLED, who="visitor"),
        cancelled_by_prison=total(EventType.CANCELLED) - total(EventType.CANCELLED, who="visitor"),
        capacity=capacity,
        **outcomes,
    )
