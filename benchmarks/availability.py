"""The date picker's selector, ``sessions_available``, without history and with a year of national history.

One prisoner, one prison with two sessions a day, a 28-day window partly booked. Measured first on a database
with no past visits, then after loading BENCH_HISTORY_VISITS past visits (default 1,500,000: a year of national
volume) over two sessions a day at every prison for the past 365 days, plus a few hundred past visits of this
prisoner at this prison. The selector should not notice the history: the target is a ratio of at most 1.2.
"""

from __future__ import annotations

import io
import os
import sqlite3
import statistics
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from benchmarks import history
from prisons.models import Prison, VisitSession
from prisons.services import sessions_generate
from tests.factories import make_context, make_prisoner
from visits.models import Visit, VisitState
from visits.selectors import PrisonerContext, sessions_available

HISTORY_VISITS = int(os.environ.get("BENCH_HISTORY_VISITS", "1500000"))
PRISONER_HISTORY = int(os.environ.get("BENCH_PRISONER_HISTORY", "300"))
CALLS = int(os.environ.get("BENCH_CALLS", "200"))
ROUNDS = 10
QUERY_REPEAT = 50
TARGET_RATIO = 1.2
WINDOW_DAYS = 28
PRISON_SLUG = "rochester"  # any imported prison would do; its window is replaced by two sessions a day
PRISONER = "A1234BC"  # not in the history pool (whose numbers start with G)
NON_ASSOCIATIONS = (history.pool_number(1), history.pool_number(2))
BOOKED_PER_SESSION = 8


class Timing:
    def __init__(self, samples_ms: list[float], queries: list[str]) -> None:
        self.median = statistics.median(samples_ms)
        self.p95 = statistics.quantiles(samples_ms, n=20)[18]
        self.queries = queries


class Databases:
    """The bench database and a copy of it made before the history is loaded, to switch between.

    Timing one and then the other would let a burst of other work on the machine (a test run, a noisy
    neighbour) land on one side only; alternating short rounds between the two databases spreads it evenly.
    """

    def __init__(self) -> None:
        self.main = connection.settings_dict["NAME"]
        self.copy = f"{self.main}_nohistory" if connection.vendor == "postgresql" else f"{self.main}.nohistory"

    def use(self, name: str) -> None:
        if connection.settings_dict["NAME"] != name:
            connection.close()
            connection.settings_dict["NAME"] = name

    def make_copy(self) -> None:
        self.use(self.main)
        connection.close()
        if connection.vendor == "postgresql":
            with connection._nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(self.copy)}")
                cursor.execute(
                    f"CREATE DATABASE {connection.ops.quote_name(self.copy)} "
                    f"TEMPLATE {connection.ops.quote_name(self.main)}"
                )
        else:
            with sqlite3.connect(self.main) as source, sqlite3.connect(self.copy) as target:
                source.backup(target)
            source.close()
            target.close()

    def drop_copy(self) -> None:
        self.use(self.main)
        if connection.vendor == "postgresql":
            with connection._nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(self.copy)}")
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(self.copy + suffix).unlink(missing_ok=True)


def _window_prepare(today: date, now: datetime) -> tuple[Prison, date, date]:
    """Every prison's sessions for the window; the chosen prison's replaced by two a day, partly booked."""
    history.visits_delete()
    VisitSession.objects.all().delete()
    call_command("import_prisons", stdout=io.StringIO(), stderr=io.StringIO())
    sessions_generate(today=today)
    prison = Prison.objects.filter(slug=PRISON_SLUG).first() or Prison.objects.bookable_online().first()
    assert prison is not None, "import_prisons made no prisons"
    from_date, to_date = today + timedelta(days=1), today + timedelta(days=WINDOW_DAYS)
    VisitSession.objects.filter(prison=prison, date__gte=today).delete()
    sessions = VisitSession.objects.bulk_create(
        VisitSession(
            prison=prison,
            date=today + timedelta(days=offset),
            start_time=start,
            end_time=end,
            open_capacity=20,
            closed_capacity=2,
        )
        for offset in range(WINDOW_DAYS + 1)
        for start, end in ((clock(9, 30), clock(11)), (clock(14), clock(15, 45)))
    )
    # Other prisoners' visits in the window: some booked, a live hold and a lapsed hold in each session; and a
    # visit for each non-associated prisoner and two for this prisoner. The same with and without history.
    hold = now + timedelta(minutes=10)
    visits = []
    for i, session in enumerate(sessions):
        states = [VisitState.BOOKED] * BOOKED_PER_SESSION + [VisitState.RESERVED, VisitState.RESERVED]
        for k, state in enumerate(states):
            expiry = None if state == VisitState.BOOKED else (hold if k % 2 else now - timedelta(minutes=1))
            visits.append((session, history.pool_number(1000 + i * 20 + k), state, expiry, k == 0))
    for number, session in zip((*NON_ASSOCIATIONS, PRISONER, PRISONER), sessions[4::9], strict=False):
        visits.append((session, number, VisitState.BOOKED, None, False))
    Visit.objects.bulk_create(
        Visit(
            reference=f"w{n:010d}",
            prison=prison,
            session=session,
            closed=closed,
            state=state,
            hold_expires_at=expiry,
            prisoner_number=number,
            prisoner_first_name="Window",
            prisoner_last_name="Prisoner",
        )
        for n, (session, number, state, expiry, closed) in enumerate(visits)
    )
    return prison, from_date, to_date


def _measure_interleaved(call: Callable[[], object], databases: Databases) -> dict[str, Timing]:
    """Time ``call`` on each database in alternating rounds (ABBA...), after warming each side up."""
    sides = {"without": databases.copy, "with": databases.main}
    samples: dict[str, list[float]] = {side: [] for side in sides}
    queries: dict[str, list[str]] = {}
    for side, name in sides.items():
        databases.use(name)
        for _ in range(10):  # warm up: the connection, caches, the planner
            call()
        with CaptureQueriesContext(connection) as captured:
            call()
        queries[side] = [q["sql"] for q in captured.captured_queries]
    per_round = max(CALLS // ROUNDS, 1)
    for round_number in range(ROUNDS):
        order = list(sides.items()) if round_number % 2 == 0 else list(sides.items())[::-1]
        for side, name in order:
            databases.use(name)
            call()  # the first call after switching pays for the new connection
            for _ in range(per_round):
                start = time.perf_counter()
                call()
                samples[side].append((time.perf_counter() - start) * 1000)
    return {side: Timing(samples[side], queries[side]) for side in sides}


def _query_ms(sql: str) -> float:
    """The median time of one query run on its own, rows fetched."""
    samples = []
    with connection.cursor() as cursor:
        for _ in range(QUERY_REPEAT):
            start = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchall()
            samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def _explain(sql: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return "\n".join("    " + " ".join(str(c) for c in row) for row in cursor.fetchall())


def _describe(sql: str) -> str:
    """What a captured query of the selector is for, told from its SQL."""
    if "GROUP BY" in sql:
        return "places taken in each session of the window"
    if '"prisoner_number" = ' in sql:
        return "the prisoner's own visits, in the window's whole weeks"
    if '"prisoner_number" IN ' in sql:
        return "the non-associated prisoners' visits in the window"
    if '"visits_visit"' not in sql:
        return "the window's sessions"
    return " ".join(sql.split())[:80]


def main() -> None:
    today, now = timezone.localdate(), timezone.now()
    prison, from_date, to_date = _window_prepare(today, now)
    context: PrisonerContext = make_context(
        make_prisoner(PRISONER, code=prison.code), non_associations=NON_ASSOCIATIONS
    )

    def call() -> object:
        return sessions_available(
            prison=prison, prisoner=context, closed=False, from_date=from_date, to_date=to_date, now=now
        )

    shown = call()
    assert isinstance(shown, list)
    print(
        f"{prison.name}: {len(shown)} sessions from {from_date} to {to_date}, {Visit.objects.count()} visits in "
        f"the window; {CALLS} calls on each side, in {ROUNDS} alternating rounds"
    )
    history.analyze()
    databases = Databases()
    databases.make_copy()
    try:
        _compare(call, shown, databases, prison=prison, today=today, now=now)
    finally:
        databases.drop_copy()


def _compare(
    call: Callable[[], object], shown: object, databases: Databases, *, prison: Prison, today: date, now: datetime
) -> None:
    start = time.perf_counter()
    sessions = history.past_sessions_create(today=today)
    visits = history.past_visits_create(count=HISTORY_VISITS, today=today, now=now)
    own = history.prisoner_history_create(
        prison_id=prison.id, prisoner_number=PRISONER, count=PRISONER_HISTORY, today=today, now=now
    )
    loaded = time.perf_counter() - start
    history.analyze()
    analysed = time.perf_counter() - start - loaded
    print(
        f"history: {sessions} past sessions, {visits} past visits, {own} of them this prisoner's; "
        f"loaded in {loaded:.1f} s ({visits / loaded:,.0f} visits/s), analysed in {analysed:.1f} s"
    )
    assert call() == shown, "the history changed what the date picker shows"

    timings = _measure_interleaved(call, databases)
    without, with_history = timings["without"], timings["with"]
    print(f"{'':<24}{'median ms':>10}{'p95 ms':>9}{'queries':>9}")
    for label, timing in (("no history", without), (f"{visits + own:,} past visits", with_history)):
        print(f"{label:<24}{timing.median:>10.2f}{timing.p95:>9.2f}{len(timing.queries):>9}")
    ratio = with_history.median / without.median
    verdict = "ok" if ratio <= TARGET_RATIO else f"OVER the target of {TARGET_RATIO}"
    print(f"with history / without (median) = {ratio:.2f}: {verdict}")

    print("each query on its own, median ms without -> with history:")
    growth = []
    for i, sql in enumerate(with_history.queries):
        databases.use(databases.copy)
        before = _query_ms(sql)
        databases.use(databases.main)
        after = _query_ms(sql)
        print(f"  {i + 1}. {before:6.2f} -> {after:6.2f}  x{after / before:5.2f}  {_describe(sql)}")
        growth.append((after - before, i, sql))
    if ratio > TARGET_RATIO and growth:
        _, i, worst = max(growth)
        print(f"query {i + 1}, which grew most, with history:\n{_explain(worst)}")
