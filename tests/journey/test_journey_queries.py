"""Each page of the journey asks the database a fixed number of questions, however many visits there are.

Every page is measured twice, warm (a first GET has done Django's lazy look-ups; the prisoner's NOMIS facts are in
the cache from the prisoner step): with only the journey's own visit, then after 300 more visits spread over the
window's sessions (some for the same prisoner, one session full, every state, each with its visitors and a
request's preferences). The two counts must be equal, and under a ceiling a little above what was measured, so
that a new query shows up here. Sessions live in the cache: no page reads or writes a session row.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from prisons.models import Prison, VisitSession
from tests.journey.journey_support import (
    PRISONER,
    TODAY,
    book_visit,
    frozen_at_nine,
    journey_to,
    manage_path,
    nine_am,
    seed_rochester,
)
from visits.models import Visit, Visitor, VisitPreference, VisitState
from visits.services import REFERENCE_ALPHABET

pytestmark = pytest.mark.django_db

MANY = 300


@pytest.fixture(autouse=True)
def rochester(tmp_path, prison_data_dir):  # type: ignore[no-untyped-def]
    seed_rochester(tmp_path, prison_data_dir)
    with frozen_at_nine():
        yield


def _reference(number: int) -> str:
    letters = ""
    for _ in range(8):
        number, digit = divmod(number, len(REFERENCE_ALPHABET))
        letters += REFERENCE_ALPHABET[digit]
    return "-".join(letters[i : i + 2] for i in range(0, 8, 2))


def add_many_visits(count: int = MANY) -> None:
    """``count`` visits to Rochester: one session full, ten booked for the journey's own prisoner, the rest spread
    over the window's sessions in every state, each with two visitors, each request with a second preference."""
    prison = Prison.objects.get(slug="rochester")
    first, last = prison.bookable_window(TODAY)
    sessions = list(
        VisitSession.objects.filter(prison=prison, date__range=(first, last)).order_by("date", "start_time")
    )
    own_sessions = set(
        Visit.objects.filter(
            prisoner_number=PRISONER["number"], state__in=["reserved", "booked", "requested"]
        ).values_list("session_id", flat=True)
    )
    full, spread = sessions[-1], sessions[:-1]
    free_for_own = [s for s in spread if s.id not in own_sessions][-10:]
    states = itertools.cycle(
        [VisitState.BOOKED] * 4 + [VisitState.REQUESTED, VisitState.RESERVED, VisitState.CANCELLED, VisitState.EXPIRED]
    )
    plan: list[tuple[VisitSession, str, str]] = []
    plan += [(full, f"F{i:04d}FF", VisitState.BOOKED) for i in range(full.open_capacity)]
    plan += [(session, PRISONER["number"], VisitState.BOOKED) for session in free_for_own]
    sessions_cycle = itertools.cycle(spread)
    plan += [(next(sessions_cycle), f"B{i:04d}BB", next(states)) for i in range(count - len(plan))]
    visits = Visit.objects.bulk_create(
        Visit(
            reference=_reference(10_000 + i),
            prison=prison,
            session=session,
            state=state,
            hold_expires_at=nine_am() + timedelta(minutes=5) if state == VisitState.RESERVED else None,
            prisoner_number=number,
            prisoner_first_name="Some",
            prisoner_last_name="Prisoner",
            contact_email=f"visitor{i}@example.com",
        )
        for i, (session, number, state) in enumerate(plan)
    )
    visits = list(Visit.objects.filter(reference__in=[v.reference for v in visits]))  # ids on every database
    Visitor.objects.bulk_create(
        Visitor(visit=visit, position=position, first_name=name, last_name="Visitor")
        for visit in visits
        for position, name in enumerate(("Lead", "Child"))
    )
    VisitPreference.objects.bulk_create(
        VisitPreference(visit=visit, rank=rank, session=session)
        for visit in visits
        if visit.state == VisitState.REQUESTED
        for rank, session in ((1, visit.session), (2, sessions[0]))
    )
    assert len(visits) == count


# --- The pages and how to reach each -------------------------------------------------------------------------------


def _journey(step: str, path: str, *, request: bool = False) -> Callable[[Client], str]:
    def reach(client: Client) -> str:
        journey_to(client, step, request=request)
        return path

    return reach


def _confirmation(client: Client) -> str:
    book_visit(client)
    return "/confirmation"


def _manage(suffix: str) -> Callable[[Client], str]:
    def reach(client: Client) -> str:
        return manage_path(book_visit(Client()), suffix)

    return reach


# page: (how to reach it, the most queries the page itself may ask, the session's apart: what it asks, warm, on
# SQLite and PostgreSQL alike)
PAGES: dict[str, tuple[Callable[[Client], str], int]] = {
    "start": (_journey("start", "/"), 0),
    "prison": (_journey("prison", "/prison"), 1),
    "prisoner": (_journey("prisoner", "/prisoner"), 1),
    "visitor": (_journey("visitor-add", "/visitors/add"), 1),
    "visitors": (_journey("visitors", "/visitors"), 1),
    "support": (_journey("support", "/support"), 1),
    "choose-time": (_journey("choose-time", "/choose-time"), 4),
    "choose-time with a hold": (_journey("contact", "/choose-time?change=1"), 5),
    "another-time": (_journey("another-time", "/another-time", request=True), 1),
    "second choice": (_journey("another-time", "/choose-time/2", request=True), 5),
    "contact": (_journey("contact", "/contact"), 2),
    "check": (_journey("check", "/check"), 2),
    "check, a request": (_journey("check", "/check", request=True), 2),
    "confirmation": (_confirmation, 3),
    "manage link": (_manage(""), 2),
    "change-time": (_manage("/change"), 4),
}


@dataclass(frozen=True)
class Counted:
    page: list[str]  # the page's own queries
    session: list[str]  # Django's session: its load, and its save when the session changed or is saved every time

    def __str__(self) -> str:
        return "\n".join(["page:", *self.page, "session:", *self.session])


def count_queries(client: Client, path: str) -> Counted:
    """The queries of one GET. Savepoints are left out: they come from the test's own transaction, not the page."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code, response.get("Location"))
    sqls = [q["sql"] for q in captured.captured_queries]
    sqls = [sql for sql in sqls if not re.match(r"(RELEASE |ROLLBACK TO )?SAVEPOINT ", sql)]
    session = [sql for sql in sqls if '"django_session"' in sql]
    return Counted([sql for sql in sqls if sql not in session], session)


@pytest.mark.parametrize("page", list(PAGES))
def test_a_page_asks_the_same_few_queries_however_many_visits(client: Client, page: str) -> None:
    reach, ceiling = PAGES[page]
    path = reach(client)
    client.get(path)  # warm: the prisoner's NOMIS facts cached, Django's lazy look-ups done
    few = count_queries(client, path)
    add_many_visits()
    many = count_queries(client, path)
    print(f"\n{page}: {len(few.page)} page queries, {len(few.session)} session")
    assert len(many.page) == len(few.page), f"with no other visits:\n{few}\n\nwith {MANY}:\n{many}"
    assert len(many.page) <= ceiling, f"{len(many.page)} queries, more than {ceiling}:\n{many}"
    assert many.session == [], f"the session is in the cache, not the database:\n{many}"
