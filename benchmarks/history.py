"""A year of past sessions and visits, made in the database itself so that millions of rows load in seconds.

PostgreSQL gets ``INSERT ... SELECT ... FROM generate_series(...)``; SQLite a recursive CTE. Every row is derived
from its row number, so a run is repeatable: the visit reference (``h`` and ten digits: real references have
dashes, so they never collide), the prisoner (a pool of ``POOL_SIZE`` numbers such as ``G0042AA``), the state
(attended, cancelled, did not attend, booked but never marked, or a hold that expired) and open or closed.
Only visits are made: the selectors read no visitors, events or messages.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from django.db import DatabaseError, connection, transaction
from django.db.backends.utils import CursorWrapper

from prisons.models import Prison, VisitSession
from visits.models import Visit

POOL_SIZE = 80_000  # about the prison population of England and Wales
PAST_SESSION_TIMES = (("09:30:00", "11:00:00"), ("14:00:00", "15:45:00"))
BATCH = 250_000  # visits per statement: bounds the deferred foreign-key checks PostgreSQL queues per transaction

# The share of each state, by the row number modulo 20.
STATE_CASE = (
    "CASE WHEN {n} %% 20 < 14 THEN 'attended' WHEN {n} %% 20 < 17 THEN 'cancelled' "
    "WHEN {n} %% 20 = 17 THEN 'no_show' WHEN {n} %% 20 = 18 THEN 'booked' ELSE 'expired' END"
)
VISIT_COLUMNS = (
    "reference, prison_id, session_id, closed, state, hold_expires_at, prisoner_number, prisoner_first_name, "
    "prisoner_last_name, prisoner_date_of_birth, prisoner_location, contact_email, contact_phone, wants_email, "
    "wants_sms, language, support_needs, support_details, channel, booked_by_id, overbooked, rejection_reasons, "
    "created_at, updated_at, anonymised_at, nomis_sync_needed, nomis_visit_id, nomis_key, nomis_sync_attempts, "
    "nomis_sync_error"
)


def pool_number(p: int) -> str:
    """The prisoner number of pool member ``p``, as the SQL below spells it."""
    return f"G{p % 10_000:04d}{chr(65 + (p // 10_000) % 26)}{chr(65 + (p // 260_000) % 26)}"


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _padded(expr: str, width: int) -> str:
    if _postgres():
        return f"lpad(({expr})::text, {width}, '0')"
    return f"substr('{'0' * width}' || ({expr}), -{width})"


def _letter(expr: str) -> str:
    return f"chr(65 + ({expr}))" if _postgres() else f"char(65 + ({expr}))"


def _pool_number_sql(p: str) -> str:
    return (
        f"'G' || {_padded(f'{p} %% 10000', 4)} || {_letter(f'({p} / 10000) %% 26')} || "
        f"{_letter(f'({p} / 260000) %% 26')}"
    )


def _series(first: str, last: str) -> str:
    """A subquery of one column ``n`` from first to last (placeholders or numbers)."""
    if _postgres():
        return f"SELECT n FROM generate_series({first}, {last}) AS g(n)"
    return f"WITH RECURSIVE g(n) AS (SELECT {first} UNION ALL SELECT n + 1 FROM g WHERE n < {last}) SELECT n FROM g"


def past_sessions_create(*, today: date, days: int = 365) -> int:
    """Two sessions a day at every prison for the ``days`` before today (no timetable: they are history), made
    in date order so that their ids are too."""
    times = " UNION ALL ".join(
        f"SELECT {_cast_time(start)} AS start_time, {_cast_time(end)} AS end_time" for start, end in PAST_SESSION_TIMES
    )
    day = "%s::date - d.n" if _postgres() else "date(%s, '-' || d.n || ' days')"
    empty, false = ("'[]'", "false") if _postgres() else ("'[]'", "0")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {VisitSession._meta.db_table} (prison_id, date, start_time, end_time, template_id, "
            "open_capacity, closed_capacity, locations, incentive_levels, categories, blocked, removed, needs_review) "
            f"SELECT p.id, {day}, t.start_time, t.end_time, NULL, 20, 2, {empty}, {empty}, {empty}, "
            f"{false}, {false}, {false} "
            f"FROM {Prison._meta.db_table} AS p CROSS JOIN ({_series('1', '%s')}) AS d CROSS JOIN ({times}) AS t "
            "ORDER BY d.n DESC, t.start_time, p.id",
            [_date(today), days],
        )
        return cursor.rowcount


def _cast_time(value: str) -> str:
    return f"time '{value}'" if _postgres() else f"'{value}'"


def _date(value: date) -> object:
    return connection.ops.adapt_datefield_value(value)


def _datetime(value: datetime) -> object:
    return connection.ops.adapt_datetimefield_value(value)


def _insert_visits(
    cursor: CursorWrapper,
    *,
    source: str,
    params: list[object],
    prefix: str,
    prisoner: str,
    prisoner_params: tuple[object, ...] = (),
    now: datetime,
    state: str = "",
    hold_state: str = "expired",
    hold_expires_at: datetime | None = None,
    closed: str = "src.n %% 23 = 0",
) -> int:
    """Insert one visit per row of ``source`` (columns n, prison_id, session_id), numbered by n. ``state`` is an SQL
    expression of ``src.n`` (default: the history's mix, STATE_CASE); visits in ``hold_state`` get
    ``hold_expires_at`` (default: now)."""
    state = state or STATE_CASE.format(n="src.n")
    true, false, empty = ("true", "false", "'[]'") if _postgres() else ("1", "0", "'[]'")
    stamp = _datetime(now)
    expiry = _datetime(hold_expires_at or now)
    cursor.execute(
        f"INSERT INTO {Visit._meta.db_table} ({VISIT_COLUMNS}) "
        f"SELECT '{prefix}' || {_padded('src.n', 10)}, src.prison_id, src.session_id, {closed}, {state}, "
        f"CASE WHEN {state} = '{hold_state}' THEN %s END, {prisoner}, 'Past', 'Prisoner', NULL, '', '', '', "
        f"{true}, {false}, 'en', {empty}, '', 'online', NULL, {false}, {empty}, %s, %s, NULL, {false}, '', '', 0, '' "
        f"FROM ({source}) AS src",
        [expiry, *prisoner_params, stamp, stamp, *params],
    )
    return cursor.rowcount


def past_visits_create(*, count: int, today: date, now: datetime) -> int:
    """``count`` visits spread evenly over every past session, oldest first, its prisoners from the pool.

    Visit n goes to past session n * S // count (sessions in id order, which is date order), so each session's
    visits are consecutive rows, as they would be for visits booked over time, and the session indexes grow at
    their end. Its prisoner is pool member n mod POOL_SIZE: the visits of one session are fewer than the pool, so
    no prisoner has two in one session (which the database's constraint forbids for booked visits).
    """
    with connection.cursor() as cursor, _foreign_key_checks_off(cursor):
        cursor.execute("DROP TABLE IF EXISTS bench_past_session")
        cursor.execute(
            "CREATE TEMP TABLE bench_past_session AS SELECT row_number() OVER (ORDER BY id) - 1 AS rn, id, "
            f"prison_id FROM {VisitSession._meta.db_table} WHERE date < %s",
            [_date(today)],
        )
        cursor.execute("CREATE UNIQUE INDEX bench_past_session_rn ON bench_past_session (rn)")
        cursor.execute("SELECT count(*) FROM bench_past_session")
        sessions = cursor.fetchone()[0]
        if not sessions:
            raise RuntimeError("No past sessions: run past_sessions_create first")
        if -(-count // sessions) >= POOL_SIZE:
            raise ValueError(f"{count} visits over {sessions} sessions: more in a session than prisoners in the pool")
        if _postgres():
            cursor.execute("ANALYZE bench_past_session")
        created = 0
        for first in range(0, count, BATCH):
            last = min(first + BATCH, count) - 1
            source = (
                f"SELECT g.n AS n, s.prison_id AS prison_id, s.id AS session_id FROM ({_series('%s', '%s')}) AS g "
                f"JOIN bench_past_session AS s ON s.rn = CAST(g.n AS bigint) * {sessions} / {count}"
            )
            created += _insert_visits(
                cursor,
                source=source,
                params=[first, last],
                prefix="h",
                prisoner=_pool_number_sql(f"(src.n %% {POOL_SIZE})"),
                now=now,
            )
        cursor.execute("DROP TABLE bench_past_session")
    return created


@contextmanager
def _foreign_key_checks_off(cursor: CursorWrapper) -> Iterator[None]:
    """On PostgreSQL, skip the per-row foreign-key triggers while loading, where the role may (a superuser, as
    in `make bench`): they more than double the load time, and every row's prison and session come from a join
    with those tables, so there is nothing for them to find. Elsewhere, or without the right, a no-op."""
    if not _postgres():
        yield
        return
    try:
        with transaction.atomic():
            cursor.execute("SET session_replication_role = replica")
    except DatabaseError:
        yield
        return
    try:
        yield
    finally:
        cursor.execute("RESET session_replication_role")


def prisoner_history_create(*, prison_id: int, prisoner_number: str, count: int, today: date, now: datetime) -> int:
    """One prisoner's past visits at one prison, one in each of its latest ``count`` past sessions."""
    number = "row_number() OVER (ORDER BY date DESC, start_time)"
    source = (
        f"SELECT n, prison_id, session_id FROM (SELECT {number} AS n, prison_id, id AS session_id "
        f"FROM {VisitSession._meta.db_table} WHERE prison_id = %s AND date < %s) AS numbered WHERE n <= %s"
    )
    with connection.cursor() as cursor:
        return _insert_visits(
            cursor,
            source=source,
            params=[prison_id, _date(today), count],
            prefix="p",
            prisoner="%s",
            prisoner_params=(prisoner_number,),
            now=now,
        )


def future_visits_create(
    *,
    today: date,
    now: datetime,
    booked_percent: int = 40,
    hold_every: int = 12,
    hold_minutes: int = 120,
    exclude_prison_ids: tuple[int, ...] = (),
) -> int:
    """The bookings already made in the window: in every session from today on (but at the excluded prisons),
    ``booked_percent`` of its open places, give or take one, taken by booked open visits, and every
    ``hold_every``-th of those visits a live hold instead (a visitor choosing a time now), expiring ``hold_minutes``
    from ``now``. Their prisoners (``F`` and six digits) are nobody else's, one visit each."""
    excluded = ", ".join(str(int(pk)) for pk in exclude_prison_ids) or "0"
    taken = f"s.open_capacity * {int(booked_percent)} / 100 + s.id %% 3 - 1"
    number = "row_number() OVER (ORDER BY s.id, k.n)"
    source = (
        f"SELECT {number} AS n, s.prison_id AS prison_id, s.id AS session_id "
        f"FROM {VisitSession._meta.db_table} AS s JOIN ({_series('1', '200')}) AS k ON k.n <= {taken} "
        f"WHERE s.date >= %s AND s.prison_id NOT IN ({excluded}) AND NOT s.blocked AND NOT s.removed"
    )
    state = f"CASE WHEN src.n %% {int(hold_every)} = 0 THEN 'reserved' ELSE 'booked' END"
    with connection.cursor() as cursor, _foreign_key_checks_off(cursor):
        return _insert_visits(
            cursor,
            source=source,
            params=[_date(today)],
            prefix="f",
            prisoner=f"'F' || {_padded('src.n', 6)}",
            now=now,
            state=state,
            hold_state="reserved",
            hold_expires_at=now + timedelta(minutes=hold_minutes),
            closed="1 = 0",
        )


def analyze() -> None:
    """Bring the planner's statistics (and PostgreSQL's visibility map) up to date, as autovacuum would."""
    tables = f"{VisitSession._meta.db_table}, {Visit._meta.db_table}"
    with connection.cursor() as cursor:
        if _postgres():
            cursor.execute(f"VACUUM (ANALYZE) {tables}")
        else:
            cursor.execute("ANALYZE")


def visits_delete() -> None:
    """Empty every visit table (quickly, whatever their size) so that a benchmark starts from no visits."""
    from visits.models import OutboxMessage, VisitEvent, VisitFlag, Visitor, VisitPreference

    tables = [m._meta.db_table for m in (OutboxMessage, VisitEvent, VisitFlag, Visitor, VisitPreference, Visit)]
    with connection.cursor() as cursor:
        if _postgres():
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
