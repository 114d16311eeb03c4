"""Bookings a second through the booking service (``visit_reserve`` then ``visit_book``), from worker threads.

Spread over many sessions, the day locks of different bookings rarely meet; all on one session, every booking
waits for the one before it to commit. PostgreSQL only: SQLite serialises every writer anyway.
"""

from __future__ import annotations

import io
import itertools
import os
import threading
import time
import traceback
from dataclasses import dataclass, field
from datetime import time as clock
from datetime import timedelta

from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from prisons.models import Prison, VisitSession
from tests.factories import MARY, TOM
from visits.errors import SessionUnavailable
from visits.models import Visit, VisitState
from visits.services import ContactDetails, PrisonerDetails, visit_book, visit_reserve

THREADS = int(os.environ.get("BENCH_THREADS", "4"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
SPREAD_SESSIONS = 500
CAPACITY = 30_000  # room for every booking of a run (a PositiveSmallIntegerField: at most 32,767 on PostgreSQL)
START, END = clock(19, 5), clock(20, 35)  # a time no timetable uses, so these sessions are the benchmark's own
CONTACT = ContactDetails(email="visitor@example.com")


@dataclass
class Outcome:
    booked: int = 0
    refused: int = 0
    errors: list[str] = field(default_factory=list)
    finished_at: float = 0.0


def _sessions_create(count: int) -> list[VisitSession]:
    """``count`` sessions, each on a different prison and day of the coming month, with room for everyone."""
    today = timezone.localdate()
    prisons = list(Prison.objects.order_by("id").values_list("id", flat=True))
    taken = set(VisitSession.objects.filter(start_time=START).values_list("prison_id", "date"))
    pairs = (
        (prison_id, today + timedelta(days=offset))
        for offset in range(1, 29)
        for prison_id in prisons
        if (prison_id, today + timedelta(days=offset)) not in taken
    )
    return VisitSession.objects.bulk_create(
        VisitSession(
            prison_id=prison_id,
            date=day,
            start_time=START,
            end_time=END,
            open_capacity=CAPACITY,
            closed_capacity=CAPACITY,
        )
        for prison_id, day in itertools.islice(pairs, count)
    )


def _prisoner(n: int) -> PrisonerDetails:
    """A different prisoner for every booking of the run: B0000AA, B0001AA, ..."""
    number = f"B{n % 10_000:04d}{chr(65 + (n // 10_000) % 26)}{chr(65 + (n // 260_000) % 26)}"
    return PrisonerDetails(number, "Bench", "Prisoner")


def _book(session: VisitSession, n: int) -> None:
    visit = visit_reserve(session=session, prisoner=_prisoner(n), party=[MARY, TOM], closed=False)
    visit_book(visit=visit, contact=CONTACT)


def _run(label: str, sessions: list[VisitSession], numbers: itertools.count[int]) -> float:
    """Book from THREADS threads for SECONDS; return bookings a second."""
    outcomes = [Outcome() for _ in range(THREADS)]
    started: list[float] = []
    barrier = threading.Barrier(THREADS, action=lambda: started.append(time.perf_counter()))

    def work(outcome: Outcome) -> None:
        try:
            _book(sessions[next(numbers) % len(sessions)], next(numbers))  # warm up: the connection
            barrier.wait()
            deadline = started[0] + SECONDS
            while time.perf_counter() < deadline:
                n = next(numbers)
                try:
                    _book(sessions[n % len(sessions)], n)
                    outcome.booked += 1
                except SessionUnavailable:
                    outcome.refused += 1
        except Exception:
            outcome.errors.append(traceback.format_exc(limit=3))
            barrier.abort()
        finally:
            outcome.finished_at = time.perf_counter()
            connections.close_all()  # this thread's connection

    threads = [threading.Thread(target=work, args=(outcome,)) for outcome in outcomes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    errors = [error for outcome in outcomes for error in outcome.errors]
    if errors or not started:
        print(f"{label}: failed\n{errors[0] if errors else 'the threads never started'}")
        return 0.0
    elapsed = max(outcome.finished_at for outcome in outcomes) - started[0]
    booked = sum(outcome.booked for outcome in outcomes)
    refused = sum(outcome.refused for outcome in outcomes)
    in_sessions = Visit.objects.filter(session__in=sessions, state=VisitState.BOOKED).count()
    assert in_sessions == booked + THREADS, f"{in_sessions} booked visits for {booked} bookings and {THREADS} warm-ups"
    rate = booked / elapsed
    print(f"{label:<34}{booked:>9}{refused:>9}{elapsed:>10.2f}{rate:>12.1f}")
    return rate


def main() -> None:
    if connection.vendor != "postgresql":
        print(
            "skipped: this benchmark needs PostgreSQL (set BENCH_DATABASE_URL, or run `make bench` with PostgreSQL "
            "answering on 127.0.0.1:5432)"
        )
        return
    if not Prison.objects.exists():
        call_command("import_prisons", stdout=io.StringIO(), stderr=io.StringIO())
    spread = _sessions_create(SPREAD_SESSIONS)
    (one,) = _sessions_create(1)
    print(
        f"{THREADS} threads for {SECONDS:g} s each, reserve then book; {Visit.objects.count():,} visits already in "
        f"the database"
    )
    print(f"{'':<34}{'booked':>9}{'refused':>9}{'seconds':>10}{'bookings/s':>12}")
    numbers = itertools.count()
    spread_rate = _run(f"spread over {len(spread)} sessions", spread, numbers)
    one_rate = _run("all on one session", [one], numbers)
    if spread_rate and one_rate:
        print(f"one session / spread = {one_rate / spread_rate:.2f}")
