"""Public lookups are rate-limited against enumeration, per client address (the visitor's own behind the load
balancer, never one a client wrote) and per prisoner number (different clients whose details did not match), and a
stranger cannot lock a family out (issue 13, item 3)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from journey import ratelimit
from tests.journey.journey_support import dob, journey_to, prisoner_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rochester_at_nine")]
WRONG = {"last_name": "Nobody"}
DANIEL = prisoner_data(
    first_name="Daniel", last_name="Hughes", number="A1002AA", **dob("date_of_birth", date(1979, 11, 30))
)


def visitor(address: str | None = None) -> Client:
    """A browser of its own, at this address behind the load balancer (X-Forwarded-For), at the prisoner step."""
    client = Client(headers={"X-Forwarded-For": address} if address else {})
    journey_to(client, "prisoner")
    return client


def look_up(client: Client, **overrides: str) -> int:
    return client.post("/prisoner", prisoner_data(**overrides)).status_code


def test_one_client_may_look_up_20_prisoners_in_10_minutes_then_is_told_to_phone() -> None:
    client = visitor()
    assert [look_up(client, number=f"A{n:04d}ZZ") for n in range(20)] == [200] * 20  # numbers that do not exist
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
    assert [look_up(stranger, **WRONG) for _ in range(15)] == [200] * 5 + [429] * 10
    assert look_up(visitor("198.51.100.20")) == 302  # the family books as usual


def test_a_number_guessed_at_by_50_different_clients_still_lets_the_family_through(settings) -> None:  # type: ignore[no-untyped-def]
    """Issue 26, item 3: fifty wrong guesses from fifty addresses no longer close the prisoner's online booking for
    everyone. The family, giving the right details, books; each guesser is refused after its guess."""
    settings.TRUSTED_PROXY_COUNT = 1
    guessers = [visitor(f"203.0.113.{n + 1}") for n in range(50)]
    for guesser in guessers:
        assert look_up(guesser, **WRONG) == 200
    number = prisoner_data()["number"]
    assert ratelimit.number_being_guessed(number)
    assert look_up(visitor("198.51.100.20")) == 302  # the family gets through
    response = guessers[0].post("/prisoner", prisoner_data())  # a guesser, even with the right details, does not
    assert response.status_code == 429 and "Phone Rochester on" in response.content.decode()
    newcomer = visitor("198.51.100.99")  # a fresh address gets one guess while the number is being guessed at
    assert look_up(newcomer, **WRONG) == 200 and look_up(newcomer, **WRONG) == 429
    assert look_up(visitor("198.51.100.21"), **DANIEL) == 302  # other numbers open


def test_one_client_gets_5_wrong_guesses_at_a_number_a_day(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TRUSTED_PROXY_COUNT = 1
    stranger = visitor("203.0.113.7")
    assert [look_up(stranger, **WRONG) for _ in range(6)] == [200] * 5 + [429]
    assert look_up(stranger) == 429  # closed to them for the day, right details or not
    assert look_up(stranger, **DANIEL) == 302  # another prisoner is not
    assert look_up(visitor("198.51.100.20")) == 302  # nor is this prisoner to anyone else


def test_an_ipv6_client_is_its_64_so_fresh_addresses_are_not_fresh_clients(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(5):
        assert look_up(visitor(f"2001:db8:1:2::{n + 1:x}"), **WRONG) == 200
    assert look_up(visitor("2001:db8:1:2:ffff:ffff:ffff:fffe"), **WRONG) == 429  # the same /64: its sixth guess
    assert look_up(visitor("2001:db8:1:3::1")) == 302  # the next /64 is another household
    assert ratelimit.client_key(visitor("::ffff:203.0.113.9").request().wsgi_request) == "203.0.113.9"


def test_a_real_number_and_an_unknown_one_take_the_same_work_to_refuse() -> None:
    """Issue 26, item 6: wrong details for a real prisoner number, and a number that does not exist, ask the same of
    the database (NOMIS) and the cache, the first time and again, so the time taken does not say which is real."""

    def work(number: str) -> list[list[str]]:
        client = visitor()
        shapes = []
        for _ in range(2):  # the first look-up asks NOMIS; the second finds the answer kept
            with CaptureQueriesContext(connection) as queries:
                assert look_up(client, number=number, **WRONG) == 200
            shapes.append([re.sub(r"'[^']*'|\b\d+\b", "?", q["sql"]) for q in queries.captured_queries])
        return shapes

    real, unknown = work(prisoner_data()["number"]), work("Z9999ZZ")
    assert real == unknown
    assert len(real[0]) > len(real[1])  # the second look-up asked NOMIS nothing
