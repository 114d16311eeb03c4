"""The waiting list under concurrency, on PostgreSQL with real row locks: places freed at once in separate OS
processes are each offered once, to the first people to join, and every offer can be booked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories import MARY, details, make_prison, make_prisoner, make_session
from tests.visits.test_concurrency import assert_invariants
from visits.models import Visit, VisitState, WaitingListEntry, WaitingState
from visits.services import ContactDetails, visit_book, visit_reserve
from waiting_list.services import offered_hold, waiting_list_join

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
DAY = timezone.localdate() + timedelta(days=7)


def test_five_places_freed_at_once_in_four_processes_make_five_offers_all_honoured() -> None:
    session = make_session(make_prison(), DAY, open_capacity=12)
    booked = []
    for n in range(12):
        hold = visit_reserve(
            session=session, prisoner=details(make_prisoner(f"B{n:04d}AA")), party=[MARY], closed=False
        )
        booked.append(visit_book(visit=hold, contact=ContactDetails(email=f"b{n}@example.com")))
    waiting = [
        waiting_list_join(
            session=session,
            closed=False,
            prisoner=details(make_prisoner(f"W{n:04d}AA")),
            party=[MARY],
            contact=ContactDetails(email=f"w{n}@example.com"),
        )
        for n in range(20)
    ]
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings_test"}
    batches = [[booked[0].id, booked[1].id], [booked[2].id], [booked[3].id], [booked[4].id]]  # 5 places, 4 processes
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.waiting_list.waiting_worker", *map(str, batch)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for batch in batches
    ]
    outputs = [w.communicate("go\n", timeout=180) for w in workers]
    assert all(w.returncode == 0 for w in workers), [err[-2000:] for _, err in outputs]
    assert sum(json.loads(out.strip().splitlines()[-1])["cancelled"] for out, _ in outputs) == 5

    entries = list(WaitingListEntry.objects.filter(pk__in=[e.pk for e in waiting]).order_by("joined_at", "id"))
    # Five offers, to the first five to join, each its own hold; the other fifteen still waiting.
    assert [e.state for e in entries] == [WaitingState.OFFERED] * 5 + [WaitingState.WAITING] * 15
    holds = [offered_hold(e) for e in entries[:5]]
    assert all(h is not None for h in holds) and len({h.pk for h in holds}) == 5  # type: ignore[union-attr]
    assert Visit.objects.filter(session=session, state=VisitState.RESERVED).count() == 5
    assert_invariants()
    # All honoured: each person offered a place books it, and the session is exactly full.
    for entry, hold in zip(entries[:5], holds, strict=True):
        visit_book(visit=hold, contact=ContactDetails(email=entry.contact_email))  # type: ignore[arg-type]
    assert Visit.objects.filter(session=session, state=VisitState.BOOKED).count() == 12
    assert_invariants()
