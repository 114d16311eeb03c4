"""The NOMIS contract: what every implementation of NomisClient must do, whatever is behind it.

Each test arranges facts through the implementation's arranger and asks only through the interface, so the same
tests can run against a real client (see arrangers.py).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from prisons.nomis.interface import (
    ApprovedVisitor,
    CancelOutcome,
    EventType,
    LegalStatus,
    NomisClient,
    NomisError,
    NomisNotFound,
    Prisoner,
    Restriction,
    RestrictionType,
    Unavailability,
    UnavailableReason,
    VisitBalance,
    VisitToRecord,
)
from tests.prisons.nomis.arrangers import IMPLEMENTATIONS, Nomis

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)
PRISONER = Prisoner(
    number="G4821KQ",
    first_name="Ryan",
    last_name="O'Neill",
    date_of_birth=date(1990, 3, 14),
    prison_code="RCI",
    location="B-2-014",
    category="C",
    incentive_level="ENH",
    legal_status=LegalStatus.CONVICTED,
    restrictions=(Restriction(RestrictionType.CLOSED, date(2026, 10, 1), date(2027, 1, 31), "After a find"),),
    alerts=("VIP",),
)
OTHER = replace(PRISONER, number="G7730HT", first_name="Lee", last_name="Hall", restrictions=(), alerts=())


@pytest.fixture(params=list(IMPLEMENTATIONS))
def nomis(request: pytest.FixtureRequest, db: None, no_faults: None) -> Nomis:
    return IMPLEMENTATIONS[request.param]()


def visit(reference: str = "ab-cd-ef-gh", number: str = PRISONER.number) -> VisitToRecord:
    start = datetime(2026, 12, 5, 14, 0, tzinfo=UTC)
    return VisitToRecord(
        reference=reference,
        prisoner_number=number,
        prison_code="RCI",
        start=start,
        end=start + timedelta(hours=1, minutes=45),
        closed=False,
        visitor_contact_ids=(101, 102),
        lead_visitor_name="Sophie O'Neill",
    )


def test_the_implementation_is_a_nomis_client(nomis: Nomis) -> None:
    assert isinstance(nomis.client, NomisClient)


# --- Prisoners ------------------------------------------------------------------------------------------------------


def test_a_prisoner_is_returned_as_nomis_holds_them(nomis: Nomis) -> None:
    nomis.arrange.add_prisoner(PRISONER)
    assert nomis.client.get_prisoner(PRISONER.number) == PRISONER


@pytest.mark.parametrize("typed", ["g4821kq", "G4821kQ", " G4821KQ "])
def test_prisoner_numbers_are_matched_in_any_case(nomis: Nomis, typed: str) -> None:
    nomis.arrange.add_prisoner(PRISONER)
    found = nomis.client.get_prisoner(typed)
    assert found is not None and found.number == "G4821KQ"


@pytest.mark.parametrize("number", ["G4821KR", "", "G4821", "not a number at all"])
def test_an_unknown_prisoner_is_none(nomis: Nomis, number: str) -> None:
    nomis.arrange.add_prisoner(PRISONER)
    assert nomis.client.get_prisoner(number) is None


def test_a_prisoners_restrictions_do_not_include_their_visitors(nomis: Nomis) -> None:
    nomis.arrange.add_prisoner(replace(PRISONER, restrictions=()))
    ban = Restriction(RestrictionType.BANNED, date(2026, 11, 1), date(2027, 2, 1))
    nomis.arrange.add_approved_visitor(PRISONER.number, ApprovedVisitor(501, "Wayne", "Hall", None, "Friend", (ban,)))
    found = nomis.client.get_prisoner(PRISONER.number)
    assert found is not None and found.restrictions == ()


# --- Approved visitors ----------------------------------------------------------------------------------------------


def test_approved_visitors_come_with_their_restrictions(nomis: Nomis) -> None:
    nomis.arrange.add_prisoner(PRISONER)
    ban = Restriction(RestrictionType.BANNED, date(2026, 11, 1), date(2027, 2, 1), "Passed an item")
    child_protection = Restriction(RestrictionType.CHILD_PROTECTION, date(2025, 6, 1))
    wife = ApprovedVisitor(501, "Sophie", "O'Neill", date(1991, 7, 3), "Wife")
    brother = ApprovedVisitor(502, "Wayne", "O'Neill", date(1987, 1, 9), "Brother", (child_protection, ban))
    daughter = ApprovedVisitor(503, "Lily", "O'Neill", date(2017, 9, 25), "Daughter")
    friend = ApprovedVisitor(504, "Gary", "Rogers", None, "Friend")
    ids = [nomis.arrange.add_approved_visitor(PRISONER.number, person) for person in (wife, brother, daughter, friend)]

    visitors = {visitor.contact_id: visitor for visitor in nomis.client.get_approved_visitors("g4821kq")}

    assert set(visitors) == set(ids)
    assert visitors[ids[0]] == replace(wife, contact_id=ids[0])
    assert visitors[ids[1]].restrictions == (child_protection, ban)  # oldest first
    assert visitors[ids[2]].date_of_birth == date(2017, 9, 25)
    assert visitors[ids[3]].date_of_birth is None and visitors[ids[3]].restrictions == ()


def test_approved_visitors_are_only_the_prisoners_own(nomis: Nomis) -> None:
    nomis.arrange.add_prisoner(PRISONER)
    nomis.arrange.add_prisoner(OTHER)
    nomis.arrange.add_approved_visitor(OTHER.number, ApprovedVisitor(601, "Tracey", "Hall", date(1970, 1, 1), "Mother"))
    assert nomis.client.get_approved_visitors(PRISONER.number) == []
    assert [v.first_name for v in nomis.client.get_approved_visitors(OTHER.number)] == ["Tracey"]
    assert nomis.client.get_approved_visitors("Z9999ZZ") == []


# --- Non-associations -----------------------------------------------------------------------------------------------


def test_non_associations_are_seen_from_both_sides(nomis: Nomis) -> None:
    third = replace(OTHER, number="A5555BB")
    for prisoner in (PRISONER, OTHER, third):
        nomis.arrange.add_prisoner(prisoner)
    nomis.arrange.add_non_association(OTHER.number, PRISONER.number)
    nomis.arrange.add_non_association(PRISONER.number, third.number)

    assert nomis.client.get_non_associations(PRISONER.number) == sorted([OTHER.number, third.number])
    assert nomis.client.get_non_associations(OTHER.number.lower()) == [PRISONER.number]
    assert nomis.client.get_non_associations(third.number) == [PRISONER.number]
    assert nomis.client.get_non_associations("Z9999ZZ") == []


# --- Visit balance --------------------------------------------------------------------------------------------------


def test_the_visit_balance_is_returned(nomis: Nomis) -> None:
    balance = VisitBalance(visiting_orders=0, privileged_visiting_orders=2, renews_on=date(2026, 12, 1))
    nomis.arrange.add_prisoner(PRISONER, balance=balance)
    assert nomis.client.get_visit_balance(PRISONER.number.lower()) == balance
    assert nomis.client.get_visit_balance(PRISONER.number).total == 2


def test_a_remand_prisoner_has_a_weekly_cap(nomis: Nomis) -> None:
    remand = VisitBalance(visiting_orders=0, privileged_visiting_orders=0, renews_on=None, remand_visits_per_week=3)
    nomis.arrange.add_prisoner(replace(PRISONER, legal_status=LegalStatus.REMAND), balance=remand)
    assert nomis.client.get_visit_balance(PRISONER.number).remand_visits_per_week == 3


def test_a_prisoner_with_no_balance_in_nomis_has_an_unknown_one(nomis: Nomis) -> None:
    nomis.arrange.add_prisoner(PRISONER, balance=None)
    assert nomis.client.get_visit_balance(PRISONER.number) == VisitBalance.unknown()
    facts = nomis.client.get_booking_facts(PRISONER.number, TODAY, TODAY + timedelta(days=28))
    assert facts is not None and not facts.balance.known and facts.balance.total == 0


def test_a_restriction_with_no_start_date_is_in_force_from_the_start_of_time(nomis: Nomis) -> None:
    undated = Restriction(RestrictionType.CLOSED, date.min)
    nomis.arrange.add_prisoner(replace(PRISONER, restrictions=(undated,), location=""))
    found = nomis.client.get_prisoner(PRISONER.number)
    assert found is not None and found.restrictions == (undated,) and found.location == ""
    assert found.restrictions[0].in_force_on(TODAY)


def test_the_balance_of_an_unknown_prisoner_is_not_found(nomis: Nomis) -> None:
    with pytest.raises(NomisNotFound):
        nomis.client.get_visit_balance("Z9999ZZ")


# --- Unavailable dates ----------------------------------------------------------------------------------------------


def test_unavailable_dates_are_those_in_the_range_only(nomis: Nomis) -> None:
    nomis.arrange.add_prisoner(PRISONER)
    for offset in (-1, 0, 5, 9, 10):
        day = TODAY + timedelta(days=offset)
        nomis.arrange.add_unavailability(PRISONER.number, Unavailability(day, UnavailableReason.COURT))
    nomis.arrange.add_unavailability(PRISONER.number, Unavailability(TODAY + timedelta(3), UnavailableReason.HOSPITAL))

    found = nomis.client.get_unavailable_dates(PRISONER.number, TODAY, TODAY + timedelta(days=9))

    assert found == [
        Unavailability(TODAY, UnavailableReason.COURT),
        Unavailability(TODAY + timedelta(days=3), UnavailableReason.HOSPITAL),
        Unavailability(TODAY + timedelta(days=5), UnavailableReason.COURT),
        Unavailability(TODAY + timedelta(days=9), UnavailableReason.COURT),
    ]
    assert nomis.client.get_unavailable_dates(PRISONER.number, TODAY + timedelta(1), TODAY + timedelta(2)) == []


def test_a_release_makes_every_day_from_then_on_unavailable(nomis: Nomis) -> None:
    nomis.arrange.add_prisoner(PRISONER)
    release_day = TODAY + timedelta(days=3)
    nomis.arrange.add_unavailability(PRISONER.number, Unavailability(release_day, UnavailableReason.RELEASE))

    found = nomis.client.get_unavailable_dates(PRISONER.number, TODAY, TODAY + timedelta(days=5))
    assert [u.date for u in found] == [release_day + timedelta(days=n) for n in range(3)]
    assert {u.reason for u in found} == {UnavailableReason.RELEASE}
    # Asked about a range that starts after the release, every day of it is unavailable.
    later = nomis.client.get_unavailable_dates(PRISONER.number, TODAY + timedelta(10), TODAY + timedelta(11))
    assert len(later) == 2


def test_no_unavailable_dates_for_others(nomis: Nomis) -> None:
    nomis.arrange.add_prisoner(PRISONER)
    nomis.arrange.add_prisoner(OTHER)
    nomis.arrange.add_unavailability(OTHER.number, Unavailability(TODAY, UnavailableReason.COURT))
    assert nomis.client.get_unavailable_dates(PRISONER.number, TODAY, TODAY + timedelta(days=28)) == []


# --- Recording and cancelling visits --------------------------------------------------------------------------------


def test_recording_a_visit_again_gives_the_same_id(nomis: Nomis) -> None:
    nomis.arrange.add_prisoner(PRISONER)
    nomis_id = nomis.client.record_visit(visit("ab-cd-ef-gh"))
    assert nomis.client.record_visit(visit("ab-cd-ef-gh")) == nomis_id
    assert nomis.client.record_visit(visit("ab-cd-ef-gh", number=PRISONER.number.lower())) == nomis_id
    other_id = nomis.client.record_visit(visit("jk-lm-np-qr"))
    assert other_id != nomis_id
    assert nomis.arrange.visit_status(nomis_id) == "booked"


def test_a_visit_for_an_unknown_prisoner_is_not_recorded(nomis: Nomis) -> None:
    with pytest.raises(NomisNotFound):
        nomis.client.record_visit(visit(number="Z9999ZZ"))


def test_cancelling_a_visit_again_does_nothing_more(nomis: Nomis) -> None:
    nomis.arrange.add_prisoner(PRISONER)
    nomis_id = nomis.client.record_visit(visit())
    nomis.client.cancel_visit(PRISONER.number, nomis_id, CancelOutcome.VISITOR_CANCELLED)
    assert nomis.arrange.visit_status(nomis_id) == "cancelled"
    nomis.client.cancel_visit(PRISONER.number, nomis_id, CancelOutcome.VISITOR_CANCELLED)
    assert nomis.arrange.visit_status(nomis_id) == "cancelled"


def test_a_visit_is_cancelled_only_for_its_own_prisoner(nomis: Nomis) -> None:
    nomis.arrange.add_prisoner(PRISONER)
    nomis.arrange.add_prisoner(OTHER)
    nomis_id = nomis.client.record_visit(visit())
    with pytest.raises(NomisError):
        nomis.client.cancel_visit(OTHER.number, nomis_id, CancelOutcome.VISITOR_CANCELLED)
    assert nomis.arrange.visit_status(nomis_id) == "booked"


@pytest.mark.parametrize("nomis_id", ["999999999", "not-an-id"])
def test_cancelling_an_unknown_visit_is_not_found(nomis: Nomis, nomis_id: str) -> None:
    with pytest.raises(NomisNotFound):
        nomis.client.cancel_visit(PRISONER.number, nomis_id, CancelOutcome.VISITOR_CANCELLED)


# --- Events ---------------------------------------------------------------------------------------------------------


def make_five_events(nomis: Nomis) -> None:
    nomis.arrange.add_prisoner(PRISONER)
    nomis.arrange.add_prisoner(OTHER)
    nomis.arrange.move_prisoner(PRISONER.number, "CFI")
    nomis.arrange.move_prisoner(OTHER.number, "BMI")
    nomis.arrange.move_prisoner(PRISONER.number, "RCI")
    nomis.arrange.release_prisoner(OTHER.number)
    nomis.arrange.move_prisoner(PRISONER.number, "LEI")


def test_events_come_in_pages_after_the_cursor(nomis: Nomis) -> None:
    start = nomis.client.events_since(None, limit=1000).cursor
    make_five_events(nomis)

    pages, cursor = [], start
    for _ in range(10):  # a cursor that does not move would page for ever
        page = nomis.client.events_since(cursor, limit=2)
        if not page.events:
            assert page.cursor == cursor  # an empty page leaves the cursor where it was
            break
        pages.append([event.id for event in page.events])
        cursor = page.cursor

    assert [len(ids) for ids in pages] == [2, 2, 1]
    ids = [event_id for ids in pages for event_id in ids]
    assert len(set(ids)) == 5
    everything = nomis.client.events_since(start, limit=100).events
    assert [event.id for event in everything] == ids  # oldest first, the same as paged
    assert [event.type for event in everything] == [EventType.MOVED] * 3 + [EventType.RELEASED, EventType.MOVED]
    assert [event.prisoner_number for event in everything][:2] == [PRISONER.number, OTHER.number]


def test_replaying_the_feed_gives_the_same_ids(nomis: Nomis) -> None:
    start = nomis.client.events_since(None, limit=1000).cursor
    make_five_events(nomis)
    first = nomis.client.events_since(start, limit=3)
    again = nomis.client.events_since(start, limit=3)
    assert [e.id for e in first.events] == [e.id for e in again.events]
    assert first.cursor == again.cursor
    rest = nomis.client.events_since(first.cursor, limit=3)
    assert [e.id for e in rest.events] == [e.id for e in nomis.client.events_since(first.cursor).events]
    assert len(rest.events) == 2


def test_new_events_follow_the_last_cursor(nomis: Nomis) -> None:
    nomis.arrange.add_prisoner(PRISONER)
    nomis.arrange.move_prisoner(PRISONER.number, "CFI")
    cursor = nomis.client.events_since(None, limit=1000).cursor
    assert nomis.client.events_since(cursor).events == ()

    nomis.arrange.move_prisoner(PRISONER.number, "BMI")

    (event,) = nomis.client.events_since(cursor).events
    assert event.type == EventType.MOVED and event.prisoner_number == PRISONER.number
    assert event.data["to_prison"] == "BMI"
    found = nomis.client.get_prisoner(PRISONER.number)
    assert found is not None and found.prison_code == "BMI"


def test_a_cursor_that_is_not_one_is_an_error(nomis: Nomis) -> None:
    with pytest.raises(NomisError):
        nomis.client.events_since("not a cursor")
