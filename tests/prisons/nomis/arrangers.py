"""The implementations of NomisClient that the contract suite runs against, each with its arranger.

An arranger sets facts up in that implementation's NOMIS, in the interface's own words (its dataclasses), and
reads back what the interface cannot (whether a visit is cancelled). To run the contract against a real client:
write an arranger for its test environment, add a factory here, and add its name to ``params`` in
test_contract.py's ``nomis`` fixture.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from botocore.credentials import Credentials
from django.test import override_settings
from pybreaker import CircuitMemoryStorage

from hmpps_fake import in_process
from prisons.nomis.hmpps.client import API_KEYS, HmppsNomisClient
from prisons.nomis.hmpps.events import EventsQueue
from prisons.nomis.hmpps.transport import HmppsHttp
from prisons.nomis.interface import ApprovedVisitor, NomisClient, Prisoner, Unavailability, VisitBalance
from prisons.nomis.stub.arrange import StubArranger
from prisons.nomis.stub.client import StubNomisClient


class NomisArranger(Protocol):
    def add_prisoner(self, prisoner: Prisoner, *, balance: VisitBalance | None = ...) -> str: ...

    def add_approved_visitor(self, number: str, visitor: ApprovedVisitor) -> int: ...

    def add_non_association(self, number: str, other_number: str) -> None: ...

    def set_visit_balance(self, number: str, balance: VisitBalance) -> None: ...

    def add_unavailability(self, number: str, unavailability: Unavailability) -> None: ...

    def move_prisoner(self, number: str, to_prison: str) -> None: ...

    def release_prisoner(self, number: str) -> None: ...

    def visit_status(self, nomis_visit_id: str) -> str | None: ...


@dataclass(frozen=True)
class Nomis:
    client: NomisClient
    arrange: NomisArranger


def stub_nomis() -> Nomis:
    return Nomis(client=StubNomisClient(rng=random.Random(0)), arrange=StubArranger())


FAKE_ORIGIN = "http://hmpps-fake.test"
FAKE_QUEUE = f"{FAKE_ORIGIN}/000000000000/prisoner-events"


def hmpps_http(**kwargs: object) -> HmppsHttp:
    """The HTTP side of the client, talking to the fake HMPPS server's views inside the test process."""
    with override_settings(
        HMPPS_AUTH_URL=FAKE_ORIGIN, HMPPS_CLIENT_ID="visit-someone-in-prison", HMPPS_CLIENT_SECRET="fake-secret"
    ):
        return HmppsHttp(transport=in_process.transport(), state_storage=CircuitMemoryStorage("closed"), **kwargs)


def hmpps_nomis() -> Nomis:
    """The HTTP client against the fake HMPPS server's views, over the same stub tables the arranger writes."""
    urls = dict.fromkeys(API_KEYS.values(), FAKE_ORIGIN)
    http = hmpps_http()
    queue = EventsQueue(http, queue_url=FAKE_QUEUE, region="eu-west-2", credentials=Credentials("fake-id", "fake-key"))
    client = HmppsNomisClient(http=http, urls=urls, events=queue, concurrent=False)
    return Nomis(client=client, arrange=StubArranger())


IMPLEMENTATIONS: dict[str, Callable[[], Nomis]] = {"stub": stub_nomis, "hmpps": hmpps_nomis}
