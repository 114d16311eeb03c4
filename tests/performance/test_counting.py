"""Counting journeys for the completion rate (journey.counting): a start once per journey, a completion when it
ends in a booking or request, from the session alone; and an increment that loses nothing under concurrency."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection
from django.test import Client

from journey.counting import SESSION_KEY, _increment
from prisons.models import Prison
from tests.factories import make_prison
from tests.journey.journey_support import book_visit, expect_redirect, journey_to
from visits.models import JourneyCount

TODAY = date(2026, 11, 23)  # the journey tests' Monday (tests/journey/journey_support.py)


def counts() -> dict[str, tuple[int, int]]:
    return {row.prison.slug: (row.started, row.completed) for row in JourneyCount.objects.select_related("prison")}


@pytest.mark.django_db
@pytest.mark.usefixtures("rochester_at_nine")
class TestAJourney:
    def test_a_start_is_counted_once_however_often_the_prison_is_chosen(self, client: Client) -> None:
        for _ in range(3):  # chosen, back, chosen again, refreshed
            expect_redirect(client.post("/prison", {"prison": "rochester"}), "/prisoner")
            client.get("/prison")
        assert counts() == {"rochester": (1, 0)}
        assert JourneyCount.objects.get().day == TODAY
        assert client.session[SESSION_KEY] == {"prison": Prison.objects.get(slug="rochester").id, "day": "2026-11-23"}
        Client().post("/prison", {"prison": "rochester"})  # another visitor
        assert counts() == {"rochester": (2, 0)}

    def test_a_booking_completes_the_journey_once(self, client: Client) -> None:
        book_visit(client)
        assert counts() == {"rochester": (1, 1)}
        assert SESSION_KEY not in client.session
        client.post("/check")  # the second click of a double click: shown the confirmation, not counted again
        assert counts() == {"rochester": (1, 1)}

    def test_a_request_completes_the_journey(self, client: Client) -> None:
        book_visit(client, request=True)
        assert counts() == {"rochester": (1, 1)}

    def test_the_next_visit_from_the_same_browser_is_a_new_journey(self, client: Client) -> None:
        book_visit(client)
        journey_to(client, "prisoner")
        assert counts() == {"rochester": (2, 1)}

    def test_an_abandoned_journey_is_started_and_never_completed(self, client: Client) -> None:
        journey_to(client, "check")
        assert counts() == {"rochester": (1, 0)}

    def test_choosing_another_prison_starts_a_journey_there(self, client: Client) -> None:
        make_prison("cardiff", "CFI", name="Cardiff")
        journey_to(client, "prisoner")
        client.post("/prison", {"prison": "cardiff"})
        client.post("/prison", {"prison": "rochester"})
        book_visit(client)
        assert counts() == {"rochester": (2, 1), "cardiff": (1, 0)}

    def test_a_journey_begun_before_counting_is_not_completed(self, client: Client) -> None:
        journey_to(client, "check")
        session = client.session
        del session[SESSION_KEY]
        session.save()
        expect_redirect(client.post("/check"), "/confirmation")
        assert counts() == {"rochester": (1, 0)}  # never more completions than starts

    def test_no_cookie_but_the_session(self, client: Client) -> None:
        book_visit(client)
        assert set(client.cookies) <= {"sessionid", "csrftoken"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_increments_lose_nothing() -> None:
    """8 threads, each with its own connection, count 10 starts each on one new day: 80, in one row."""
    prison = make_prison()
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def count_ten() -> None:
        try:
            barrier.wait()
            for _ in range(10):
                assert _increment(prison_id=prison.id, day=TODAY, counter="started")
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=count_ten) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert list(JourneyCount.objects.values_list("started", "completed")) == [(80, 0)]
