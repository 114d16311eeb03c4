"""Shared reads: the public journey reuses what every visitor to a prison reads alike (its row, its sessions and
places taken) for a few seconds (SHARED_READS_SECONDS), so the visitors looking at once ask the database once. A
time shown free that has gone meanwhile is never booked: choosing it shows the times as they are now, and those
are what the next visitors see."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from prisons.models import Prison, VisitSession
from tests.visits.journey_support import first_radio_value, journey_to
from visits.models import Visit, VisitState

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
    sqls = [q["sql"] for q in queries.captured_queries]
    assert len(sqls) == 1 and '"visits_visit"."prisoner_number" =' in sqls[0], sqls  # only the prisoner's own visits


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
