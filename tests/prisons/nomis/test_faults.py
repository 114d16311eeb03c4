"""Fault injection: what callers of the stub get when NOMIS is slow, failing or down."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import date

import pytest

from prisons.nomis.interface import CancelOutcome, NomisTimeout, NomisUnavailable
from prisons.nomis.stub.client import StubNomisClient
from prisons.nomis.stub.faults import faults_in_force
from prisons.nomis.stub.seed import stub_seed
from prisons.nomis.stub.services import StubDataError, faults_override_clear, faults_override_set

pytestmark = pytest.mark.django_db

NUMBER = "A1001AA"


@pytest.fixture
def client(no_faults: None) -> StubNomisClient:
    stub_seed(seed=1, per_prison=0, today=date(2026, 11, 23))
    return StubNomisClient(rng=random.Random(1234))


EVERY_CALL: dict[str, Callable[[StubNomisClient], object]] = {
    "get_prisoner": lambda c: c.get_prisoner(NUMBER),
    "get_approved_visitors": lambda c: c.get_approved_visitors(NUMBER),
    "get_non_associations": lambda c: c.get_non_associations(NUMBER),
    "get_visit_balance": lambda c: c.get_visit_balance(NUMBER),
    "get_unavailable_dates": lambda c: c.get_unavailable_dates(NUMBER, date(2026, 11, 23), date(2026, 12, 21)),
    "cancel_visit": lambda c: c.cancel_visit(NUMBER, "1", CancelOutcome.VISITOR_CANCELLED),
    "events_since": lambda c: c.events_since(None),
}


def failures(client: StubNomisClient, calls: int) -> list[bool]:
    """Which of ``calls`` lookups failed, in order."""
    outcome = []
    for _ in range(calls):
        try:
            client.get_prisoner(NUMBER)
        except NomisUnavailable:
            outcome.append(True)
        else:
            outcome.append(False)
    return outcome


def test_latency_under_the_timeout_still_answers(client: StubNomisClient, settings) -> None:
    settings.NOMIS_STUB_LATENCY_MS = 60
    settings.NOMIS_TIMEOUT_SECONDS = 2
    started = time.monotonic()
    prisoner = client.get_prisoner(NUMBER)
    assert prisoner is not None and prisoner.first_name == "Ryan"
    assert time.monotonic() - started >= 0.06


def test_latency_over_the_timeout_gives_up_at_the_timeout(client: StubNomisClient, settings) -> None:
    settings.NOMIS_STUB_LATENCY_MS = 30_000
    settings.NOMIS_TIMEOUT_SECONDS = 0.2
    started = time.monotonic()
    with pytest.raises(NomisTimeout) as raised:
        client.get_prisoner(NUMBER)
    elapsed = time.monotonic() - started
    assert 0.2 <= elapsed < 0.2 + 1.0  # a bound, not a benchmark: never the whole 30 seconds
    assert isinstance(raised.value, NomisUnavailable)  # callers that catch "unavailable" catch timeouts too


@pytest.mark.parametrize("call", EVERY_CALL.values(), ids=EVERY_CALL.keys())
def test_down_fails_every_call(client: StubNomisClient, settings, call: Callable[[StubNomisClient], object]) -> None:
    settings.NOMIS_STUB_DOWN = True
    with pytest.raises(NomisUnavailable):
        call(client)


def test_down_fails_recording_a_visit(client: StubNomisClient, settings) -> None:
    from tests.prisons.nomis.test_contract import visit

    settings.NOMIS_STUB_DOWN = True
    with pytest.raises(NomisUnavailable):
        client.record_visit(visit(number=NUMBER))
    settings.NOMIS_STUB_DOWN = False
    assert client.record_visit(visit(number=NUMBER))  # nothing was half-recorded


def test_a_failure_rate_of_one_always_fails(client: StubNomisClient, settings) -> None:
    settings.NOMIS_STUB_FAILURE_RATE = 1.0
    assert failures(client, 20) == [True] * 20


def test_a_failure_rate_of_zero_never_fails(client: StubNomisClient, settings) -> None:
    settings.NOMIS_STUB_FAILURE_RATE = 0.0
    assert failures(client, 20) == [False] * 20


def test_a_seeded_failure_rate_fails_a_stable_share(settings) -> None:
    stub_seed(seed=1, per_prison=0)
    settings.NOMIS_STUB_FAILURE_RATE = 0.3
    settings.NOMIS_STUB_LATENCY_MS = 0
    settings.NOMIS_STUB_DOWN = False
    first = failures(StubNomisClient(rng=random.Random(42)), 300)
    again = failures(StubNomisClient(rng=random.Random(42)), 300)
    other_seed = failures(StubNomisClient(rng=random.Random(43)), 300)
    assert first == again
    assert first != other_seed
    assert 0.2 <= sum(first) / len(first) <= 0.4


def test_the_database_override_wins_over_the_settings(client: StubNomisClient, settings) -> None:
    settings.NOMIS_STUB_DOWN = True
    faults_override_set(latency_ms=None, failure_rate=None, down=False)
    assert client.get_prisoner(NUMBER) is not None

    settings.NOMIS_STUB_DOWN = False
    faults_override_set(latency_ms=None, failure_rate=None, down=True)
    with pytest.raises(NomisUnavailable):
        client.get_prisoner(NUMBER)

    faults_override_set(latency_ms=None, failure_rate=1.0, down=None)  # down falls back to the setting: up
    assert failures(client, 5) == [True] * 5

    settings.NOMIS_TIMEOUT_SECONDS = 0.1
    faults_override_set(latency_ms=20_000, failure_rate=None, down=None)
    with pytest.raises(NomisTimeout):
        client.get_prisoner(NUMBER)


def test_clearing_the_override_brings_back_the_settings(no_faults: None, settings) -> None:
    settings.NOMIS_STUB_FAILURE_RATE = 0.25
    faults_override_set(latency_ms=100, failure_rate=0.0, down=True)
    overridden = faults_in_force()
    assert (overridden.latency_ms, overridden.failure_rate, overridden.down) == (100, 0.0, True)
    faults_override_clear()
    restored = faults_in_force()
    assert (restored.latency_ms, restored.failure_rate, restored.down) == (0, 0.25, False)


def test_the_settings_are_read_at_call_time(client: StubNomisClient, settings) -> None:
    assert client.get_prisoner(NUMBER) is not None
    settings.NOMIS_STUB_DOWN = True
    with pytest.raises(NomisUnavailable):
        client.get_prisoner(NUMBER)
    settings.NOMIS_STUB_DOWN = False
    assert client.get_prisoner(NUMBER) is not None


@pytest.mark.parametrize(("latency_ms", "failure_rate"), [(-1, None), (None, 1.5), (None, -0.1)])
def test_an_impossible_override_is_refused(latency_ms: int | None, failure_rate: float | None) -> None:
    with pytest.raises(StubDataError):
        faults_override_set(latency_ms=latency_ms, failure_rate=failure_rate, down=None)
