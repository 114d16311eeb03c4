"""The HTTP client against the fake HMPPS server running as a process of its own (``python -m hmpps_fake``), through
its token endpoint, with the faults set through the server's own admin endpoint. Each test names the behaviour.

Outages are shown by what reaches the server (its count of API calls), not by timing: while the breaker is open, a
call fails without leaving the process.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from botocore.credentials import Credentials
from django.test import override_settings
from django.utils import timezone
from pybreaker import CircuitMemoryStorage

from prisons.nomis import reset_client
from prisons.nomis.hmpps.client import API_KEYS, HmppsNomisClient
from prisons.nomis.hmpps.events import EventsQueue
from prisons.nomis.hmpps.models import DomainEvent
from prisons.nomis.hmpps.transport import HmppsHttp
from prisons.nomis.interface import CancelOutcome, EventType, NomisError, NomisTimeout, NomisUnavailable
from tests.prisons.nomis.test_contract import visit

ROOT = Path(__file__).resolve().parents[3]
ADMIN_KEY = "admin-key-for-tests"
CLIENT = ("visit-someone-in-prison", "process-test-secret")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def fake_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "HMPPS_FAKE_DATABASE": str(tmp_path_factory.mktemp("hmpps-fake") / "fake.sqlite3"),
        "HMPPS_FAKE_ADMIN_KEY": ADMIN_KEY,
        "HMPPS_FAKE_CLIENTS": ":".join(CLIENT),
        "HMPPS_FAKE_TOKEN_SECONDS": "600",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "hmpps_fake", "--port", str(port), "--per-prison", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    origin = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{origin}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None:
                raise RuntimeError(f"the fake HMPPS server stopped: {process.stdout.read().decode()}")  # type: ignore[union-attr]
            time.sleep(0.1)
        else:
            raise RuntimeError("the fake HMPPS server did not start in 30 seconds")
        yield origin
    finally:
        process.terminate()
        process.wait(timeout=10)


def admin(origin: str, method: str, path: str, body: Any = None, key: str = ADMIN_KEY) -> httpx.Response:
    return httpx.request(method, f"{origin}{path}", json=body, headers={"X-Fake-Admin-Key": key}, timeout=5)


def calls(origin: str) -> int:
    return int(admin(origin, "GET", "/__fake/faults").json()["api_calls"])


@pytest.fixture
def origin(fake_server: str) -> Iterator[str]:
    admin(fake_server, "PUT", "/__fake/faults", {})
    yield fake_server
    admin(fake_server, "PUT", "/__fake/faults", {})


def client_for(origin: str, **settings: Any) -> HmppsNomisClient:
    chosen = {
        "HMPPS_AUTH_URL": origin,
        "HMPPS_CLIENT_ID": CLIENT[0],
        "HMPPS_CLIENT_SECRET": CLIENT[1],
        "NOMIS_TIMEOUT_SECONDS": 0.5,
        "NOMIS_CONNECT_TIMEOUT_SECONDS": 0.5,
        "NOMIS_READ_ATTEMPTS": 3,
        "NOMIS_BREAKER_FAILURES": 2,
        "NOMIS_BREAKER_RESET_SECONDS": 30,
        **settings,
    }
    with override_settings(**chosen):
        http = HmppsHttp(
            state_storage=CircuitMemoryStorage("closed"), sleep=lambda seconds: time.sleep(min(seconds, 1.5))
        )
    return HmppsNomisClient(http=http, urls=dict.fromkeys(API_KEYS.values(), origin))


def test_the_client_books_through_the_token_endpoint_and_a_retried_record_is_one_visit(origin: str) -> None:
    client = client_for(origin)
    today = timezone.localdate()
    facts = client.get_booking_facts("A1001AA", today, today + timedelta(days=28))
    assert facts is not None and facts.prisoner.first_name == "Ryan" and facts.balance.total == 3
    assert {v.contact_id for v in facts.approved} >= {100101}
    recorded = client.record_visit(visit("bq-fh-kn-ts/1", number="A1001AA"))
    assert client.record_visit(visit("bq-fh-kn-ts/1", number="A1001AA")) == recorded  # NOMIS's 409
    client.cancel_visit("A1001AA", recorded, CancelOutcome.VISITOR_CANCELLED)
    client.cancel_visit("A1001AA", recorded, CancelOutcome.VISITOR_CANCELLED)  # 409: already cancelled
    assert client.get_prisoner("Z9999ZZ") is None


def test_nomis_down_opens_the_breaker_and_then_calls_fail_without_reaching_it(origin: str) -> None:
    client = client_for(origin)
    assert client.get_prisoner("A1001AA") is not None
    admin(origin, "PUT", "/__fake/faults", {"down": True})
    for _ in range(2):  # NOMIS_BREAKER_FAILURES calls that each found it down (each retried)
        with pytest.raises(NomisUnavailable):
            client.get_visit_balance("A1001AA")
    assert client.http.breaker_state == "open"
    before = calls(origin)
    for _ in range(5):
        with pytest.raises(NomisUnavailable, match="circuit breaker is open"):
            client.get_booking_facts("A1001AA", timezone.localdate(), timezone.localdate())
    assert calls(origin) == before  # failing fast: nothing was sent


def test_a_slow_nomis_times_out_and_a_read_is_tried_three_times(origin: str) -> None:
    client = client_for(origin, NOMIS_BREAKER_FAILURES=50)
    client.get_prisoner("A1001AA")  # a token first
    admin(origin, "PUT", "/__fake/faults", {"latency_ms": 1500})
    before = calls(origin)
    with pytest.raises(NomisTimeout):
        client.get_non_associations("A1001AA")
    assert calls(origin) - before == 3


def test_a_slow_nomis_opens_the_breaker_so_the_workers_are_not_all_held_by_it(origin: str) -> None:
    client = client_for(origin)  # NOMIS_BREAKER_FAILURES=2
    client.get_prisoner("A1001AA")
    admin(origin, "PUT", "/__fake/faults", {"latency_ms": 1500})
    with pytest.raises(NomisTimeout):
        client.get_non_associations("A1001AA")
    with pytest.raises(NomisUnavailable):  # the second call that timed out opens the breaker
        client.get_non_associations("A1001AA")
    assert client.http.breaker_state == "open"
    before = calls(origin)
    for _ in range(10):  # a worker asking now is refused at once: nothing is sent, so nothing waits for a timeout
        with pytest.raises(NomisUnavailable, match="circuit breaker is open"):
            client.get_booking_facts("A1001AA", timezone.localdate(), timezone.localdate())
    assert calls(origin) == before


def test_a_write_is_sent_once_whatever_the_failure(origin: str) -> None:
    client = client_for(origin, NOMIS_BREAKER_FAILURES=50)
    client.get_prisoner("A1001AA")
    admin(origin, "PUT", "/__fake/faults", {"error_share": 1.0})
    before = calls(origin)
    with pytest.raises(NomisUnavailable):
        client.record_visit(visit("bq-fh-kn-ts/2", number="A1001AA"))
    assert calls(origin) - before == 1


def test_malformed_json_is_an_error_and_not_an_outage(origin: str) -> None:
    client = client_for(origin)
    client.get_prisoner("A1001AA")
    admin(origin, "PUT", "/__fake/faults", {"malformed_share": 1.0})
    for _ in range(3):
        with pytest.raises(NomisError, match="not JSON") as raised:
            client.get_approved_visitors("A1001AA")
        assert not isinstance(raised.value, NomisUnavailable)
    assert client.http.breaker_state == "closed"


def test_429_is_retried_after_the_wait_it_asks_then_is_unavailable(origin: str) -> None:
    client = client_for(origin, NOMIS_BREAKER_FAILURES=50)
    client.get_prisoner("A1001AA")
    waits: list[float] = []
    client.http._retrying.sleep = waits.append  # type: ignore[attr-defined]
    admin(origin, "PUT", "/__fake/faults", {"throttle_share": 1.0})
    with pytest.raises(NomisUnavailable, match="429"):
        client.get_non_associations("A1001AA")
    assert len(waits) == 2 and all(wait >= 1 for wait in waits)  # Retry-After: 1


def test_the_token_endpoint_down_is_nomis_unavailable(origin: str) -> None:
    admin(origin, "PUT", "/__fake/faults", {"auth_down": True})
    with pytest.raises(NomisUnavailable, match="HMPPS Auth"):
        client_for(origin).get_prisoner("A1001AA")


def test_wrong_client_credentials_are_an_error_not_an_outage(origin: str) -> None:
    with pytest.raises(NomisError, match="refused the service's credentials") as raised:
        client_for(origin, HMPPS_CLIENT_SECRET="wrong").get_prisoner("A1001AA")
    assert not isinstance(raised.value, NomisUnavailable)


def test_expired_tokens_are_replaced_once_and_the_call_goes_through(origin: str) -> None:
    client = client_for(origin)
    assert client.get_prisoner("A1001AA") is not None
    assert admin(origin, "POST", "/__fake/faults/expire-tokens").status_code == 204
    assert client.get_prisoner("A1001AA") is not None


def test_the_faults_change_only_with_the_admin_key_and_good_values(origin: str) -> None:
    assert admin(origin, "PUT", "/__fake/faults", {"down": True}, key="wrong").status_code == 403
    assert admin(origin, "PUT", "/__fake/faults", {"down": True}, key="").status_code == 403
    assert admin(origin, "POST", "/__fake/faults/expire-tokens", key="wrong").status_code == 403
    for wrong in ({"down": "yes"}, {"error_share": 2}, {"latency_ms": -1}, {"sideways": True}):
        assert admin(origin, "PUT", "/__fake/faults", wrong).status_code == 400
    assert admin(origin, "GET", "/__fake/faults").json()["down"] is False
    assert client_for(origin).get_prisoner("A1001AA") is not None


@pytest.mark.django_db
def test_visits_booked_while_nomis_is_down_are_recorded_once_when_it_is_back(origin: str, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The sync job with the HTTP client as the service's NOMIS: nothing lost while down, nothing twice after."""
    from nomis_sync.sync import visit_push_to_nomis
    from tests.factories import details
    from tests.nomis_sync.test_sync_and_lifecycle import CONTACT, SOPHIE, session_in
    from visits.models import Visit
    from visits.services import visit_book, visit_reserve

    settings.NOMIS_CLIENT = "prisons.nomis.hmpps.client.HmppsNomisClient"
    settings.HMPPS_API_URLS = dict.fromkeys(API_KEYS.values(), origin)
    settings.HMPPS_AUTH_URL, (settings.HMPPS_CLIENT_ID, settings.HMPPS_CLIENT_SECRET) = origin, CLIENT
    settings.REDIS_URL = ""  # the breaker of this test's own
    settings.NOMIS_TIMEOUT_SECONDS = settings.NOMIS_CONNECT_TIMEOUT_SECONDS = 0.5
    reset_client()
    try:
        prison = _rochester(tmp_path)
        client = client_for(origin)
        today = timezone.localdate()
        facts = client.get_booking_facts("A1001AA", today, today + timedelta(days=28))
        assert facts is not None
        admin(origin, "PUT", "/__fake/faults", {"down": True})
        hold = visit_reserve(
            session=session_in(prison, 6),
            prisoner=details(facts.prisoner),
            party=[SOPHIE],
            closed=False,
            visitor_contact_ids=[100101],
        )
        booked = visit_book(visit=hold, contact=CONTACT)
        assert visit_push_to_nomis(visit_id=booked.pk) is False  # down: kept for later
        booked.refresh_from_db()
        assert booked.nomis_sync_needed and booked.nomis_sync_attempts == 1

        admin(origin, "PUT", "/__fake/faults", {})
        assert visit_push_to_nomis(visit_id=booked.pk) is True
        booked.refresh_from_db()
        assert not booked.nomis_sync_needed and booked.nomis_visit_id
        before = calls(origin)
        assert visit_push_to_nomis(visit_id=booked.pk) is True  # in sync: nothing sent
        assert calls(origin) == before
        # As if the answer to the first push was lost after NOMIS recorded it: pushed again, knowing nothing.
        Visit.objects.filter(pk=booked.pk).update(nomis_sync_needed=True, nomis_key="", nomis_visit_id="")
        assert visit_push_to_nomis(visit_id=booked.pk) is True
        again = Visit.objects.get(pk=booked.pk)
        assert again.nomis_visit_id == booked.nomis_visit_id  # NOMIS answered 409 with the same visit
        answer = client.http.get("NOMIS prisoner API", f"{origin}/visits/{booked.nomis_visit_id}")
        assert answer["offenderNo"] == "A1001AA" and answer["visitStatus"]["code"] == "SCH"
    finally:
        reset_client()


def _rochester(folder: Path):  # type: ignore[no-untyped-def]
    from io import StringIO

    from django.conf import settings as django_settings
    from django.core.management import call_command

    from prisons.models import Prison
    from prisons.services import sessions_generate

    rochester = "RCI-rochester.yml"
    (folder / rochester).write_text((Path(django_settings.PRISON_DATA_DIR) / rochester).read_text())
    call_command("import_prisons", str(folder), stdout=StringIO())
    sessions_generate(today=timezone.localdate())
    return Prison.objects.get(code="RCI", slug="rochester")


def queue_client(origin: str, **settings: Any) -> HmppsNomisClient:
    client = client_for(origin, **settings)
    client.events = EventsQueue(
        client.http,
        queue_url=f"{origin}/000000000000/prisoner-events",
        region="eu-west-2",
        credentials=Credentials("fake-id", "fake-key"),
    )
    return client


@pytest.mark.django_db(transaction=True)
def test_an_event_fired_in_nomis_arrives_once_through_the_signed_queue(origin: str) -> None:
    client = queue_client(origin)
    start = client.events_since(None, limit=1000).cursor  # what the queue held before
    fired = admin(origin, "POST", "/__fake/events", {"type": "moved", "prisoner_number": "A1002AA", "to_prison": "CFI"})
    assert fired.status_code == 201

    page = client.events_since(start)
    (event,) = page.events
    assert (event.type, event.prisoner_number, event.data) == (EventType.MOVED, "A1002AA", {"to_prison": "CFI"})
    assert event.id == fired.json()["messageId"]
    # Another process, later, from the cursor kept: nothing again (the message was deleted once stored).
    assert queue_client(origin).events_since(page.cursor).events == ()
    assert DomainEvent.objects.filter(message_id=event.id).count() == 1


def test_firing_an_event_needs_the_admin_key_and_a_real_change(origin: str) -> None:
    move = {"type": "moved", "prisoner_number": "A1001AA", "to_prison": "CFI"}
    assert admin(origin, "POST", "/__fake/events", move, key="wrong").status_code == 403
    for wrong in ({**move, "type": "exploded"}, {**move, "prisoner_number": "Z9999ZZ"}, {**move, "to_prison": "X"}):
        assert admin(origin, "POST", "/__fake/events", wrong).status_code == 400


@pytest.mark.django_db(transaction=True)
def test_the_queue_down_is_nomis_unavailable_and_the_cursor_stays(origin: str) -> None:
    client = queue_client(origin, NOMIS_BREAKER_FAILURES=50)
    cursor = client.events_since(None, limit=1000).cursor
    admin(origin, "PUT", "/__fake/faults", {"down": True})
    with pytest.raises(NomisUnavailable):
        client.events_since(cursor)
    admin(origin, "PUT", "/__fake/faults", {})
    assert client.events_since(cursor).cursor == cursor


def test_an_unsigned_queue_request_is_refused(origin: str) -> None:
    answer = httpx.post(
        f"{origin}/",
        json={"QueueUrl": f"{origin}/000000000000/prisoner-events"},
        headers={"X-Amz-Target": "AmazonSQS.ReceiveMessage"},
    )
    assert answer.status_code == 403


@pytest.mark.django_db
def test_nomis_down_the_prisoner_step_says_sorry_with_the_prisons_number_and_soon_stops_asking(
    origin: str,
    settings,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    """The public journey with the HTTP client as the service's NOMIS: while NOMIS is down the prisoner step gives the
    GOV.UK "sorry" page with Rochester's phone number; once the breaker is open it does so without calling NOMIS."""
    from django.test import Client

    from tests.journey.journey_support import forget_lookups, prisoner_data

    settings.NOMIS_CLIENT = "prisons.nomis.hmpps.client.HmppsNomisClient"
    settings.HMPPS_API_URLS = dict.fromkeys(API_KEYS.values(), origin)
    settings.HMPPS_AUTH_URL, (settings.HMPPS_CLIENT_ID, settings.HMPPS_CLIENT_SECRET) = origin, CLIENT
    settings.REDIS_URL = ""  # the breaker of this test's own
    settings.NOMIS_TIMEOUT_SECONDS = settings.NOMIS_CONNECT_TIMEOUT_SECONDS = 0.5
    settings.NOMIS_BREAKER_FAILURES = 2
    reset_client()
    try:
        prison = _rochester(tmp_path)
        forget_lookups()
        admin(origin, "PUT", "/__fake/faults", {"down": True})
        visitor = Client()
        visitor.post("/prison", {"prison": "rochester"})
        for attempt in range(4):
            if attempt == 2:
                before = calls(origin)  # the breaker is open now: nothing more reaches NOMIS
            page = visitor.post("/prisoner", prisoner_data())
            text = page.content.decode()
            assert page.status_code == 503, attempt
            assert "Sorry, we cannot check the prisoner" in text and prison.phone in text, attempt
        assert calls(origin) == before
    finally:
        reset_client()
