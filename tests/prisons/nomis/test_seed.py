"""Seeding the stub NOMIS: deterministic, realistic, replaced not duplicated, cheap in queries."""

from __future__ import annotations

import hashlib
import json
import random
import re
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from prisons.models import Prison
from prisons.nomis.interface import LegalStatus, RestrictionType, UnavailableReason
from prisons.nomis.stub import models as stub
from prisons.nomis.stub.client import StubNomisClient
from prisons.nomis.stub.known_prisoners import KNOWN_NUMBERS, KNOWN_PRISONERS, UNKNOWN_PRISONER_NUMBER
from prisons.nomis.stub.names import FEMALE_FIRST_NAMES
from prisons.nomis.stub.seed import BIRTH_ANCHOR, stub_seed

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)
NOMIS_NUMBER = re.compile(r"^[A-Z][0-9]{4}[A-Z]{2}$")
PRISONS = [  # slug, code
    ("rochester", "RCI"),
    ("cardiff", "CFI"),
    ("bronzefield", "BZI"),  # women's
    ("bullingdon-remand-only", "BNI"),
    ("bullingdon-convicted-only", "BNI"),  # two booking lines, one NOMIS code
    ("norwich-a-b-c-e-m-only", "NWI"),
]


@pytest.fixture
def prisons() -> None:
    Prison.objects.bulk_create(Prison(slug=slug, code=code, name=slug.title()) for slug, code in PRISONS)


@pytest.fixture
def client(no_faults: None) -> StubNomisClient:
    return StubNomisClient(rng=random.Random(0))


def digest() -> str:
    """A fingerprint of every seeded row (not the generated ids of restrictions)."""
    tables = {
        "prisoners": stub.Prisoner.objects.order_by("number").values_list(),
        "prisoner_restrictions": stub.PrisonerRestriction.objects.order_by(
            "prisoner_id", "type", "start_date"
        ).values_list("prisoner_id", "type", "start_date", "end_date", "comment"),
        "contacts": stub.Contact.objects.order_by("id").values_list(),
        "contact_restrictions": stub.ContactRestriction.objects.order_by(
            "contact_id", "type", "start_date"
        ).values_list("contact_id", "type", "start_date", "end_date", "comment"),
        "non_associations": stub.NonAssociation.objects.order_by("first_id", "second_id").values_list(
            "first_id", "second_id"
        ),
        "balances": stub.VisitBalance.objects.order_by("prisoner_id").values_list(),
        "unavailable": stub.UnavailableDate.objects.order_by("prisoner_id", "date", "reason").values_list(
            "prisoner_id", "date", "reason"
        ),
    }
    rows = {name: [list(row) for row in query] for name, query in tables.items()}
    return hashlib.sha256(json.dumps(rows, default=str, sort_keys=True).encode()).hexdigest()


def random_names() -> set[tuple[str, str]]:
    return set(
        stub.Prisoner.objects.exclude(number__in=KNOWN_NUMBERS).values_list("first_name", "last_name").order_by()
    )


def test_the_same_seed_gives_the_same_data(prisons: None) -> None:
    stub_seed(seed=7, per_prison=20, today=TODAY)
    first = digest()
    stub_seed(seed=8, per_prison=20, today=TODAY)
    assert digest() != first
    stub_seed(seed=7, per_prison=20, today=TODAY)
    assert digest() == first


def test_a_different_seed_gives_different_names(prisons: None) -> None:
    stub_seed(seed=1, per_prison=20, today=TODAY)
    names = random_names()
    stub_seed(seed=2, per_prison=20, today=TODAY)
    assert random_names() != names
    assert len(random_names() - names) > len(names) // 2


def test_seeding_again_replaces_the_data(prisons: None) -> None:
    summary = stub_seed(seed=3, per_prison=10, today=TODAY)
    counts = [model.objects.count() for model in (stub.Prisoner, stub.Contact, stub.VisitBalance)]
    stub_seed(seed=3, per_prison=10, today=TODAY)
    assert [model.objects.count() for model in (stub.Prisoner, stub.Contact, stub.VisitBalance)] == counts
    assert summary.prisoners == counts[0] == len(KNOWN_PRISONERS) + 10 * len(PRISONS)
    assert summary.prisons == len(PRISONS)


def test_seeding_keeps_recorded_visits_events_and_the_service_tables(prisons: None, client: StubNomisClient) -> None:
    from prisons.nomis.stub.services import event_fire
    from tests.prisons.nomis.test_contract import visit

    stub_seed(seed=3, per_prison=2, today=TODAY)
    nomis_id = client.record_visit(visit(number="A1001AA"))
    event_fire(event_type="moved", prisoner_number="A1001AA", to_prison="CFI")
    stub_seed(seed=3, per_prison=2, today=TODAY)
    assert client.record_visit(visit(number="A1001AA")) == nomis_id
    assert len(client.events_since(None).events) == 1
    assert Prison.objects.count() == len(PRISONS)
    assert client.get_prisoner("A1001AA").prison_code == "RCI"  # the seed puts the test prisoners back


def test_seeding_takes_a_bounded_number_of_queries(prisons: None, django_assert_max_num_queries) -> None:
    # One read of the prisons, a DELETE per table, a bulk INSERT (or a few batches on SQLite) per table.
    with django_assert_max_num_queries(30):
        summary = stub_seed(seed=5, per_prison=30, today=TODAY)
    assert summary.prisoners == len(KNOWN_PRISONERS) + 30 * len(PRISONS)
    assert summary.contacts > summary.prisoners


def test_numbers_look_like_nomis_numbers_and_are_unique(prisons: None) -> None:
    stub_seed(seed=11, per_prison=30, today=TODAY)
    numbers = list(stub.Prisoner.objects.values_list("number", flat=True))
    assert all(NOMIS_NUMBER.match(number) for number in numbers)
    assert len(numbers) == len(set(numbers))
    assert UNKNOWN_PRISONER_NUMBER not in numbers


def test_random_prisoners_are_realistic(prisons: None) -> None:
    stub_seed(seed=11, per_prison=30, today=TODAY)
    randoms = stub.Prisoner.objects.exclude(number__in=KNOWN_NUMBERS)
    for prisoner in randoms:
        age = _age(prisoner.date_of_birth, BIRTH_ANCHOR)
        assert 18 <= age <= 75, prisoner
        assert re.match(r"^[A-Z]-[1-4]-[0-9]{3}$", prisoner.location), prisoner.location
        assert prisoner.incentive_level in {"BAS", "STD", "ENH"}
    assert {p.category for p in randoms.filter(prison_code="RCI")} <= {"B", "C", "D"}
    assert all(p.first_name in FEMALE_FIRST_NAMES for p in randoms.filter(prison_code="BZI"))
    bullingdon = randoms.filter(prison_code="BNI")
    assert bullingdon.filter(legal_status=LegalStatus.REMAND).count() == 30  # the remand-only line's 30
    assert {p.location[0] for p in randoms.filter(prison_code="NWI")} <= set("ABCEM")
    relationships = set(stub.Contact.objects.values_list("relationship", flat=True))
    assert {"Mother", "Son", "Daughter"} <= relationships and relationships & {"Wife", "Partner", "Girlfriend"}
    contact_ages = [
        _age(born, BIRTH_ANCHOR) for born in stub.Contact.objects.values_list("date_of_birth", flat=True) if born
    ]
    assert min(contact_ages) < 18 <= max(contact_ages)  # children and adults, for the adult and lead-visitor rules


def test_the_fixed_test_prisoners_show_their_rules(client: StubNomisClient) -> None:
    stub_seed(seed=99, per_prison=30, today=TODAY)  # no prisons at all: the test prisoners are still there
    window = (TODAY, TODAY + timedelta(days=28))

    ordinary = client.get_prisoner("a1001aa")
    assert ordinary is not None and (ordinary.first_name, ordinary.last_name) == ("Ryan", "Walker")
    assert ordinary.date_of_birth == date(1988, 4, 12) and ordinary.prison_code == "RCI"
    assert client.get_visit_balance("A1001AA").total > 0
    family = {v.relationship: v for v in client.get_approved_visitors("A1001AA")}
    assert set(family) == {"Wife", "Mother", "Daughter"}
    assert _age(family["Wife"].date_of_birth, TODAY) >= 18 and _age(family["Mother"].date_of_birth, TODAY) >= 18
    assert _age(family["Daughter"].date_of_birth, TODAY) < 18

    no_orders = client.get_visit_balance("A1002AA")
    assert no_orders.total == 0 and no_orders.renews_on == TODAY + timedelta(days=10)

    closed = client.get_prisoner("A1003AA")
    assert closed is not None and [r.type for r in closed.restrictions] == [RestrictionType.CLOSED]
    assert closed.restrictions[0].in_force_on(TODAY)

    released = client.get_unavailable_dates("A1004AA", *window)
    assert released[0] == _unavailable(TODAY + timedelta(days=12), UnavailableReason.RELEASE)
    assert client.get_unavailable_dates("A1005AA", *window) == [
        _unavailable(TODAY + timedelta(days=7), UnavailableReason.COURT)
    ]

    restricted = {v.contact_id: v for v in client.get_approved_visitors("A1006AA")}
    ban = restricted[100602].restrictions[0]
    assert ban.type == RestrictionType.BANNED and ban.end_date is not None and ban.end_date > TODAY
    assert restricted[100603].restrictions[0].type == RestrictionType.CHILD_PROTECTION

    assert client.get_non_associations("A1007AA") == ["A1008AA"]
    assert client.get_non_associations("A1008AA") == ["A1007AA"]
    assert {client.get_prisoner(n).prison_code for n in ("A1007AA", "A1008AA")} == {"RCI"}

    remand = client.get_prisoner("A1009AA")
    assert remand is not None and remand.legal_status == LegalStatus.REMAND
    assert client.get_visit_balance("A1009AA").remand_visits_per_week == 3

    no_visits = client.get_prisoner("A1010AA")
    assert no_visits is not None and no_visits.restrictions[0].type == RestrictionType.NO_VISITS

    ages = sorted(_age(v.date_of_birth, TODAY) for v in client.get_approved_visitors("A1011AA"))
    assert sum(age >= 18 for age in ages) == 4 and any(16 <= age < 18 for age in ages)

    assert {client.get_prisoner(n).prison_code for n in ("A2001AA", "A2002AA", "A2003AA", "A2004AA")} == {"CFI"}
    assert client.get_prisoner(UNKNOWN_PRISONER_NUMBER) is None


def test_the_test_prisoners_are_the_same_whatever_the_seed(client: StubNomisClient) -> None:
    stub_seed(seed=1, per_prison=0, today=TODAY)
    first = [client.get_prisoner(n) for n in sorted(KNOWN_NUMBERS)]
    stub_seed(seed=2, per_prison=0, today=TODAY)
    assert [client.get_prisoner(n) for n in sorted(KNOWN_NUMBERS)] == first


def test_the_readme_lists_every_test_prisoner() -> None:
    readme = (Path(django_settings.BASE_DIR) / "README.md").read_text()
    section = readme.split("## Test prisoners (NOMIS stub)", 1)[1]
    for known in KNOWN_PRISONERS:
        assert f"`{known.number}`" in section, known.number
        assert known.last_name in section


def test_the_command_seeds_with_the_setting_or_the_given_seed(prisons: None, settings) -> None:
    settings.NOMIS_STUB_SEED = 5
    out = StringIO()
    call_command("seed_nomis_stub", "--per-prison", "4", stdout=out)
    assert "seed 5" in out.getvalue() and f"{len(KNOWN_PRISONERS) + 4 * len(PRISONS)} prisoners" in out.getvalue()
    from_setting = digest()
    call_command("seed_nomis_stub", "--seed", "5", "--per-prison", "4", stdout=StringIO())
    assert digest() == from_setting
    call_command("seed_nomis_stub", "--seed", "6", "--per-prison", "4", stdout=StringIO())
    assert digest() != from_setting


def _age(born: date | None, on: date) -> int:
    assert born is not None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _unavailable(day: date, reason: UnavailableReason) -> object:
    from prisons.nomis.interface import Unavailability

    return Unavailability(day, reason)
