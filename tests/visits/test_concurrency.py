"""No overbooking under any interleaving: threads and processes racing on PostgreSQL with real row locks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections
from django.db.models import Count, Q

from prisons.models import VisitSession
from tests.factories import MARY, details, make_prison, make_prisoner, make_session
from visits.errors import BookingError, SessionUnavailable
from visits.models import PLACE_TAKING_STATES, Visit, VisitState
from visits.services import Actor, ContactDetails, visit_book, visit_change, visit_reserve

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
DAY = date.today() + timedelta(days=7)
CONTACT = ContactDetails(email="a@example.com")


def run_in_threads(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Start ``count`` threads at once (behind a barrier); return each one's result or exception."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def target(n: int) -> None:
        try:
            barrier.wait()
            results[n] = work(n)
        except Exception as error:
            results[n] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread is still waiting: a deadlock was left hanging"
    return results


def assert_invariants() -> None:
    """Never more visits than capacity; never one prisoner twice in one session."""
    live = Q(visits__state__in=[s.value for s in PLACE_TAKING_STATES])
    for session in VisitSession.objects.annotate(
        open_taken=Count("visits", filter=live & Q(visits__closed=False)),
        closed_taken=Count("visits", filter=live & Q(visits__closed=True)),
    ):
        assert session.open_taken <= session.open_capacity, session
        assert session.closed_taken <= session.closed_capacity, session
    doubles = (
        Visit.objects.filter(state__in=PLACE_TAKING_STATES)
        .values("session_id", "prisoner_number")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not doubles.exists()


def book(session: VisitSession, number: str) -> Visit:
    visit = visit_reserve(session=session, prisoner=details(make_prisoner(number)), party=[MARY], closed=False)
    return visit_book(visit=visit, contact=CONTACT)


def test_threads_racing_for_the_last_places_never_overbook() -> None:
    session = make_session(make_prison(), DAY, open_capacity=5)
    results = run_in_threads(16, lambda n: book(session, f"T{n:04d}AA"))
    booked = [r for r in results if isinstance(r, Visit)]
    losers = [r for r in results if not isinstance(r, Visit)]
    assert len(booked) == 5
    assert all(isinstance(r, SessionUnavailable) and r.code == "full" for r in losers), losers
    assert losers[0].message == "Your visit time is no longer available. Select a new time."
    assert_invariants()


def test_one_prisoner_from_many_threads_gets_one_visit() -> None:
    session = make_session(make_prison(), DAY, open_capacity=20)
    results = run_in_threads(12, lambda n: book(session, "A1234BC"))
    assert sum(isinstance(r, Visit) for r in results) == 1
    assert {r.code for r in results if isinstance(r, BookingError)} == {"already_booked"}
    assert_invariants()


def test_holds_and_confirmations_interleaved() -> None:
    session = make_session(make_prison(), DAY, open_capacity=6)

    def hold_then_confirm(n: int) -> str:
        visit = visit_reserve(
            session=session, prisoner=details(make_prisoner(f"H{n:04d}AA")), party=[MARY], closed=False
        )
        if n % 3 == 0:
            return "held"  # walks away: the hold counts until it expires
        visit_book(visit=visit, contact=CONTACT)
        return "booked"

    results = run_in_threads(14, hold_then_confirm)
    outcomes = Counter(r if isinstance(r, str) else r.code for r in results)
    assert outcomes["held"] + outcomes["booked"] == 6 and outcomes["full"] == 8
    assert_invariants()


def test_changing_visits_into_each_others_sessions_never_deadlocks() -> None:
    prison = make_prison()
    sessions = [make_session(prison, DAY + timedelta(days=n), open_capacity=1) for n in range(4)]
    visits = [book(s, f"C{n:04d}AA") for n, s in enumerate(sessions)]
    visitor = Actor.visitor()

    def rotate(n: int) -> Visit:  # every visit tries to move into the next one's full session, and back
        target = sessions[(n + 1) % len(sessions)]
        return visit_change(visit=visits[n % len(visits)], session=target, actor=visitor)

    results = run_in_threads(8, rotate)
    assert all(isinstance(r, (Visit, BookingError)) for r in results), results
    assert_invariants()
    assert Visit.objects.filter(state=VisitState.BOOKED).count() == 4


def test_separate_processes_racing_never_overbook() -> None:
    session = make_session(make_prison(), DAY, open_capacity=7)
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings_test"}
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.visits.concurrency_worker", str(session.id), letter, "4"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for letter in "PQRS"
    ]
    outputs = [w.communicate(timeout=180) for w in workers]
    assert all(w.returncode == 0 for w in workers), [err for _, err in outputs]
    reports = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    assert sum(r["booked"] for r in reports) == 7
    assert {code for r in reports for code in r["errors"]} == {"full"}
    assert_invariants()
