"""`manage.py nomis_event`: fire a prisoner event in the stub, applied to its data and added to the feed."""

from __future__ import annotations

import random
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from prisons.nomis.interface import EventType, RestrictionType
from prisons.nomis.stub import models as stub
from prisons.nomis.stub.client import StubNomisClient
from prisons.nomis.stub.seed import stub_seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(no_faults: None) -> StubNomisClient:
    stub_seed(seed=1, per_prison=0)
    return StubNomisClient(rng=random.Random(0))


def fire(*args: str) -> str:
    out = StringIO()
    call_command("nomis_event", *args, stdout=out)
    return out.getvalue()


def only_event(client: StubNomisClient):
    (event,) = client.events_since(None).events
    return event


def test_a_move_changes_the_prison_and_is_reported(client: StubNomisClient) -> None:
    output = fire("moved", "a1001aa", "--to-prison", "cfi")
    assert "moved A1001AA" in output
    assert client.get_prisoner("A1001AA").prison_code == "CFI"
    event = only_event(client)
    assert (event.type, event.prisoner_number, event.data) == (
        EventType.MOVED,
        "A1001AA",
        {"from_prison": "RCI", "to_prison": "CFI"},
    )


def test_a_release_takes_the_prisoner_out(client: StubNomisClient) -> None:
    fire("released", "A1004AA")
    assert client.get_prisoner("A1004AA").prison_code == "OUT"
    assert only_event(client).type == EventType.RELEASED


def test_a_restriction_on_the_prisoner(client: StubNomisClient) -> None:
    fire("restriction_added", "A1001AA", "--restriction", "closed")
    prisoner = client.get_prisoner("A1001AA")
    assert [r.type for r in prisoner.restrictions] == [RestrictionType.CLOSED]
    assert prisoner.restrictions[0].end_date is None
    assert only_event(client).data["restriction"]["type"] == "closed"


def test_a_restriction_on_one_visitor(client: StubNomisClient) -> None:
    end = date.today() + timedelta(days=60)
    fire("restriction_added", "A1001AA", "--contact-id", "100102", "--restriction", "child_protection",
         "--end-date", end.isoformat())  # fmt: skip
    visitors = {v.contact_id: v for v in client.get_approved_visitors("A1001AA")}
    assert [(r.type, r.end_date) for r in visitors[100102].restrictions] == [(RestrictionType.CHILD_PROTECTION, end)]
    assert visitors[100101].restrictions == ()
    assert client.get_prisoner("A1001AA").restrictions == ()
    assert only_event(client).data["contact_id"] == 100102


def test_a_visitor_banned_until_a_date(client: StubNomisClient) -> None:
    end = date.today() + timedelta(days=90)
    fire("visitor_banned", "A1001AA", "--contact-id", "100101", "--end-date", end.isoformat())
    wife = next(v for v in client.get_approved_visitors("A1001AA") if v.contact_id == 100101)
    assert [(r.type, r.end_date) for r in wife.restrictions] == [(RestrictionType.BANNED, end)]
    assert only_event(client).data == {"contact_id": 100101, "end_date": end.isoformat()}


def test_an_allowance_change(client: StubNomisClient) -> None:
    fire("allowance_changed", "A1001AA", "--visiting-orders", "0")
    balance = client.get_visit_balance("A1001AA")
    assert (balance.visiting_orders, balance.privileged_visiting_orders) == (0, 1)  # PVOs as they were
    assert only_event(client).data == {"visiting_orders": 0, "privileged_visiting_orders": 1}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["moved", "Z9999ZZ", "--to-prison", "CFI"], "No prisoner Z9999ZZ"),
        (["moved", "A1001AA"], "NOMIS code"),
        (["moved", "A1001AA", "--to-prison", "RCI"], "already at RCI"),
        (["visitor_banned", "A1001AA"], "which contact"),
        (["visitor_banned", "A1001AA", "--contact-id", "200101"], "no approved contact 200101"),
        (["restriction_added", "A1001AA"], "which restriction"),
        (["allowance_changed", "A1001AA"], "visiting orders"),
        (["allowance_changed", "A1001AA", "--visiting-orders", "-1"], "negative"),
    ],
)
def test_an_event_that_cannot_apply_changes_nothing(client: StubNomisClient, args: list[str], message: str) -> None:
    before = list(stub.Prisoner.objects.values_list())
    with pytest.raises(CommandError, match=message):
        fire(*args)
    assert client.events_since(None).events == ()
    assert list(stub.Prisoner.objects.values_list()) == before
    assert not stub.ContactRestriction.objects.filter(contact__prisoner_id="A1001AA").exists()


def test_an_unknown_event_type_is_refused(client: StubNomisClient) -> None:
    with pytest.raises(CommandError):
        fire("escaped", "A1001AA")
