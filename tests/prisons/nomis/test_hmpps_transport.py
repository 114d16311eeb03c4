"""The HTTP side of the HMPPS client (prisons/nomis/hmpps/transport.py), against an in-process fake that answers
as HMPPS Auth and the APIs do (the recorded token of prisons/nomis/contract/): the token kept and fetched again, the
timeouts, retries of reads only (Retry-After honoured), the circuit breaker, and the interface's typed errors."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pybreaker
import pytest

from prisons.nomis.hmpps import transport
from prisons.nomis.hmpps.transport import HmppsHttp
from prisons.nomis.interface import NomisError, NomisNotFound, NomisTimeout, NomisUnavailable

CONTRACT = Path(__file__).resolve().parents[3] / "prisons" / "nomis" / "contract"
AUTH = "http://auth.test"
API = "http://prisoner-search.test"
Answer = Callable[[httpx.Request], httpx.Response]


@pytest.fixture(autouse=True)
def _hmpps_settings(settings) -> None:  # type: ignore[no-untyped-def]
    settings.HMPPS_AUTH_URL, settings.HMPPS_CLIENT_ID, settings.HMPPS_CLIENT_SECRET = AUTH, "visits", "secret"
    settings.NOMIS_READ_ATTEMPTS, settings.NOMIS_BREAKER_FAILURES, settings.NOMIS_BREAKER_RESET_SECONDS = 3, 2, 30


class FakeHmpps:
    """HMPPS Auth and one API: every request is kept; the API answers with ``answers`` in turn (the last again)."""

    def __init__(self, *answers: Answer, token_lifetime: int = 1200) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []
        self.tokens_issued = 0
        self.token_lifetime = token_lifetime

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/auth/oauth/token":
            assert request.url.params["grant_type"] == "client_credentials"
            assert request.headers["Authorization"].startswith("Basic ")
            self.tokens_issued += 1
            token = json.loads((CONTRACT / "hmpps-auth.token.json").read_text())
            return httpx.Response(
                200, json={**token, "access_token": f"token-{self.tokens_issued}", "expires_in": self.token_lifetime}
            )
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return answer(request)

    @property
    def api_requests(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path != "/auth/oauth/token"]


def ok(body: object = None) -> Answer:
    return lambda request: httpx.Response(200, json=body if body is not None else {"prisonerNumber": "A1001AA"})


def status(code: int, **headers: str) -> Answer:
    return lambda request: httpx.Response(code, json={"status": code}, headers=headers)


def raises(error: type[Exception]) -> Answer:
    def answer(request: httpx.Request) -> httpx.Response:
        raise error("fake", request=request)  # type: ignore[call-arg]

    return answer


def http_for(fake: FakeHmpps, waits: list[float] | None = None) -> HmppsHttp:
    return HmppsHttp(
        transport=httpx.MockTransport(fake),
        state_storage=pybreaker.CircuitMemoryStorage(pybreaker.STATE_CLOSED),
        sleep=(waits.append if waits is not None else lambda seconds: None),
    )


def test_a_token_is_fetched_once_sent_on_every_call_and_fetched_again_before_it_expires(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    now = [1000.0]
    monkeypatch.setattr(transport.time, "monotonic", lambda: now[0])
    fake = FakeHmpps(ok(), token_lifetime=1200)
    http = http_for(fake)
    for _ in range(3):
        assert http.get("prisoner search", f"{API}/prisoner/A1001AA") == {"prisonerNumber": "A1001AA"}
    assert fake.tokens_issued == 1
    assert {r.headers["Authorization"] for r in fake.api_requests} == {"Bearer token-1"}
    now[0] += 1200 - transport.TOKEN_MARGIN_SECONDS  # shortly before it expires: a new one
    http.get("prisoner search", f"{API}/prisoner/A1001AA")
    assert fake.tokens_issued == 2 and fake.api_requests[-1].headers["Authorization"] == "Bearer token-2"


def test_a_401_fetches_a_new_token_once() -> None:
    fake = FakeHmpps(status(401), ok())
    assert http_for(fake).get("prisoner search", f"{API}/prisoner/A1001AA") == {"prisonerNumber": "A1001AA"}
    assert fake.tokens_issued == 2 and len(fake.api_requests) == 2
    refused = FakeHmpps(status(401))
    with pytest.raises(NomisError, match="refused the request \\(401\\)"):
        http_for(refused).get("prisoner search", f"{API}/prisoner/A1001AA")
    assert refused.tokens_issued == 2  # one new token, not a loop


def test_a_read_is_tried_again_on_503_and_429_waiting_what_retry_after_asks() -> None:
    waits: list[float] = []
    fake = FakeHmpps(status(503), status(429, **{"Retry-After": "2"}), ok())
    assert http_for(fake, waits).get("prisoner search", f"{API}/prisoner/A1001AA") == {"prisonerNumber": "A1001AA"}
    assert len(fake.api_requests) == 3
    assert len(waits) == 2 and waits[1] >= 2.0  # the 429's Retry-After, at least


def test_a_read_gives_up_after_its_attempts_and_a_long_retry_after_is_not_waited_for() -> None:
    fake = FakeHmpps(status(502))
    with pytest.raises(NomisUnavailable, match="answered 502"):
        http_for(fake).get("prisoner search", f"{API}/prisoner/A1001AA")
    assert len(fake.api_requests) == 3
    patient = FakeHmpps(status(429, **{"Retry-After": "3600"}))
    with pytest.raises(NomisUnavailable, match="asked to wait 3600s"):
        http_for(patient).get("prisoner search", f"{API}/prisoner/A1001AA")
    assert len(patient.api_requests) == 1


def test_a_write_is_tried_once() -> None:
    fake = FakeHmpps(status(503))
    with pytest.raises(NomisUnavailable):
        http_for(fake).send("NOMIS prisoner API", "POST", f"{API}/prisoners/A1001AA/visits", body={"prisonId": "RCI"})
    assert len(fake.api_requests) == 1


def test_timeouts_and_connection_errors_are_the_interfaces_errors() -> None:
    with pytest.raises(NomisTimeout):
        http_for(FakeHmpps(raises(httpx.ReadTimeout))).get("prisoner search", f"{API}/prisoner/A1001AA")
    with pytest.raises(NomisUnavailable, match="could not be reached \\(ConnectError\\)"):
        http_for(FakeHmpps(raises(httpx.ConnectError))).get("prisoner search", f"{API}/prisoner/A1001AA")


def test_not_found_bad_requests_and_bad_answers() -> None:
    http = http_for(FakeHmpps(status(404)))
    with pytest.raises(NomisNotFound):
        http.get("prisoner search", f"{API}/prisoner/Z9999ZZ")
    assert http.get("prisoner search", f"{API}/prisoner/Z9999ZZ", missing_ok=True) is None
    with pytest.raises(NomisError, match="refused the request \\(400\\)"):
        http_for(FakeHmpps(status(400))).get("non-associations", f"{API}/prisoner/x/non-associations")
    garbled = FakeHmpps(
        lambda request: httpx.Response(200, content=b"<html>oops", headers={"Content-Type": "text/html"})
    )
    with pytest.raises(NomisError, match="not JSON"):
        http_for(garbled).get("prisoner search", f"{API}/prisoner/A1001AA")


def test_the_token_endpoint_down_is_nomis_unavailable() -> None:
    def auth_down(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/auth/oauth/token":
            return httpx.Response(503)
        return httpx.Response(200, json={})

    with pytest.raises(NomisUnavailable, match="HMPPS Auth answered 503"):
        HmppsHttp(
            transport=httpx.MockTransport(auth_down),
            state_storage=pybreaker.CircuitMemoryStorage(pybreaker.STATE_CLOSED),
        ).get("prisoner search", f"{API}/prisoner/A1001AA")


def test_the_breaker_opens_after_calls_that_found_nomis_down_then_fails_at_once(monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    fake = FakeHmpps(status(503))
    http = http_for(fake)
    for _ in range(2):  # NOMIS_BREAKER_FAILURES: each call tried 3 times counts once
        with pytest.raises(NomisUnavailable):
            http.get("prisoner search", f"{API}/prisoner/A1001AA")
    asked = len(fake.api_requests)
    with pytest.raises(NomisUnavailable, match="circuit breaker is open"):
        http.get("prisoner search", f"{API}/prisoner/A1001AA")
    assert len(fake.api_requests) == asked  # failed at once: nothing sent
    assert http.breaker_state == "open"
    assert [r.getMessage() for r in caplog.records if r.name == "prisons.nomis.hmpps.transport"] == [
        "NOMIS is unavailable: the circuit breaker is open; calls fail at once for 30s"
    ]
    # A 404 is an answer, not an outage: it never opens the breaker.
    answering = http_for(FakeHmpps(status(404)))
    for _ in range(5):
        assert answering.get("prisoner search", f"{API}/prisoner/Z9999ZZ", missing_ok=True) is None
    assert answering.breaker_state == "closed"


@pytest.mark.redis
def test_the_breakers_state_is_shared_by_every_process_through_redis(settings) -> None:  # type: ignore[no-untyped-def]
    import os
    import uuid

    settings.REDIS_URL = os.environ["REDIS_URL"]
    namespace = f"nomis-test-{uuid.uuid4().hex}"
    first = HmppsHttp(
        transport=httpx.MockTransport(FakeHmpps(status(503))),
        state_storage=transport.breaker_storage(namespace),
        sleep=lambda s: None,
    )
    second = HmppsHttp(
        transport=httpx.MockTransport(FakeHmpps(ok())), state_storage=transport.breaker_storage(namespace)
    )
    for _ in range(2):
        with pytest.raises(NomisUnavailable):
            first.get("prisoner search", f"{API}/prisoner/A1001AA")
    with pytest.raises(NomisUnavailable, match="circuit breaker is open"):  # another process: open for it too
        second.get("prisoner search", f"{API}/prisoner/A1001AA")


def test_every_recorded_answer_is_json_and_is_in_the_contracts_table() -> None:
    """The fixtures the client and the fake server are held to (prisons/nomis/contract/) parse, and the README
    says what each one is."""
    readme = (CONTRACT / "README.md").read_text()
    fixtures = sorted(CONTRACT.glob("*.json"))
    assert len(fixtures) >= 40
    for fixture in fixtures:
        json.loads(fixture.read_text())
        stem = fixture.name.removesuffix(".json")
        named = fixture.name in readme or any(
            f"{stem.rsplit('.', 1)[0]}" in readme and f".{part}" in readme for part in [stem.rsplit(".", 1)[-1]]
        )
        assert named, f"{fixture.name} is not described in prisons/nomis/contract/README.md"


def test_the_breaker_opening_and_closing_is_what_the_staff_pages_are_told(settings) -> None:  # type: ignore[no-untyped-def]
    from prisons.nomis.status import nomis_outage_since

    settings.NOMIS_BREAKER_RESET_SECONDS = 0.01
    fake = FakeHmpps(status(503))
    http = http_for(fake)
    assert nomis_outage_since() is None
    for _ in range(2):
        with pytest.raises(NomisUnavailable):
            http.get("prisoner search", f"{API}/prisoner/A1001AA")
    assert http.breaker_state == "open" and nomis_outage_since() is not None
    fake.answers = [ok()]
    time.sleep(0.02)
    http.get("prisoner search", f"{API}/prisoner/A1001AA")  # the breaker's trial call works: closed
    assert http.breaker_state == "closed" and nomis_outage_since() is None
