"""NOMIS's data as it really is (issue 28): a prisoner with no cell, visitors with no date of birth or listed twice,
a restriction with no dates, no visit balance. None of it is an error page or a crash in a rule; each is listed for
the prison "to check in NOMIS", with when it was first and last seen, and goes once NOMIS is put right. The same
through the stub test double and through the HTTP client talking to the fake HMPPS server."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.management.commands.sync_roles import sync_roles
from accounts.roles import VISITS_TEAM
from prisons.models import NomisCheck
from prisons.nomis import reset_client
from prisons.nomis.interface import LegalStatus, RestrictionType
from prisons.nomis.stub import models as stub
from prisons.nomis.stub.seed import stub_seed
from tests.browser.staff_helpers import make_staff as make_staff_user
from tests.factories import make_prison
from tests.prisons.nomis.arrangers import hmpps_nomis
from visits.rules import Outcome, PartyMember, ReviewReason, decide
from visits.selectors import cached_prisoner_context, forget_prisoner_context

pytestmark = pytest.mark.django_db
FIRST, LAST = timezone.localdate(), timezone.localdate() + timedelta(days=28)


@pytest.fixture(autouse=True)
def seeded() -> None:
    stub_seed(seed=1, per_prison=0, prisons=[])


def checks(number: str) -> set[tuple[str, str]]:
    return set(NomisCheck.objects.filter(prisoner_number=number).values_list("kind", "subject"))


def test_what_nomis_gets_wrong_is_listed_for_the_prison_and_goes_once_it_is_right() -> None:
    facts = cached_prisoner_context("A1012AA", first=FIRST, last=LAST)
    assert facts is not None and facts.prisoner.location == ""
    assert checks("A1012AA") == {
        (NomisCheck.Kind.NO_CELL, ""),
        (NomisCheck.Kind.SAME_VISITOR_TWICE, "101202,101203"),
        (NomisCheck.Kind.NO_DATE_OF_BIRTH, "101204"),
    }
    assert set(NomisCheck.objects.values_list("prison_code", flat=True)) == {"RCI"}
    cached_prisoner_context("A1013AA", first=FIRST, last=LAST)
    assert checks("A1013AA") == {
        (NomisCheck.Kind.NO_VISIT_BALANCE, ""),
        (NomisCheck.Kind.RESTRICTION_WITHOUT_START, ""),
    }
    first_seen = NomisCheck.objects.get(prisoner_number="A1012AA", kind=NomisCheck.Kind.NO_CELL).first_seen

    # The prison puts two of them right in NOMIS; the next look at the prisoner drops them and keeps the other.
    stub.Prisoner.objects.filter(number="A1012AA").update(location="C-2-010")
    stub.Contact.objects.filter(id=101203).delete()
    forget_prisoner_context("A1012AA")
    cached_prisoner_context("A1012AA", first=FIRST, last=LAST)
    assert checks("A1012AA") == {(NomisCheck.Kind.NO_DATE_OF_BIRTH, "101204")}
    left = NomisCheck.objects.get(prisoner_number="A1012AA")
    assert left.first_seen >= first_seen and left.last_seen >= left.first_seen
    assert checks("A1001AA") == set()  # an ordinary prisoner: nothing


def test_a_number_nomis_does_not_know_lists_nothing() -> None:
    assert cached_prisoner_context("Z9999ZZ", first=FIRST, last=LAST) is None
    assert cached_prisoner_context("G4821", first=FIRST, last=LAST) is None
    assert not NomisCheck.objects.exists()


def test_no_balance_makes_a_booking_a_request_and_a_restriction_with_no_dates_is_in_force() -> None:
    facts = cached_prisoner_context("A1013AA", first=FIRST, last=LAST)
    assert facts is not None and not facts.balance.known
    day = FIRST + timedelta(days=7)
    amy = PartyMember("Amy", "Carter", date(1993, 2, 27))
    decision = decide(prisoner=facts.prisoner, balance=facts.balance, approved=facts.approved, party=[amy], on=day)
    assert decision.outcome == Outcome.REQUEST
    assert [r.code for r in decision.reasons] == [ReviewReason.ALLOWANCE_UNKNOWN]
    child = PartyMember("Kai", "Carter", date(2018, 5, 5))
    with_child = decide(
        prisoner=facts.prisoner, balance=facts.balance, approved=facts.approved, party=[amy, child], on=day
    )
    assert ReviewReason.CHILD_PROTECTION in [r.code for r in with_child.reasons]  # no dates: in force


def test_a_misspelt_visitor_or_one_with_no_date_of_birth_is_never_refused() -> None:
    facts = cached_prisoner_context("A1012AA", first=FIRST, last=LAST)
    assert facts is not None
    day = FIRST + timedelta(days=7)
    for party in (
        [PartyMember("Michelle", "Foster", date(1986, 11, 2))],  # NOMIS has "Michele"
        [PartyMember("Tina", "Foster", date(1962, 7, 19))],  # on the list twice
        [PartyMember("Tina", "Foster", date(1962, 7, 19)), PartyMember("Jordan", "Foster", date(2001, 1, 1))],
    ):
        decision = decide(prisoner=facts.prisoner, balance=facts.balance, approved=facts.approved, party=party, on=day)
        assert decision.outcome in (Outcome.BOOK, Outcome.REQUEST), (party, decision)


def test_the_http_client_tolerates_the_same_data_from_the_fake_hmpps_server(settings) -> None:  # type: ignore[no-untyped-def]
    client = hmpps_nomis().client
    paul = client.get_booking_facts("A1012AA", FIRST, LAST)
    assert paul is not None and paul.prisoner.location == ""
    assert {v.contact_id: v.date_of_birth for v in paul.approved}[101204] is None
    lee = client.get_booking_facts("A1013AA", FIRST, LAST)
    assert lee is not None and not lee.balance.known and lee.prisoner.legal_status == LegalStatus.CONVICTED
    (restriction,) = lee.prisoner.restrictions
    assert restriction.type == RestrictionType.CHILD_PROTECTION and restriction.start_date == date.min
    assert restriction.in_force_on(FIRST)


def test_staff_see_their_prisons_list_and_only_theirs(settings) -> None:  # type: ignore[no-untyped-def]
    sync_roles()
    rochester, cardiff = make_prison(), make_prison("cardiff", "CFI")
    cached_prisoner_context("A1012AA", first=FIRST, last=LAST)
    cached_prisoner_context("A1013AA", first=FIRST, last=LAST)
    NomisCheck.objects.create(
        prison_code="CFI",
        prisoner_number="A2001AA",
        kind="no_cell",
        first_seen=timezone.now(),
        last_seen=timezone.now(),
    )
    client = Client()
    client.force_login(make_staff_user("rochester-team", VISITS_TEAM, rochester))
    page = client.get("/staff/rochester/to-check-in-nomis").content.decode()
    assert "5 things to check" in page and "A1012AA" in page and "A1013AA" in page and "A2001AA" not in page
    assert "The same visitor is on the approved list twice" in page and "Tina Foster (101202,101203)" in page
    assert client.get("/staff/cardiff/to-check-in-nomis").status_code == 404  # not a prison they cover
    assert "5 things to check in NOMIS" in client.get("/staff/rochester/").content.decode()
    figures = client.get("/staff/rochester/performance").content.decode()
    assert "Things to check in NOMIS now" in figures
    head = figures.split("</head>")[0]
    assert "<h2" not in head and "<title>Performance figures – " in head  # the charts are in the body only
    other = Client()
    other.force_login(make_staff_user("cardiff-team", VISITS_TEAM, cardiff))
    page = other.get("/staff/cardiff/to-check-in-nomis").content.decode()
    assert "1 thing to check" in page and "A1012AA" not in page
    reset_client()


def test_items_nobody_has_looked_at_for_four_weeks_go_and_so_do_old_events(settings) -> None:  # type: ignore[no-untyped-def]
    from housekeeping.tasks import forget_old_nomis_data
    from prisons.nomis.hmpps.models import DomainEvent

    cached_prisoner_context("A1012AA", first=FIRST, last=LAST)
    cached_prisoner_context("A1013AA", first=FIRST, last=LAST)
    long_ago = timezone.now() - timedelta(days=settings.NOMIS_CHECKS_DAYS, minutes=1)
    NomisCheck.objects.filter(prisoner_number="A1013AA").update(last_seen=long_ago)
    old = DomainEvent.objects.create(message_id="old", event_type="x", event={})
    DomainEvent.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=31))
    DomainEvent.objects.create(message_id="new", event_type="x", event={})

    assert forget_old_nomis_data() == {"events": 1, "checks": 2}
    assert checks("A1013AA") == set() and len(checks("A1012AA")) == 3
    assert list(DomainEvent.objects.values_list("message_id", flat=True)) == ["new"]
    assert forget_old_nomis_data() == {"events": 0, "checks": 0}  # safe to run again
