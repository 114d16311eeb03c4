"""Shared reads: the public journey reuses what every visitor to a prison reads alike (its row, its sessions, the
places taken and whose visits take them) for a few seconds (SHARED_READS_SECONDS), so the visitors looking at once
ask the database once. A time shown free that has gone meanwhile (full, or taken by the same prisoner's visit) is
never booked: choosing it shows the times as they are now, and those are what the next visitors see. A remand
prisoner's visits over the window's whole weeks come with the window too; the hold counts their week afresh."""

from __future__ import annotations

import pickle
from datetime import date, timedelta

import pytest
import time_machine
from django.core.cache import cache, caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from common.read_ahead import cache_get, forget_read_ahead, read_ahead
from prisons.models import Prison, VisitSession
from tests.factories import book_for, make_prisoner
from tests.journey.journey_support import (
    PRISONER,
    add_visitor,
    dob,
    expect_redirect,
    first_radio_value,
    journey_to,
    prisoner_data,
)
from visits.models import Visit, VisitState
from visits.selectors import WindowSession

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rochester_at_nine")]
GONE = "Your visit time is no longer available. Select a new time."


@pytest.fixture(autouse=True)
def _shared_reads(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SHARED_READS_SECONDS = 5


def at_the_picker() -> tuple[Client, str]:
    client = Client()
    journey_to(client, "choose-time")
    return client, client.get("/choose-time").content.decode()


def test_a_second_visitor_reads_the_prison_and_its_places_from_the_cache() -> None:
    at_the_picker()  # the first visitor's view reads them and keeps them
    second = Client()
    journey_to(second, "choose-time")
    with CaptureQueriesContext(connection) as queries:
        assert second.get("/choose-time").status_code == 200
    # the prison, the sessions, the places taken and the prisoner's own visits among them: all from the shared read
    assert queries.captured_queries == []


def test_a_visit_made_meanwhile_for_the_same_prisoner_is_never_held_twice() -> None:
    client, page = at_the_picker()
    session_id = int(first_radio_value(page))
    book_for(VisitSession.objects.get(pk=session_id), make_prisoner(PRISONER["number"]))  # by another visitor, since
    assert f'value="{session_id}"' in client.get("/choose-time").content.decode()  # still shown: kept
    response = client.post("/choose-time", {"session": session_id})
    assert response.status_code == 400
    again = response.content.decode()
    assert GONE in again and f'value="{session_id}"' not in again and "Already booked" in again
    assert Visit.objects.filter(session_id=session_id, prisoner_number=PRISONER["number"]).count() == 1
    _, next_visitor = at_the_picker()
    assert f'value="{session_id}"' not in next_visitor  # the next visitor for him sees it as his already


def test_the_prisoners_own_visits_kept_lapse_after_a_few_seconds() -> None:
    client, page = at_the_picker()
    session_id = int(first_radio_value(page))
    book_for(VisitSession.objects.get(pk=session_id), make_prisoner(PRISONER["number"]))
    with time_machine.travel(timezone.now() + timedelta(seconds=6), tick=False):
        later = client.get("/choose-time").content.decode()
    assert f'value="{session_id}"' not in later and "Already booked" in later


def test_another_prisoners_visit_is_not_shown_as_this_prisoners_own() -> None:
    client, page = at_the_picker()
    session_id = int(first_radio_value(page))
    book_for(VisitSession.objects.get(pk=session_id), make_prisoner("B7777BB"))
    with time_machine.travel(timezone.now() + timedelta(seconds=6), tick=False):
        later = client.get("/choose-time").content.decode()
    assert f'value="{session_id}"' in later and "Already booked" not in later


def test_a_remand_prisoners_weekly_limit_is_read_with_the_window_and_checked_afresh_at_the_hold() -> None:
    remand = Client()
    expect_redirect(remand.post("/prison", {"prison": "rochester"}), "/prisoner")
    born = {"date_of_birth-day": "29", "date_of_birth-month": "3", "date_of_birth-year": "2001"}
    expect_redirect(
        remand.post("/prisoner", {"first_name": "Jamie", "last_name": "Turner", "number": "A1009AA", **born}),
        "/visitors",
    )
    add_visitor(remand, "Lauren", "Turner", date(2002, 11, 11))
    expect_redirect(remand.post("/visitors", {"add_another": "no"}), "/support")
    expect_redirect(remand.post("/support", {"needs": [], "details": ""}), "/choose-time")
    first = remand.get("/choose-time").content.decode()  # reads the prison's window and keeps it
    assert "Weekly visit limit reached" not in first
    session = VisitSession.objects.get(pk=int(first_radio_value(first)))
    same_week = VisitSession.objects.filter(
        prison=session.prison,
        removed=False,
        date__range=(session.date - timedelta(days=session.date.weekday()), session.date + timedelta(days=6)),
    ).exclude(pk=session.pk)
    for other in list(same_week.order_by("date", "start_time"))[:3]:  # the cap is 3 a week
        book_for(other, make_prisoner("A1009AA"))
    with CaptureQueriesContext(connection) as queries:
        page = remand.get("/choose-time").content.decode()  # within the few seconds the window is kept
    assert queries.captured_queries == []  # his own visits come with the window
    assert f'value="{session.pk}"' in page  # so the week filled meanwhile is not shown yet
    response = remand.post("/choose-time", {"session": session.pk})
    assert response.status_code == 400  # but the hold counts his week afresh
    again = response.content.decode()
    assert GONE in again and "Weekly visit limit reached" in again and f'value="{session.pk}"' not in again
    assert not Visit.objects.filter(session=session, prisoner_number="A1009AA").exists()


def test_a_prison_taken_offline_stops_the_journey_once_its_row_lapses() -> None:
    client, _ = at_the_picker()
    Prison.objects.filter(slug="rochester").update(enabled=False)
    assert client.get("/choose-time").status_code == 200  # kept for a few seconds
    with time_machine.travel(timezone.now() + timedelta(seconds=6), tick=False):
        response = client.get("/choose-time")
    assert response.status_code == 302 and response["Location"] == "/prison"


def test_a_time_shown_free_but_gone_is_not_held_and_the_times_are_read_again() -> None:
    client, page = at_the_picker()
    session_id = int(first_radio_value(page))
    VisitSession.objects.filter(pk=session_id).update(open_capacity=0)  # filled since, by others
    assert f'value="{session_id}"' in client.get("/choose-time").content.decode()  # still shown: kept
    response = client.post("/choose-time", {"session": session_id})
    assert response.status_code == 400
    again = response.content.decode()
    assert GONE in again and f'value="{session_id}"' not in again  # the times as they are now
    assert not Visit.objects.filter(session_id=session_id, state=VisitState.RESERVED).exists()
    _, next_visitor = at_the_picker()
    assert f'value="{session_id}"' not in next_visitor  # and the next visitor sees them so


def test_the_places_kept_lapse_after_a_few_seconds() -> None:
    client, page = at_the_picker()
    session_id = int(first_radio_value(page))
    VisitSession.objects.filter(pk=session_id).update(open_capacity=0)
    with time_machine.travel(timezone.now() + timedelta(seconds=6), tick=False):
        assert f'value="{session_id}"' not in client.get("/choose-time").content.decode()


def test_a_time_steps_shared_reads_are_one_round_trip_to_the_cache(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    at_the_picker()  # the first visitor's view reads them and keeps them
    second = Client()
    journey_to(second, "choose-time")
    backend = caches["default"]
    reads: list[tuple[str, list[str]]] = []
    get, get_many = backend.get, backend.get_many
    inside: list[bool] = []  # the local-memory cache's get_many calls its get: those are not round trips

    def recorded_get(key, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not inside:
            reads.append(("get", [key]))
        return get(key, *args, **kwargs)

    def recorded_get_many(keys, *args, **kwargs):  # type: ignore[no-untyped-def]
        reads.append(("get_many", list(keys)))
        inside.append(True)
        try:
            return get_many(keys, *args, **kwargs)
        finally:
            inside.pop()

    monkeypatch.setattr(backend, "get", recorded_get)
    monkeypatch.setattr(backend, "get_many", recorded_get_many)
    assert second.get("/choose-time").status_code == 200
    shared = [(how, keys) for how, keys in reads if not keys[0].startswith("django.contrib.sessions")]
    today = timezone.localdate().isoformat()
    assert shared == [
        (
            "get_many",
            [
                "booking-pauses",
                "bookable-prison:rochester",
                "window-version:rochester",
                f"shared-window:3:rochester:{today}",
                "nomis-facts:A1001AA",
            ],
        )
    ]


def test_the_window_kept_holds_no_model_instance() -> None:
    at_the_picker()
    window = cache.get(f"shared-window:3:rochester:{timezone.localdate().isoformat()}")
    assert window.sessions and all(isinstance(s, WindowSession) for s in window.sessions)
    # read back on every first view: plain values unpickle in half the time of model instances (docs/benchmarks.md)
    assert b"django.db.models" not in pickle.dumps(window)


def test_a_value_read_ahead_is_answered_once() -> None:
    cache.set("read-ahead-test", "before")
    read_ahead(["read-ahead-test", "read-ahead-missing"])
    cache.set("read-ahead-test", "after")  # written during the request, after it was read ahead
    try:
        assert cache_get("read-ahead-test") == "before"
        assert cache_get("read-ahead-test") == "after"  # a second read asks the cache
        assert cache_get("read-ahead-missing") is None
    finally:
        forget_read_ahead()
    assert cache_get("read-ahead-test") == "after"


def test_a_hold_shows_in_the_next_picker_at_once(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    """Issue 26, item 10: another visitor's hold (or booking, or cancellation) is in the very next picker at that
    prison, not a few seconds later: the change raises the prison's window version when it commits."""
    _, page = at_the_picker()
    session_id = int(first_radio_value(page))
    VisitSession.objects.filter(pk=session_id).update(open_capacity=1)
    other, before = at_the_picker()  # within the few seconds: the window read then is kept...
    assert f'value="{session_id}"' in before
    holder = Client()  # another family, for another prisoner
    expect_redirect(holder.post("/prison", {"prison": "rochester"}), "/prisoner")
    kevin = prisoner_data(
        first_name="Kevin", last_name="Price", number="A1005AA", **dob("date_of_birth", date(1983, 9, 17))
    )
    expect_redirect(holder.post("/prisoner", kevin), "/visitors")
    add_visitor(holder, "Donna", "Price", date(1985, 4, 1))
    expect_redirect(holder.post("/visitors", {"add_another": "no"}), "/support")
    expect_redirect(holder.post("/support", {"needs": [], "details": ""}), "/choose-time")
    with django_capture_on_commit_callbacks(execute=True):
        expect_redirect(holder.post("/choose-time", {"session": session_id}), "/contact")
    after = other.get("/choose-time").content.decode()  # ...but not past the hold
    assert f'value="{session_id}"' not in after and "Fully booked" in after
    with django_capture_on_commit_callbacks(execute=True):
        holder.post("/visitors/0/remove")  # the holder lets it go: free again, at once
    assert f'value="{session_id}"' in other.get("/choose-time").content.decode()


def test_a_window_read_while_a_change_commits_is_never_used() -> None:
    """The version is read before the database: a window read at the old version (as a change was committing) is
    kept under it, and read again by the first picker after the version went up."""
    from prisons.window_cache import _bump

    client, _ = at_the_picker()
    key = f"shared-window:3:rochester:{timezone.localdate().isoformat()}"
    stale = cache.get(key)
    _bump(Prison.objects.get(slug="rochester").pk)
    with CaptureQueriesContext(connection) as queries:
        client.get("/choose-time")
    assert any("visits_visit" in q["sql"] for q in queries.captured_queries)  # read again
    assert cache.get(key).version == stale.version + 1
