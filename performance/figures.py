"""The service's weekly figures, nationally or for one prison: what the public dashboard and the staff figures page
draw. Aggregates only, in a fixed number of queries whatever the number of visits; no personal data leaves here.

A week runs Monday to Sunday; the figures cover the last ``WEEKS`` complete weeks. Bookings, requests, answers and
cancellations count in the week they happened, attendance in the week of the visit, and a journey in the week it
started (a completion counts on its journey's day, visits.models.JourneyCount).

What the public sees goes through ``published_figures`` (the dashboard's page, charts, tables and CSV alike): every
count rounded to the nearest ``ROUND_TO``, percentages worked out from the rounded counts and only where they are of
at least ``MINIMUM_FOR_PERCENTAGE`` (docs/performance-dashboard.md says why). The staff figures page is exact.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone

from prisons.models import Prison
from visits.models import Channel, EventType, JourneyCount, Visit, VisitEvent, VisitPreference, VisitState
from visits.rules import request_answered_in_time

WEEKS = 12
# A prison's figures are published only where at least this many visits were booked or requested there in the
# period, so that no one can be picked out of them (the dashboard says so).
MINIMUM_VISITS = 10
# Every published count is rounded to the nearest multiple of this (0, 1 and 2 are 0; 3 to 7 are 5), so that no
# figure of 1 or 2 is published and none can be worked out exactly by taking one published figure from another.
ROUND_TO = 5
# A published percentage is worked out from the rounded counts, and given only where its whole is at least this.
MINIMUM_FOR_PERCENTAGE = 50
NOT_STAFF = ("visitor", "system")  # the actor labels that are not a staff member's name (visits.services.Actor)
CHANNELS = tuple(Channel.values)


def rounded(count: int) -> int:
    """The count to the nearest multiple of ``ROUND_TO``, halves up: what the public sees of it."""
    return (count + ROUND_TO // 2) // ROUND_TO * ROUND_TO


@dataclass(frozen=True)
class Period:
    """The weeks the figures cover: ``first`` is a Monday, ``last`` the Sunday ``weeks`` weeks later."""

    first: date
    weeks: int = WEEKS

    @property
    def last(self) -> date:
        return self.first + timedelta(days=7 * self.weeks - 1)

    @property
    def mondays(self) -> list[date]:
        return [self.first + timedelta(days=7 * n) for n in range(self.weeks)]

    def week_of(self, day: date) -> int | None:
        """The index of the week the day falls in, or None outside the period."""
        index = (day - self.first).days // 7
        return index if 0 <= index < self.weeks else None

    def bounds(self) -> tuple[datetime, datetime]:
        """The period as local midnights, start included, end excluded."""
        zone = timezone.get_current_timezone()
        return (
            datetime.combine(self.first, time.min, tzinfo=zone),
            datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=zone),
        )


def complete_weeks(today: date, weeks: int = WEEKS) -> Period:
    """The last ``weeks`` complete weeks before today (a week ends on Sunday; today's week is not over yet)."""
    last_sunday = today - timedelta(days=today.weekday() + 1)
    return Period(first=last_sunday - timedelta(days=7 * weeks - 1), weeks=weeks)


@dataclass
class Week:
    """One week's figures (or a period's, added up)."""

    first: date
    made_by_channel: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHANNELS, 0))
    booked: int = 0  # confirmed straight away
    requested: int = 0  # sent as requests for the prison to check
    started: int = 0  # booking journeys started online (a prison chosen)
    completed: int = 0  # of those, ended in a booking or a request
    approved: int = 0  # requests approved
    approved_first_choice: int = 0  # of those, for the visitor's first choice of time
    answered: int = 0  # requests approved or rejected by staff
    answered_in_time: int = 0  # of those, within the working days visitors are promised
    cancelled_by_visitors: int = 0
    cancelled_by_prison: int = 0  # by staff or by the service (a prisoner released, a date blocked)
    attended: int = 0
    no_shows: int = 0
    not_recorded: int = 0  # booked visits whose attendance nobody recorded
    published: bool = False  # its counts rounded for the public (published_figures): percentages need a large whole

    @property
    def last(self) -> date:
        return self.first + timedelta(days=6)

    @property
    def made(self) -> int:
        """Visits booked or requested, through every channel."""
        return sum(self.made_by_channel.values())

    @property
    def online(self) -> int:
        return self.made_by_channel.get(Channel.ONLINE, 0)

    @property
    def digital_share(self) -> int | None:
        """Digital take-up: the percentage of visits booked or requested online."""
        return self._percent(self.online, self.made)

    @property
    def completion_share(self) -> int | None:
        """The percentage of online journeys started that ended in a booking or a request."""
        return self._percent(self.completed, self.started)

    @property
    def confirmed(self) -> int:
        """Visits confirmed: booked straight away, or requests approved."""
        return self.booked + self.approved

    @property
    def first_choice(self) -> int:
        """Confirmed visits for the time the visitor chose first: a booking is for the one time chosen."""
        return self.booked + self.approved_first_choice

    @property
    def first_choice_share(self) -> int | None:
        return self._percent(self.first_choice, self.confirmed)

    @property
    def answered_in_time_share(self) -> int | None:
        return self._percent(self.answered_in_time, self.answered)

    @property
    def cancelled(self) -> int:
        return self.cancelled_by_visitors + self.cancelled_by_prison

    @property
    def attendance_share(self) -> int | None:
        """The percentage of visits with attendance recorded that the visitors came to."""
        return self._percent(self.attended, self.attended + self.no_shows)

    def _percent(self, part: int, whole: int) -> int | None:
        """``part`` as a percentage of ``whole``; None when there is nothing to count or, in published figures, when
        the whole is too small for a percentage of rounded counts to mean much."""
        if whole == 0 or (self.published and whole < MINIMUM_FOR_PERCENTAGE):
            return None
        return round(100 * part / whole)

    def __add__(self, other: Week) -> Week:
        counts = {f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self) if f.type == "int"}
        channels = Counter(self.made_by_channel) + Counter(other.made_by_channel)
        return Week(
            first=min(self.first, other.first),
            made_by_channel=dict.fromkeys(CHANNELS, 0) | channels,
            published=self.published or other.published,
            **counts,
        )

    def for_publication(self) -> Week:
        """The week as the public sees it: every count it holds rounded (``rounded``). What is worked out from them
        (totals, percentages) is worked out from the rounded counts, so it tells no more than they do. A field of a
        kind not known here stops publication rather than go out unrounded."""
        values: dict[str, object] = {"first": self.first, "published": True}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in values:
                continue
            if isinstance(value, int) and not isinstance(value, bool):
                values[f.name] = rounded(value)
            elif isinstance(value, dict) and all(isinstance(n, int) for n in value.values()):
                values[f.name] = {key: rounded(n) for key, n in value.items()}
            else:
                raise TypeError(f"Week.{f.name} is not a count: say how to publish it")
        return Week(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class WeeklyFigures:
    """The figures of each week of a period, nationally (``prison_id`` None) or for one prison."""

    period: Period
    weeks: list[Week]
    prison_id: int | None = None

    @property
    def published(self) -> bool:
        return any(week.published for week in self.weeks)

    @property
    def total(self) -> Week:
        """The whole period's figures: the sums of its weeks' (so, when published, of the rounded weekly counts: a
        total adds nothing to what its weeks tell)."""
        total = Week(first=self.period.first, published=self.published)
        for week in self.weeks:
            total = total + week
        return total


def weekly_figures(*, period: Period, prison: Prison | None = None) -> WeeklyFigures:
    """Each week's figures, nationally or for one prison (five aggregate queries, whatever the number of visits)."""
    weeks = [Week(first=monday) for monday in period.mondays]
    start, end = period.bounds()
    events = VisitEvent.objects.filter(created_at__gte=start, created_at__lt=end)
    visits = Visit.objects.filter(session__date__range=(period.first, period.last))
    journeys = JourneyCount.objects.filter(day__range=(period.first, period.last))
    if prison is not None:
        events, visits, journeys = (
            events.filter(visit__prison=prison),
            visits.filter(prison=prison),
            journeys.filter(prison=prison),
        )
    events = events.annotate(
        day=TruncDate("created_at"),
        who=Case(When(actor_label__in=NOT_STAFF, then=F("actor_label")), default=Value("staff")),
    )

    # 1. Bookings and requests by channel, and cancellations by who cancelled.
    made = events.filter(type__in=[EventType.BOOKED, EventType.REQUESTED, EventType.CANCELLED])
    for row in made.values("day", "type", "channel", "who").annotate(n=Count("id")).order_by():
        week = _week(weeks, period, row["day"])
        if week is None:
            continue
        if row["type"] == EventType.CANCELLED:
            if row["who"] == "visitor":
                week.cancelled_by_visitors += row["n"]
            else:
                week.cancelled_by_prison += row["n"]
            continue
        week.made_by_channel[row["channel"]] = week.made_by_channel.get(row["channel"], 0) + row["n"]
        if row["type"] == EventType.BOOKED:
            week.booked += row["n"]
        else:
            week.requested += row["n"]

    # 2. Requests approved, and whether for the visitor's first choice (the session the approval granted, as its
    # event records it, against the preference ranked 1).
    granted = events.filter(type=EventType.APPROVED).annotate(granted=Cast(KT("data__session_id"), IntegerField()))
    first = VisitPreference.objects.filter(visit_id=OuterRef("visit_id"), rank=1, session_id=OuterRef("granted"))
    for row in granted.annotate(first=Exists(first)).values("day", "first").annotate(n=Count("id")).order_by():
        week = _week(weeks, period, row["day"])
        if week is not None:
            week.approved += row["n"]
            week.approved_first_choice += row["n"] if row["first"] else 0

    # 3. Requests answered by staff, and whether within the working days promised: the days of the request and of
    # its answer, counted together (the prison's working days decide, visits.rules).
    asked = VisitEvent.objects.filter(visit=OuterRef("visit"), type=EventType.REQUESTED).order_by("created_at")
    answers = (
        events.filter(type__in=[EventType.APPROVED, EventType.REJECTED], who="staff")
        .annotate(asked_at=Subquery(asked.values("created_at")[:1]))
        .annotate(asked_day=TruncDate("asked_at"), weekends=F("visit__prison__works_weekends"))
    )
    for row in answers.values("day", "asked_day", "weekends").annotate(n=Count("id")).order_by():
        week = _week(weeks, period, row["day"])
        if week is None:
            continue
        week.answered += row["n"]
        if row["asked_day"] is not None and request_answered_in_time(
            row["asked_day"], row["day"], works_weekends=row["weekends"]
        ):
            week.answered_in_time += row["n"]

    # 4. Attendance, in the week of the visit.
    outcomes = visits.values("session__date").annotate(
        attended=Count("id", filter=Q(state=VisitState.ATTENDED)),
        no_shows=Count("id", filter=Q(state=VisitState.NO_SHOW)),
        not_recorded=Count("id", filter=Q(state=VisitState.BOOKED, session__date__lt=timezone.localdate())),
    )
    for row in outcomes.order_by():
        week = _week(weeks, period, row["session__date"])
        if week is not None:
            week.attended += row["attended"]
            week.no_shows += row["no_shows"]
            week.not_recorded += row["not_recorded"]

    # 5. Online journeys started and completed, in the week they started.
    for row in journeys.values("day").annotate(started=Sum("started"), completed=Sum("completed")).order_by():
        week = _week(weeks, period, row["day"])
        if week is not None:
            week.started += row["started"]
            week.completed += row["completed"]

    return WeeklyFigures(period=period, weeks=weeks, prison_id=prison.id if prison is not None else None)


def published_figures(*, period: Period, prison: Prison | None = None) -> WeeklyFigures:
    """The weekly figures as the public sees them (the dashboard, its charts and tables, the CSV): every count
    rounded to the nearest ``ROUND_TO`` and every percentage worked out from the rounded counts, given only where
    its whole is at least ``MINIMUM_FOR_PERCENTAGE``. Nothing published is worked out from an exact figure."""
    figures = weekly_figures(period=period, prison=prison)
    return WeeklyFigures(
        period=figures.period,
        weeks=[week.for_publication() for week in figures.weeks],
        prison_id=figures.prison_id,
    )


def _week(weeks: list[Week], period: Period, day: date | None) -> Week | None:
    index = period.week_of(day) if day is not None else None
    return weeks[index] if index is not None else None


def prisons_with_figures(*, period: Period) -> list[Prison]:
    """The prisons whose figures may be published: at least ``MINIMUM_VISITS`` visits booked or requested there in
    the period, in name order (one query)."""
    start, end = period.bounds()
    busy = (
        VisitEvent.objects.filter(
            type__in=[EventType.BOOKED, EventType.REQUESTED], created_at__gte=start, created_at__lt=end
        )
        .values("visit__prison_id")
        .annotate(n=Count("id"))
        .filter(n__gte=MINIMUM_VISITS)
        .values("visit__prison_id")
    )
    return list(Prison.objects.filter(id__in=busy).order_by("name"))
