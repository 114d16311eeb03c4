"""The recorded answers of the real HMPPS APIs (prisons/nomis/contract/*.json) hold the client and the fake server
to the same shapes, so neither can drift from the real APIs without a test failing:

- the client reads every recorded answer into the interface's dataclasses, and what it sends is what the real API
  takes;
- every answer of the fake server has only fields the real answer has, each of the same JSON type.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.test import override_settings
from pybreaker import CircuitMemoryStorage

from hmpps_fake import in_process, shapes
from prisons.nomis.hmpps import events
from prisons.nomis.hmpps.client import API_KEYS, HmppsNomisClient
from prisons.nomis.hmpps.models import DomainEvent
from prisons.nomis.hmpps.transport import HmppsHttp
from prisons.nomis.interface import (
    CancelOutcome,
    EventType,
    LegalStatus,
    NomisError,
    NomisNotFound,
    Restriction,
    RestrictionType,
    Unavailability,
    UnavailableReason,
    VisitBalance,
)
from prisons.nomis.stub.seed import stub_seed
from tests.prisons.nomis.arrangers import FAKE_ORIGIN, hmpps_http
from tests.prisons.nomis.test_contract import visit

CONTRACT = Path(__file__).resolve().parents[3] / "prisons" / "nomis" / "contract"
ORIGIN = "http://hmpps.test"


def recorded(name: str) -> Any:
    return json.loads((CONTRACT / name).read_text())


class RecordedApis:
    """Answers each path with a recorded answer (and HMPPS Auth with its recorded token); keeps what was sent."""

    def __init__(self, answers: dict[str, tuple[int, str]]) -> None:
        self.answers = answers
        self.sent: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/auth/oauth/token":
            return httpx.Response(200, json=recorded("hmpps-auth.token.json"))
        self.sent.append(request)
        status, name = self.answers.get(f"{request.method} {request.url.path}", (404, "prisoner-search.error-404.json"))
        return httpx.Response(status, content=(CONTRACT / name).read_bytes() if name else b"")


def client_over(answers: dict[str, tuple[int, str]]) -> tuple[HmppsNomisClient, RecordedApis]:
    apis = RecordedApis(answers)
    with override_settings(HMPPS_AUTH_URL=ORIGIN, HMPPS_CLIENT_ID="visits", HMPPS_CLIENT_SECRET="secret"):
        http = HmppsHttp(transport=httpx.MockTransport(apis), state_storage=CircuitMemoryStorage("closed"))
    return HmppsNomisClient(http=http, urls=dict.fromkeys(API_KEYS.values(), ORIGIN), concurrent=False), apis


BOOKING = "1208734"
RYAN = {
    "GET /prisoner/A1001AA": (200, "prisoner-search.prisoner.json"),
    "GET /api/offenders/A1001AA/offender-restrictions": (200, "prison-api.offender-restrictions.json"),
    "GET /prisoners/A1001AA/alerts": (200, "alerts-api.prisoner-alerts.json"),
    "GET /v2/prisoners/A1001AA/contacts/social/approved": (200, "contact-registry.approved-social-contacts.json"),
    "GET /prisoner/A1001AA/non-associations": (200, "non-associations.prisoner.json"),
    "GET /visits/allocation/prisoner/A1001AA/balance/detailed": (200, "visit-allocation.balance-detailed.json"),
    "GET /api/schedules/A1001AA/scheduled-transfers": (200, "prison-api.scheduled-transfers.json"),
    "GET /events/A1001AA": (200, "whereabouts.scheduled-events.json"),
    f"GET /api/bookings/{BOOKING}/court-hearings": (200, "prison-api.court-hearings.json"),
}


def test_the_client_reads_a_prisoners_recorded_answers() -> None:
    client, _ = client_over(RYAN)
    facts = client.get_booking_facts("a1001aa", date(2026, 12, 10), date(2027, 1, 12))
    assert facts is not None
    prisoner = facts.prisoner
    assert (prisoner.number, prisoner.first_name, prisoner.last_name) == ("A1001AA", "Ryan", "Walker")
    assert (prisoner.date_of_birth, prisoner.prison_code, prisoner.location) == (date(1988, 4, 12), "RCI", "A-1-013")
    assert (prisoner.category, prisoner.incentive_level, prisoner.legal_status) == ("C", "STD", LegalStatus.CONVICTED)
    assert prisoner.restrictions == () and prisoner.alerts == ()
    assert facts.balance == VisitBalance(2, 1, date(2026, 12, 14))
    assert {v.contact_id: v.relationship for v in facts.approved}[100101] == "Wife"
    assert facts.non_associations == ()
    assert facts.unavailable[:2] == (
        Unavailability(date(2026, 12, 14), UnavailableReason.COURT),
        Unavailability(date(2026, 12, 16), UnavailableReason.HOSPITAL),  # the doctor's; not the workshop
    )
    assert {u.date for u in facts.unavailable if u.reason == UnavailableReason.TRANSFER} == {
        date(2027, 1, 11),
        date(2027, 1, 12),
    }


def test_the_client_reads_restrictions_alerts_remand_and_release() -> None:
    client, _ = client_over(
        {
            "GET /prisoner/A1003AA": (200, "prisoner-search.prisoner.json"),
            "GET /api/offenders/A1003AA/offender-restrictions": (200, "prison-api.offender-restrictions.closed.json"),
            "GET /prisoners/A1003AA/alerts": (200, "alerts-api.prisoner-alerts.with-alert.json"),
            "GET /prisoner/A1009AA": (200, "prisoner-search.prisoner.remand.json"),
            "GET /prisoner/A1004AA": (200, "prisoner-search.prisoner.released.json"),
            "GET /v2/prisoners/A1006AA/contacts/social/approved": (
                200,
                "contact-registry.approved-social-contacts.with-restrictions.json",
            ),
            "GET /prisoner/A1007AA/non-associations": (200, "non-associations.prisoner.with-non-association.json"),
        }
    )
    closed = client.get_prisoner("A1003AA")
    assert closed is not None and closed.alerts == ("VIP",)
    assert closed.restrictions == (
        Restriction(RestrictionType.CLOSED, date(2026, 10, 8), None, "Closed visits after a find in the hall"),
    )
    remand = client.get_prisoner("A1009AA")
    assert remand is not None and remand.legal_status == LegalStatus.REMAND
    released = client.get_prisoner("A1004AA")
    assert released is not None and released.prison_code == "OUT"
    visitors = {v.first_name: v for v in client.get_approved_visitors("A1006AA")}
    assert visitors["Wayne"].restrictions == (
        Restriction(RestrictionType.BANNED, date(2026, 11, 7), date(2027, 3, 7), "Passed an item during a visit"),
    )
    assert [r.type for r in visitors["Gary"].restrictions] == [RestrictionType.CHILD_PROTECTION]
    assert client.get_non_associations("A1007AA") == ["A1008AA"]


def test_an_unknown_prisoner_is_a_404_of_prisoner_search() -> None:
    client, _ = client_over({"GET /prisoner/Z9999ZZ": (404, "prisoner-search.error-404.json")})
    assert client.get_prisoner("Z9999ZZ") is None
    assert client.get_booking_facts("Z9999ZZ", date(2026, 12, 10), date(2027, 1, 7)) is None
    assert client.get_approved_visitors("Z9999ZZ") == []


def test_the_client_records_a_visit_as_the_nomis_prisoner_api_takes_it() -> None:
    client, apis = client_over(
        {"POST /prisoners/G4821KQ/visits": (201, "nomis-prisoner-api.create-visit.response.json")}
    )
    assert client.record_visit(visit()) == "10309617"
    sent = json.loads(apis.sent[-1].content)
    request = recorded("nomis-prisoner-api.create-visit.request.json")
    assert set(sent) == set(request)
    assert shape_problems(sent, request) == []
    assert (sent["visitType"], sent["openClosedStatus"], sent["visitorPersonIds"]) == ("SCON", "OPEN", [101, 102])
    assert sent["startDateTime"] == "2026-12-05T14:00:00" and sent["endTime"] == "15:45"  # London time, no offset


def test_a_409_names_the_visit_already_recorded() -> None:
    client, _ = client_over(
        {"POST /prisoners/G4821KQ/visits": (409, "nomis-prisoner-api.create-visit.conflict-409.json")}
    )
    assert client.record_visit(visit()) == "10309617"


def test_cancelling_sends_the_outcome_code_and_a_409_is_already_done() -> None:
    client, apis = client_over({"PUT /prisoners/G4821KQ/visits/10309617/cancel": (200, "")})
    client.cancel_visit("g4821kq", "10309617", CancelOutcome.VISITOR_CANCELLED)
    assert json.loads(apis.sent[-1].content) == recorded("nomis-prisoner-api.cancel-visit.request.json")
    again, _ = client_over(
        {"PUT /prisoners/G4821KQ/visits/10309617/cancel": (409, "nomis-prisoner-api.cancel-visit.conflict-409.json")}
    )
    again.cancel_visit("G4821KQ", "10309617", CancelOutcome.VISITOR_CANCELLED)
    missing, _ = client_over({"PUT /prisoners/G4821KQ/visits/1/cancel": (404, "nomis-prisoner-api.error-404.json")})
    with pytest.raises(NomisNotFound):
        missing.cancel_visit("G4821KQ", "1", CancelOutcome.VISITOR_CANCELLED)


@pytest.mark.parametrize(
    ("broken", "named"),
    [
        ({"dateOfBirth": None}, "dateOfBirth is missing"),
        ({"dateOfBirth": "12/04/1988"}, "dateOfBirth is not a date"),
        ({"firstName": 7}, "firstName is not text"),
        ({"currentIncentive": {"level": "STD"}}, "currentIncentive.level is not an object"),
    ],
)
def test_a_malformed_answer_is_an_error_naming_the_field(broken: dict[str, Any], named: str) -> None:
    record = {**recorded("prisoner-search.prisoner.json"), **broken}

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/auth/oauth/token":
            return httpx.Response(200, json=recorded("hmpps-auth.token.json"))
        if request.url.path == "/prisoner/A1001AA":
            return httpx.Response(200, json=record)
        return httpx.Response(404, json={})

    with override_settings(HMPPS_AUTH_URL=ORIGIN, HMPPS_CLIENT_ID="visits", HMPPS_CLIENT_SECRET="secret"):
        http = HmppsHttp(transport=httpx.MockTransport(answer), state_storage=CircuitMemoryStorage("closed"))
    client = HmppsNomisClient(http=http, urls=dict.fromkeys(API_KEYS.values(), ORIGIN), concurrent=False)
    with pytest.raises(NomisError, match=named):
        client.get_prisoner("A1001AA")


# --- The fake server's answers against the recorded ones ------------------------------------------------------------


def shape_problems(ours: Any, real: Any, where: str = "$") -> list[str]:
    """Where ``ours`` has a field the real answer has not, or of another JSON type (a null says nothing)."""
    if ours is None or real is None:
        return []
    if isinstance(real, dict):
        if not isinstance(ours, dict):
            return [f"{where} is not an object"]
        problems = []
        for key, value in ours.items():
            if value is None:
                continue
            if key not in real:
                problems.append(f"{where}.{key} is not in the real answer")
            else:
                problems += shape_problems(value, real[key], f"{where}.{key}")
        return problems
    if isinstance(real, list):
        if not isinstance(ours, list):
            return [f"{where} is not a list"]
        return [problem for item in ours for problem in shape_problems(item, real[0], f"{where}[]")] if real else []
    kinds = (bool, int | float, str)
    real_kind = next(kind for kind in kinds if isinstance(real, kind))
    if not isinstance(ours, real_kind) or (real_kind is not bool and isinstance(ours, bool)):
        return [f"{where} is {type(ours).__name__}, the real answer's is {type(real).__name__}"]
    return []


def test_the_shape_check_finds_a_field_the_real_api_lacks() -> None:
    assert shape_problems({"a": 1, "b": {"c": "x"}}, {"a": 2, "b": {"c": "y"}}) == []
    assert shape_problems({"a": "1"}, {"a": 2}) == ["$.a is str, the real answer's is int"]
    assert shape_problems({"z": 1}, {"a": 2}) == ["$.z is not in the real answer"]
    assert shape_problems([{"a": True}], [{"a": 1}]) == ["$[].a is bool, the real answer's is int"]


@pytest.fixture
def fake() -> httpx.Client:
    stub_seed(seed=3, per_prison=0, prisons=[], today=date(2026, 12, 7))
    http = hmpps_http()
    token = http.tokens.token()
    return httpx.Client(
        transport=in_process.transport(), base_url=FAKE_ORIGIN, headers={"Authorization": f"Bearer {token}"}
    )


FAKE_ANSWERS = [
    ("/prisoner/A1001AA", "prisoner-search.prisoner.json"),
    ("/prisoner/A1009AA", "prisoner-search.prisoner.remand.json"),
    ("/prisoner/Z9999ZZ", "prisoner-search.error-404.json"),
    ("/api/offenders/A1003AA/offender-restrictions", "prison-api.offender-restrictions.closed.json"),
    ("/api/offenders/Z9999ZZ/offender-restrictions", "prison-api.error-404.json"),
    ("/prisoners/A1001AA/alerts?isActive=true", "alerts-api.prisoner-alerts.json"),
    (
        "/v2/prisoners/A1006AA/contacts/social/approved",
        "contact-registry.approved-social-contacts.with-restrictions.json",
    ),
    ("/v2/prisoners/Z9999ZZ/contacts/social/approved", "contact-registry.error-404.json"),
    ("/prisoner/A1007AA/non-associations", "non-associations.prisoner.with-non-association.json"),
    ("/prisoner/Z9999ZZ/non-associations", "non-associations.error-404.json"),
    ("/visits/allocation/prisoner/A1001AA/balance/detailed", "visit-allocation.balance-detailed.json"),
    (f"/api/bookings/{shapes.booking_id('A1005AA')}/court-hearings", "prison-api.court-hearings.json"),
    ("/api/schedules/A1001AA/scheduled-transfers", "prison-api.scheduled-transfers.json"),
    ("/events/A1001AA?fromDate=2026-12-07&toDate=2027-01-31", "whereabouts.scheduled-events.json"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "fixture"), FAKE_ANSWERS)
def test_the_fake_servers_answers_have_the_real_shapes(fake: httpx.Client, path: str, fixture: str) -> None:
    real = recorded(fixture)
    answer = fake.get(path)
    assert answer.status_code == (404 if "error-404" in fixture else 200)
    assert shape_problems(answer.json(), real) == []


@pytest.mark.django_db
def test_the_fake_servers_alerts_and_visits_have_the_real_shapes(fake: httpx.Client) -> None:
    from prisons.nomis.stub import models as stub

    stub.Prisoner.objects.filter(number="A1001AA").update(alerts=["VIP"])
    alerts = fake.get("/prisoners/A1001AA/alerts").json()
    assert alerts["content"] and shape_problems(alerts, recorded("alerts-api.prisoner-alerts.with-alert.json")) == []

    request = recorded("nomis-prisoner-api.create-visit.request.json")
    for wrong in ({"endTime": "25:00"}, {"startDateTime": "tomorrow"}, {"visitorPersonIds": ["a"]}, {"room": ""}):
        assert fake.post("/prisoners/A1001AA/visits", json={**request, **wrong}).status_code == 400, wrong
    assert fake.post("/prisoners/A1001AA/visits", content=b"not json").status_code == 400
    created = fake.post("/prisoners/A1001AA/visits", json=request)
    assert created.status_code == 201
    assert shape_problems(created.json(), recorded("nomis-prisoner-api.create-visit.response.json")) == []
    again = fake.post("/prisoners/A1001AA/visits", json=request)
    assert again.status_code == 409 and again.json()["moreInfo"] == str(created.json()["visitId"])
    assert shape_problems(again.json(), recorded("nomis-prisoner-api.create-visit.conflict-409.json")) == []

    visit_id = created.json()["visitId"]
    read = fake.get(f"/visits/{visit_id}")
    assert shape_problems(read.json(), recorded("nomis-prisoner-api.visit.json")) == []
    cancel = recorded("nomis-prisoner-api.cancel-visit.request.json")
    assert fake.put(f"/prisoners/A1001AA/visits/{visit_id}/cancel", json=cancel).status_code == 200
    twice = fake.put(f"/prisoners/A1001AA/visits/{visit_id}/cancel", json=cancel)
    assert twice.status_code == 409
    assert shape_problems(twice.json(), recorded("nomis-prisoner-api.cancel-visit.conflict-409.json")) == []
    assert fake.get("/visits/999999").status_code == 404


@pytest.mark.django_db
def test_the_fake_token_has_the_real_shape_and_the_apis_want_one(fake: httpx.Client) -> None:
    issued = httpx.Client(transport=in_process.transport(), base_url=FAKE_ORIGIN).post(
        "/auth/oauth/token?grant_type=client_credentials", auth=("visit-someone-in-prison", "fake-secret")
    )
    assert issued.status_code == 200
    assert shape_problems(issued.json(), recorded("hmpps-auth.token.json")) == []
    anonymous = httpx.Client(transport=in_process.transport(), base_url=FAKE_ORIGIN)
    assert anonymous.get("/prisoner/A1001AA").status_code == 401
    wrong = anonymous.post("/auth/oauth/token?grant_type=client_credentials", auth=("visit-someone-in-prison", "no"))
    assert wrong.status_code == 401


# --- Events: the recorded SQS messages, as the interface's events ---------------------------------------------------

EVENTS = [
    ("domain-event.prisoner-released.sqs-message.json", EventType.RELEASED, "A1004AA", {}),
    ("domain-event.prisoner-received.sqs-message.json", EventType.MOVED, "A1001AA", {"to_prison": "CFI"}),
    (
        "domain-event.prisoner-restriction-changed.sqs-message.json",
        EventType.RESTRICTION_ADDED,
        "A1003AA",
        {"restriction": {"type": "closed"}},
    ),
    (
        "domain-event.person-restriction-upserted.sqs-message.json",
        EventType.VISITOR_BANNED,
        "A1006AA",
        {"contact_id": 100602, "end_date": "2027-03-07"},
    ),
    ("domain-event.visit-allocation-adjustment-created.sqs-message.json", EventType.ALLOWANCE_CHANGED, "A1001AA", {}),
    (
        "domain-event.person-alert-created.sqs-message.json",
        EventType.RESTRICTION_ADDED,
        "A1006AA",
        {"restriction": {"type": "alert VIP"}},
    ),
    (
        "domain-event.prisoner-alerts-updated.sqs-message.json",
        EventType.RESTRICTION_ADDED,
        "A1006AA",
        {"restriction": {"type": "alert VIP"}},
    ),
    (
        "domain-event.contact-unapproved.sqs-message.json",
        EventType.RESTRICTION_ADDED,
        "A1001AA",
        {"contact_id": 100102, "restriction": {"type": "not approved"}},
    ),
    (
        "domain-event.prisoner-contact-restriction-created.sqs-message.json",
        EventType.RESTRICTION_ADDED,
        "A1006AA",
        {"contact_id": 100602, "restriction": {"type": "visitor"}},
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("fixture", "kind", "number", "data"), EVENTS)
def test_a_recorded_domain_event_is_read_as_the_interfaces_event(
    fixture: str, kind: EventType, number: str, data: dict[str, object]
) -> None:
    body = (CONTRACT / fixture).read_text()
    assert events._store(body) and events._store(body)  # delivered twice, kept once
    (row,) = DomainEvent.objects.all()
    event = events.prisoner_event(row)
    assert event is not None
    assert (event.type, event.prisoner_number, event.data) == (kind, number, data)
    assert event.id == json.loads(body)["MessageId"] and event.occurred_at.tzinfo is not None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fixture",
    [
        "domain-event.non-association-created.sqs-message.json",
        "domain-event.prison-visit-booked.sqs-message.json",
        "domain-event.contact-restriction-created.sqs-message.json",  # about a contact, no prisoner
    ],
)
def test_events_that_mean_nothing_for_visits_are_kept_and_passed_over(fixture: str) -> None:
    assert events._store((CONTRACT / fixture).read_text())
    page = events.events_page(None, 10)
    assert page.events == () and page.cursor == str(DomainEvent.objects.get().id)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body", ["not json", "{}", '{"Type": "Notification", "MessageId": "x", "Message": "[]"}', None]
)
def test_a_message_that_cannot_be_read_is_left_on_the_queue(body: object) -> None:
    assert events._store(body) is False
    assert not DomainEvent.objects.exists()


def test_the_calls_of_one_question_are_in_flight_together() -> None:
    """The prisoner's three reads go out at once on the client's threads: the answers wait until all three have
    arrived (a barrier), which only works if nothing, the circuit breaker included, makes them queue."""
    import threading

    together = threading.Barrier(3, timeout=5)
    apis = RecordedApis(RYAN)

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path != "/auth/oauth/token":
            together.wait()
        return apis(request)

    with override_settings(HMPPS_AUTH_URL=ORIGIN, HMPPS_CLIENT_ID="visits", HMPPS_CLIENT_SECRET="secret"):
        http = HmppsHttp(transport=httpx.MockTransport(answer), state_storage=CircuitMemoryStorage("closed"))
    http.tokens.token()  # the token first, so that the three calls need nothing else
    client = HmppsNomisClient(http=http, urls=dict.fromkeys(API_KEYS.values(), ORIGIN))
    prisoner = client.get_prisoner("A1001AA")
    assert prisoner is not None and prisoner.first_name == "Ryan" and not together.broken
