"""A shared computer (a library, a family's one phone): the next person must not see the last visit booked on it
(issue 13, item 7)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from tests.journey.journey_support import book_visit, frozen_at_nine, seed_rochester

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def rochester(tmp_path, prison_data_dir):  # type: ignore[no-untyped-def]
    seed_rochester(tmp_path, prison_data_dir)


def test_a_new_journey_forgets_the_last_confirmation(client: Client) -> None:
    with frozen_at_nine():
        visit = book_visit(client)
        page = client.get("/confirmation")
        assert page.status_code == 200 and visit.reference in page.content.decode()
        client.get("/")
        assert client.post("/prison", {"prison": "rochester"}).status_code == 302  # the next person starts
        response = client.get("/confirmation")
    assert response.status_code == 302 and response["Location"] == "/"
    assert "confirmed_visit_id" not in client.session


def test_the_confirmation_is_shown_for_half_an_hour_only(client: Client) -> None:
    with frozen_at_nine() as clock:
        visit = book_visit(client)
        clock.shift(timedelta(minutes=29))
        assert visit.reference in client.get("/confirmation").content.decode()
        clock.shift(timedelta(minutes=2))
        response = client.get("/confirmation")
    assert response.status_code == 302 and response["Location"] == "/"
