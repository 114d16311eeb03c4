"""Public lookups are rate-limited against enumeration, per client address (the visitor's own behind the load
balancer, never one a client wrote) and per prisoner number (different clients whose details did not match), and a
stranger cannot lock a family out (issue 13, item 3)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.visits.journey_support import journey_to, prisoner_data
from visits import ratelimit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rochester_at_nine")]
WRONG = {"last_name": "Nobody"}


def visitor(address: str | None = None) -> Client:
    """A browser of its own, at this address behind the load balancer (X-Forwarded-For), at the prisoner step."""
    client = Client(headers={"X-Forwarded-For": address} if address else {})
    journey_to(client, "prisoner")
    return client


def look_up(client: Client, **overrides: str) -> int:
    return client.post("/prisoner", prisoner_data(**overrides)).status_code


def test_one_client_may_look_up_20_prisoners_in_10_minutes_then_is_told_to_phone() -> None:
    client = visitor()
    assert [look_up(client, **WRONG) for _ in range(20)] == [200] * 20
    response = client.post("/prisoner", prisoner_data())
    assert response.status_code == 429
    page = response.content.decode()
    assert "You have tried too many times" in page and "Phone Rochester on" in page


def test_behind_the_load_balancer_each_visitor_has_their_own_count(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TRUSTED_PROXY_COUNT = 1
    stranger = visitor("203.0.113.7")
    for _ in range(20):
        look_up(stranger, **WRONG)
    assert look_up(stranger) == 429
    # the same load balancer's connection, another visitor: not locked out with the stranger
    assert look_up(visitor("198.51.100.20")) == 302
    # the stranger cannot escape the count by writing an address of their own into the header
    forged = Client(headers={"X-Forwarded-For": "192.0.2.1, 203.0.113.7"})
    journey_to_prisoner = forged.post("/prison", {"prison": "rochester"})
    assert journey_to_prisoner.status_code == 302
    assert look_up(forged) == 429


def test_a_stranger_guessing_wrongly_cannot_lock_the_family_out(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TRUSTED_PROXY_COUNT = 1
    stranger = visitor("203.0.113.7")
    assert [look_up(stranger, **WRONG) for _ in range(15)] == [200] * 15
    assert look_up(visitor("198.51.100.20")) == 302  # the family books as usual


def test_a_number_guessed_at_by_50_different_clients_is_closed_online_for_the_day(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(50):
        assert look_up(visitor(f"203.0.113.{n + 1}"), **WRONG) == 200
    family = visitor("198.51.100.20")
    response = family.post("/prisoner", prisoner_data())
    assert response.status_code == 429 and "Phone Rochester on" in response.content.decode()
    assert look_up(visitor("198.51.100.21"), number="A1002AA", last_name="Hughes") != 429  # other numbers open
    assert not ratelimit.number_open(prisoner_data()["number"])
