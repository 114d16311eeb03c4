"""While NOMIS is slow or down, the events poll logs one warning for the outage (not a traceback every minute), shows
the outage in health, and carries on from its cursor once NOMIS is back (issue 26, item 7)."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone

from nomis_sync.sync import FEED
from nomis_sync.tasks import poll_nomis_events
from prisons.nomis.status import nomis_outage_since
from visits.models import NomisEventCursor

# transaction=True: the health view reads the cursor from its own thread (django-health-check runs checks in one).
pytestmark = pytest.mark.django_db(transaction=True)


class Health:
    """The health pages are async views (django-health-check): asked from a thread of their own, since a browser
    test's Playwright may have left an event loop running in this one."""

    def get(self, path: str, **kwargs: object) -> HttpResponse:
        answer: list[HttpResponse] = []
        thread = threading.Thread(target=lambda: answer.append(Client().get(path, **kwargs)))  # type: ignore[arg-type]
        thread.start()
        thread.join()
        return answer[0]


def test_an_outage_is_one_warning_and_a_health_signal_then_one_line_when_it_ends(settings, caplog) -> None:  # type: ignore[no-untyped-def]
    client = Health()
    assert poll_nomis_events() == 0  # NOMIS answers: the feed is read, nothing to do
    assert client.get("/healthz/nomis", headers={"Accept": "application/json"}).status_code == 200

    settings.NOMIS_STUB_LATENCY_MS, settings.NOMIS_TIMEOUT_SECONDS = 50, 0.01  # slower than the timeout
    caplog.set_level(logging.DEBUG)
    for _ in range(29):  # half an hour of a poll a minute
        ran = poll_nomis_events.apply()  # as beat runs it: the task does not fail
        assert ran.successful() and ran.result == 0
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage() for r in problems] == [
        "Reading NOMIS's prisoner events failed (NomisTimeout; circuit breaker none): trying again every minute; "
        "/healthz/nomis reports it"
    ]
    assert not any(r.exc_info for r in caplog.records)
    health = client.get("/healthz/nomis", headers={"Accept": "application/json"})
    assert health.status_code == 500 and "NomisTimeout" in health.text and "since" in health.text
    assert "circuit breaker none" in health.text  # the stub test double has none; the HTTP client says its state
    assert nomis_outage_since() is not None  # the staff pages say so
    # The readiness of the web processes does not depend on NOMIS: the journey's pages say when it is down.
    assert "NOMIS" not in client.get("/readyz", headers={"Accept": "application/json"}).text

    settings.NOMIS_STUB_LATENCY_MS = 0
    caplog.clear()
    assert poll_nomis_events() == 0
    assert [r.getMessage() for r in caplog.records if r.name == "nomis_sync.sync"] == [
        "Reading NOMIS's prisoner events works again, after 0 minutes"
    ]
    assert client.get("/healthz/nomis", headers={"Accept": "application/json"}).status_code == 200
    assert nomis_outage_since() is None


def test_the_outage_keeps_the_cursor(settings) -> None:  # type: ignore[no-untyped-def]
    NomisEventCursor.objects.create(name=FEED, cursor="41")
    settings.NOMIS_STUB_DOWN = True
    poll_nomis_events()
    cursor = NomisEventCursor.objects.get(name=FEED)
    assert cursor.cursor == "41" and cursor.failure == "NomisUnavailable"
    assert timezone.now() - cursor.failing_since < timedelta(minutes=1)  # type: ignore[operator]
