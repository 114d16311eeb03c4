"""Fixtures for the NOMIS adapter tests: the implementations under contract, and stub data."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from prisons.nomis import reset_client


@pytest.fixture(autouse=True)
def fresh_client() -> Iterator[None]:
    """Each test builds its own client from get_client(): no state leaks between tests."""
    reset_client()
    yield
    reset_client()


@pytest.fixture
def no_faults(settings) -> None:
    """The stub answers at once whatever the environment says (fault tests set their own)."""
    settings.NOMIS_STUB_LATENCY_MS = 0
    settings.NOMIS_STUB_FAILURE_RATE = 0.0
    settings.NOMIS_STUB_DOWN = False
    settings.NOMIS_TIMEOUT_SECONDS = 5.0
