"""Reads for booking: what a prisoner's visitors can book, and the NOMIS facts that decide it."""

from __future__ import annotations

import enum
import functools
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_noop

from config.memo import MISSING, Memo
from prisons import generations as gen
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
# Each process keeps the contexts it has used for a minute, so that a page of the journey reads no more than the
# generations from the shared cache.
_CONTEXTS = Memo("prisoner-contexts", size=2048, seconds=60)


def context_generation_key(number: str) -> str:
    return f"nomis-context-generation:{number}"


def cached_prisoner_context(
    number: str, *, first: date, last: date, fetch: bool = True, generation: int | None = None
) -> PrisonerContext | None:
    """The prisoner's NOMIS facts for the pages of a journey, cached for 10 minutes; the final booking asks
    NOMIS afresh (``prisoner_context``). With ``fetch=False``, only what is cached (None if nothing is). The
    caller may pass the context's generation, read with the others (``prisons.generations.read``)."""
    if generation is None:
        (generation,) = gen.read([context_generation_key(number)])
    memo_key = (number, generation, first, last)
    if (context := _CONTEXTS.get(memo_key)) is not MISSING:
        return context  # type: ignore[no-any-return]
    key = f"nomis-context:{number}:{generation}:{first.isoformat()}:{last.isoformat()}"
    context = cache.get(key)
    if context is None and fetch:
        context = prisoner_context(number, first=first, last=last)
        if context is not None:
            cache.set(key, context, CONTEXT_CACHE_SECONDS)
    if context is not None:
        _CONTEXTS.set(memo_key, context)
    return context


def forget_prisoner_context(number: str) -> None:
    """NOMIS says something changed for this prisoner: the next page asks NOMIS afresh."""
    gen.move([context_generation_key(number)])


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


@functools.cache
def _converters(model: type[Model], vendor: str) -> tuple[tuple[int, tuple[Callable[..., Any], ...], Any], ...]:
    """The ORM's converters for each column of a model's concrete fields (JSON decoding; dates on SQLite)."""
    found = []
    for position, field in enumerate(model._meta.concrete_fields):
        column = field.get_col(model._meta.db_table)
        converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if converters:
            found.append((position, tuple(converters), column))
    return tuple(found)


def rows_as_instances(rows: Iterable[Sequence[Any]], *models: type[Model]) -> list[tuple[Model, ...]]:
    """Model instances from rows of SQL written for them: each row holds every concrete field of each model in
    turn, in the models' field order. What the ORM does with a row (its converters, then ``Model.from_db``), without
    the ORM's per-query cost."""
    layouts = []
    start = 0
    for model in models:
        fields = model._meta.concrete_fields
        layouts.append(
            (model, start, start + len(fields), [f.attname for f in fields], _converters(model, connection.vendor))
        )
        start += len(fields)
    result = []
    for row in rows:
        assert len(row) == start, "the SQL's columns must be the models' concrete fields"
        instances = []
        for model, first, last, names, converters in layouts:
            values = list(row[first:last])
            for position, functions, column in converters:
                value = values[position]
                for function in functions:
                    value = function(value, column, connection)
                values[position] = value
            instances.append(model.from_db(connection.alias, names, values))
        result.append(tuple(instances))
    return result


class CompiledQuery:
    """An ORM queryset compiled to SQL once per process, then run with any value of one parameter.

    Building and compiling a queryset costs 500 to 1,000 Python calls (more than the database takes to answer a
    look-up by key), on every page of the journey. ``build(marker)`` returns the queryset with ``marker`` where the
    value goes; its SQL and parameters are kept, and each run puts the value in the marker's place. For querysets
    whose SQL does not depend on the value (a look-up by key or slug), with plain columns and ``select_related``:
    ``first`` returns the first row's instance with its related instances cached, as the ORM would."""

    def __init__(self, build: Callable[[Any], QuerySet[Any]], marker: Any) -> None:
        self.build = build
        self.marker = marker
        self._compiled: dict[str, tuple[str, tuple[Any, ...], list[Any]]] = {}

    def _compile(self) -> tuple[str, tuple[Any, ...], list[Any]]:
        compiled = self._compiled.get(connection.alias)
        if compiled is None:
            queryset = self.build(self.marker)
            sql, params = queryset.query.get_compiler(connection=connection).as_sql()
            assert self.marker in params, "the marker must be a parameter of the query"
            # The models of the row, in the compiler's order: the queryset's, then each select_related one.
            models, relations = [queryset.model], []
            related = queryset.query.select_related
            if isinstance(related, dict):
                for name, deeper in related.items():
                    assert not deeper, "one level of select_related only"
                    field = queryset.model._meta.get_field(name)
                    models.append(field.related_model)
                    relations.append(field)
            compiled = self._compiled[connection.alias] = (sql, tuple(params), [models, relations])
        return compiled

    def first(self, value: Any) -> Any:
        sql, params, (models, relations) = self._compile()
        with connection.cursor() as cursor:
            cursor.execute(sql, [value if p == self.marker else p for p in params])
            row = cursor.fetchone()
        if row is None:
            return None
        instance, *related = rows_as_instances([row], *models)[0]
        for field, value_ in zip(relations, related, strict=True):
            field.set_cached_value(instance, value_)
        return instance


def _live(queryset: QuerySet[Visit], now: datetime) -> QuerySet[Visit]:
    """Visits that still stand: active states, less holds that have run out."""
    return queryset.filter(state__in=ACTIVE_STATES).exclude(state=VisitState.RESERVED, hold_expires_at__lte=now)


class _AvailabilitySQL:
    """The date picker's queries as SQL, written once (standard SQL: PostgreSQL and SQLite).

    The picker runs on every view of the choose-a-time page. Built through the ORM, each of these queries spent 1 to
    3 ms of Python building and compiling itself (the joins, the ``exclude`` of lapsed holds, the ``GROUP BY``),
    several times what the database takes to answer it; written out they cost the parameters' adaptation only. They
    are the same queries the ORM wrote (``_live`` is the live-visit condition), through the same indexes."""

    def __init__(self) -> None:
        qn = connection.ops.quote_name
        visit, session = qn(Visit._meta.db_table), qn(VisitSession._meta.db_table)
        self.session_columns = ", ".join(qn(f.column) for f in VisitSession._meta.concrete_fields)
        live_states = ", ".join(["%s"] * len(ACTIVE_STATES))
        self.live_params: list[object] = [str(state) for state in ACTIVE_STATES] + [str(VisitState.RESERVED)]
        live = (
            f"v.{qn('state')} IN ({live_states}) AND NOT (v.{qn('state')} = %s"
            f" AND v.{qn('hold_expires_at')} IS NOT NULL AND v.{qn('hold_expires_at')} <= %s)"
        )
        join = f"{visit} v INNER JOIN {session} s ON (v.{qn('session_id')} = s.{qn('id')})"
        in_window = f"s.{qn('prison_id')} = %s AND s.{qn('date')} BETWEEN %s AND %s"
        self.sessions = (
            f"SELECT {self.session_columns} FROM {session} WHERE {qn('prison_id')} = %s"
            f" AND {qn('date')} BETWEEN %s AND %s AND {qn('removed')} = %s ORDER BY {qn('date')}, {qn('start_time')}"
        )
        taking = ", ".join(["%s"] * len(PLACE_TAKING_STATES))
        # With each count, the earliest expiry of a hold among the visits counted: the count changes then.
        hold_expiry = f"MIN(CASE WHEN v.{qn('state')} = %s THEN v.{qn('hold_expires_at')} END)"
        self.taken = (
            f"SELECT v.{qn('session_id')}, COUNT(v.{qn('id')}), {hold_expiry} FROM {join} WHERE {in_window}"
            f" AND v.{qn('closed')} = %s AND {live} AND v.{qn('state')} IN ({taking}) GROUP BY v.{qn('session_id')}"
        )
        self.taking_params: list[object] = [str(state) for state in PLACE_TAKING_STATES]
        self.own = (
            f"SELECT v.{qn('session_id')}, s.{qn('date')}, CASE WHEN v.{qn('state')} = %s"
            f" THEN v.{qn('hold_expires_at')} END FROM {join}"
            f" WHERE v.{qn('prisoner_number')} = %s AND s.{qn('date')} BETWEEN %s AND %s AND {live}"
        )
        self.conflicts = (
            f"SELECT s.{qn('date')}, {hold_expiry} FROM {join} WHERE {in_window}"
            f" AND v.{qn('prisoner_number')} IN ({{numbers}}) AND {live} GROUP BY s.{qn('date')}"
        )  # {numbers}: a placeholder for each number


@functools.cache
def _availability_sql(vendor: str) -> _AvailabilitySQL:
    return _AvailabilitySQL()


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _as_datetime(value: datetime | str | None) -> datetime | None:
    """A timestamp from a row: SQLite's raw SQL gives text (stored in UTC), PostgreSQL an aware datetime."""
    if value is None or isinstance(value, datetime):
        return value
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# Each process keeps the date picker's answers under the generations they were worked out from (see
# prisons.generations): the filters, a second or third choice, a refreshed page or a failed submit reuse them.
_AVAILABILITY = Memo("sessions-available", size=1024, seconds=60)


def sessions_available(
    *,
    prison: Prison,
    prisoner: PrisonerContext,
    closed: bool,
    from_date: date,
    to_date: date,
    now: datetime | None = None,
    generations: tuple[int, ...] | None = None,
) -> list[SessionAvailability]:
    """Every session from ``from_date`` to ``to_date``, bookable or not and why not, for this prisoner and a visit
    that is open or closed. At most four queries, whatever the window or the history.

    With ``generations`` (the prison's and the prisoner's at least, read before anything else, see
    ``prisons.generations``), the answer is kept in this process and given again, as it is (read-only), while they
    stand, for a minute at most and never past the expiry of a hold it counted."""
    now = now or timezone.now()
    key = None
    if generations is not None:
        # The NOMIS facts by identity: the same context object (kept in the entry, so its id cannot be reused).
        key = (prison.pk, prisoner.prisoner.number, closed, from_date, to_date, generations, id(prisoner))
        found = _AVAILABILITY.get(key)
        if found is not MISSING and found[0] is prisoner:
            return found[1]  # type: ignore[no-any-return]
    sql = _availability_sql(connection.vendor)
    ops = connection.ops
    window = [prison.pk, ops.adapt_datefield_value(from_date), ops.adapt_datefield_value(to_date)]
    live = [*sql.live_params, ops.adapt_datetimefield_value(now)]
    reserved = str(VisitState.RESERVED)
    hold_expiries: list[datetime | str | None] = []
    with connection.cursor() as cursor:
        cursor.execute(sql.sessions, [*window, False])
        sessions = [session for (session,) in rows_as_instances(cursor.fetchall(), VisitSession)]
        if not sessions:
            return []
        cursor.execute(sql.taken, [reserved, *window, closed, *live, *sql.taking_params])
        taken: Counter[int] = Counter()
        for session_id, count, expiry in cursor.fetchall():
            taken[session_id] = count
            hold_expiries.append(expiry)
        # The prisoner's own visits, over whole weeks so that a remand prisoner's weekly cap can be counted.
        week_start = from_date - timedelta(days=from_date.weekday())
        week_end = to_date + timedelta(days=6 - to_date.weekday())
        weeks = [ops.adapt_datefield_value(week_start), ops.adapt_datefield_value(week_end)]
        cursor.execute(sql.own, [reserved, prisoner.prisoner.number, *weeks, *live])
        own = []
        for session_id, day, expiry in cursor.fetchall():
            own.append((session_id, _as_date(day)))
            hold_expiries.append(expiry)
        conflict_days: set[date] = set()
        if prisoner.non_associations:
            numbers = list(prisoner.non_associations)
            cursor.execute(
                sql.conflicts.format(numbers=", ".join(["%s"] * len(numbers))),
                [reserved, *window, *numbers, *live],
            )
            for day, expiry in cursor.fetchall():
                conflict_days.add(_as_date(day))
                hold_expiries.append(expiry)
    own_sessions = {session_id for session_id, _ in own}
    per_week: Counter[date] = Counter(day - timedelta(days=day.weekday()) for _, day in own)

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
    if key is not None:
        expiries = [moment for value in hold_expiries if (moment := _as_datetime(value)) is not None]
        lasts = (min(expiries) - now).total_seconds() if expiries else None
        _AVAILABILITY.set(key, (prisoner, results), seconds=lasts)
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
