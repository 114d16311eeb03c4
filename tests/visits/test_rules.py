"""The booking rules, as pure functions with fixed dates: no database."""

from __future__ import annotations

from datetime import date

import pytest

from prisons.nomis.interface import (
    ApprovedVisitor,
    LegalStatus,
    Restriction,
    RestrictionType,
    Unavailability,
    UnavailableReason,
    VisitBalance,
)
from tests.factories import APPROVED, MARY, TOM, make_prisoner
from visits.rules import (
    Outcome,
    PartyMember,
    PartyProblem,
    PrisonerCheck,
    RefusalReason,
    ReviewReason,
    age_on,
    check_allowance,
    check_prisoner,
    decide,
    match_visitor,
    names_match,
    party_problems,
    remand_week_full,
    session_open_to,
    unavailable_on,
)

VISIT_DAY = date(2026, 12, 1)
BALANCE = VisitBalance(visiting_orders=1, privileged_visiting_orders=0, renews_on=date(2026, 12, 10))


def test_age_on_counts_whole_years_and_birthdays() -> None:
    assert age_on(date(2008, 12, 1), VISIT_DAY) == 18
    assert age_on(date(2008, 12, 2), VISIT_DAY) == 17
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17  # leap-day birthday


@pytest.mark.parametrize(
    ("dobs", "adult_age", "expected"),
    [
        ([], 18, [PartyProblem.NO_VISITORS]),
        ([date(1980, 1, 1)], 18, []),
        ([date(1980, 1, 1)] * 3 + [date(2015, 1, 1)] * 3, 18, []),  # 3 adults, 3 children: the most allowed
        ([date(1980, 1, 1)] * 4, 18, [PartyProblem.TOO_MANY_ADULTS]),
        ([date(1980, 1, 1)] + [date(2015, 1, 1)] * 6, 18, [PartyProblem.TOO_MANY_VISITORS]),
        ([date(2010, 1, 1)], 18, [PartyProblem.LEAD_UNDER_18]),
        (
            [date(1980, 1, 1), date(2014, 1, 1), date(2014, 1, 1), date(2014, 1, 1)],
            10,
            [PartyProblem.TOO_MANY_ADULTS],
        ),  # at a prison whose adult age is 10, three 12-year-olds are adults
        ([date(1980, 1, 1), date(2014, 1, 1), date(2014, 1, 1), date(2014, 1, 1)], 18, []),
    ],
)
def test_party_problems(dobs: list[date], adult_age: int, expected: list[PartyProblem]) -> None:
    assert party_problems(dobs, on=VISIT_DAY, adult_age=adult_age) == expected


def test_lead_visitor_age_is_on_the_day_of_the_visit() -> None:
    assert party_problems([date(2008, 11, 30)], on=VISIT_DAY, adult_age=18) == []
    assert party_problems([date(2008, 12, 2)], on=VISIT_DAY, adult_age=18) == [PartyProblem.LEAD_UNDER_18]


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("O'Brien", "obrien", True),
        ("Zoë", "Zoe", True),
        ("Smith-Jones", "Smith Jones", True),
        ("Catherine", "Cathrine", True),
        ("Harris", "Morris", False),
        ("Ann", "Anne", True),
        ("", "Ann", False),
    ],
)
def test_names_match_tolerates_case_accents_hyphens_and_typos(a: str, b: str, same: bool) -> None:
    assert names_match(a, b) is same


def test_match_visitor_needs_the_same_date_of_birth() -> None:
    assert match_visitor(PartyMember("mary", "HARRIS", date(1988, 2, 3)), APPROVED) == APPROVED[0]
    assert match_visitor(PartyMember("Mary", "Harris", date(1988, 2, 4)), APPROVED) is None
    no_dob = ApprovedVisitor(9, "Sam", "Lee", None, "Friend")
    assert match_visitor(PartyMember("Sam", "Lee", date(1990, 1, 1)), [no_dob]) == no_dob


def test_check_prisoner_gives_one_answer_for_any_mismatch() -> None:
    prisoner = make_prisoner()
    ok = {"last_name": "harris", "date_of_birth": date(1990, 4, 12), "prison_codes": ["RCI"]}
    assert check_prisoner(prisoner, **ok) == PrisonerCheck.OK
    assert check_prisoner(None, **ok) == PrisonerCheck.NOT_FOUND
    assert check_prisoner(prisoner, **{**ok, "last_name": "Smith"}) == PrisonerCheck.NOT_FOUND
    assert check_prisoner(prisoner, **{**ok, "date_of_birth": date(1990, 4, 13)}) == PrisonerCheck.NOT_FOUND
    assert check_prisoner(prisoner, **{**ok, "prison_codes": ["CFI"]}) == PrisonerCheck.AT_ANOTHER_PRISON
    released = make_prisoner(code="OUT")
    assert check_prisoner(released, **ok) == PrisonerCheck.RELEASED


def test_allowance_for_convicted_and_remand() -> None:
    convicted = make_prisoner()
    assert check_allowance(convicted, BALANCE).ok
    empty = VisitBalance(0, 0, date(2026, 12, 10))
    assert check_allowance(convicted, empty) == check_allowance(convicted, empty).__class__(False, date(2026, 12, 10))
    remand = make_prisoner(legal_status=LegalStatus.REMAND)
    capped = VisitBalance(0, 0, None, remand_visits_per_week=3)
    assert check_allowance(remand, capped).ok and check_allowance(remand, capped).weekly_limit == 3
    assert not remand_week_full(3, 2) and remand_week_full(3, 3) and not remand_week_full(None, 10)


def test_session_groups() -> None:
    prisoner = make_prisoner(location="A-1-013", incentive_level="ENH", category="C")
    assert session_open_to(prisoner, locations=[], incentive_levels=[], categories=[])
    assert session_open_to(prisoner, locations=["A"], incentive_levels=["ENH"], categories=["C", "D"])
    assert session_open_to(prisoner, locations=["B", "A-1"], incentive_levels=[], categories=[])
    assert not session_open_to(
        make_prisoner(location="A-10-001"), locations=["A-1"], incentive_levels=[], categories=[]
    )
    assert not session_open_to(prisoner, locations=[], incentive_levels=["BAS", "STD"], categories=[])
    assert not session_open_to(prisoner, locations=[], incentive_levels=[], categories=["D"])


def test_unavailable_on() -> None:
    court = Unavailability(VISIT_DAY, UnavailableReason.COURT)
    assert unavailable_on(VISIT_DAY, [court]) == court
    assert unavailable_on(date(2026, 12, 2), [court]) is None


def restricted(kind: RestrictionType, end: date | None = None) -> Restriction:
    return Restriction(kind, date(2026, 1, 1), end)


def test_decide_books_an_approved_party() -> None:
    decision = decide(prisoner=make_prisoner(), balance=BALANCE, approved=APPROVED, party=[MARY, TOM], on=VISIT_DAY)
    assert decision.outcome == Outcome.BOOK and decision.matches == (1, 2) and not decision.closed


@pytest.mark.parametrize(
    ("prisoner_restrictions", "visitor_restrictions", "party", "outcome", "codes"),
    [
        (
            (),
            (),
            [MARY, PartyMember("Ann", "Other", date(1970, 1, 1))],
            Outcome.REQUEST,
            [ReviewReason.VISITOR_NOT_APPROVED],
        ),
        ((restricted(RestrictionType.CLOSED),), (), [MARY], Outcome.REQUEST, [ReviewReason.CLOSED_VISIT]),
        (
            (),
            (restricted(RestrictionType.BANNED, date(2027, 1, 1)),),
            [MARY],
            Outcome.REQUEST,
            [ReviewReason.VISITOR_BANNED],
        ),
        ((), (restricted(RestrictionType.BANNED, date(2026, 11, 30)),), [MARY], Outcome.BOOK, []),  # ban ended
        (
            (),
            (restricted(RestrictionType.BANNED),),
            [MARY],
            Outcome.REFUSE,
            [RefusalReason.VISITOR_BANNED_INDEFINITELY],
        ),
        (
            (restricted(RestrictionType.CHILD_PROTECTION),),
            (),
            [MARY, TOM],
            Outcome.REQUEST,
            [ReviewReason.CHILD_PROTECTION],
        ),
        ((restricted(RestrictionType.CHILD_PROTECTION),), (), [MARY], Outcome.BOOK, []),  # no child in the party
        ((restricted(RestrictionType.NO_VISITS),), (), [MARY], Outcome.REFUSE, [RefusalReason.PRISONER_NO_VISITS]),
    ],
)
def test_decide(prisoner_restrictions, visitor_restrictions, party, outcome, codes) -> None:  # type: ignore[no-untyped-def]
    approved = (ApprovedVisitor(1, "Mary", "Harris", date(1988, 2, 3), "Wife", visitor_restrictions), APPROVED[1])
    decision = decide(
        prisoner=make_prisoner(restrictions=prisoner_restrictions),
        balance=BALANCE,
        approved=approved,
        party=party,
        on=VISIT_DAY,
    )
    assert decision.outcome == outcome
    assert [r.code for r in decision.reasons] == codes
    assert all(r.message for r in decision.reasons)


def test_decide_refuses_without_allowance_and_says_closed() -> None:
    decision = decide(
        prisoner=make_prisoner(),
        balance=VisitBalance(0, 0, date(2026, 12, 10)),
        approved=APPROVED,
        party=[MARY],
        on=VISIT_DAY,
    )
    assert decision.outcome == Outcome.REFUSE and decision.reasons[0].code == RefusalReason.NO_ALLOWANCE
    closed = decide(
        prisoner=make_prisoner(restrictions=(restricted(RestrictionType.CLOSED),)),
        balance=BALANCE,
        approved=APPROVED,
        party=[MARY],
        on=VISIT_DAY,
    )
    assert closed.closed


def test_a_request_is_answered_in_time_within_three_working_days() -> None:
    from visits.rules import request_answered_in_time

    asked = date(2026, 11, 2)  # a Monday
    assert request_answered_in_time(asked, date(2026, 11, 5), works_weekends=False)  # Thursday: 3 working days
    assert not request_answered_in_time(asked, date(2026, 11, 6), works_weekends=False)  # Friday: 4
    assert request_answered_in_time(date(2026, 11, 6), date(2026, 11, 11), works_weekends=False)  # over a weekend
    assert not request_answered_in_time(date(2026, 11, 6), date(2026, 11, 11), works_weekends=True)


def test_a_clerks_choice_of_visit_type_books_what_only_that_choice_made_a_request() -> None:
    from visits.rules import Decision, Outcome, Reason, ReviewReason, staff_chose_visit_type

    closed_only = Decision(Outcome.REQUEST, (Reason(ReviewReason.CLOSED_VISIT, "closed"),), closed=True)
    assert staff_chose_visit_type(closed_only, closed=False) == Decision(Outcome.BOOK, (), closed=False)
    also_unapproved = Decision(
        Outcome.REQUEST,
        (Reason(ReviewReason.CLOSED_VISIT, "closed"), Reason(ReviewReason.VISITOR_NOT_APPROVED, "not on the list")),
        closed=True,
    )
    assert staff_chose_visit_type(also_unapproved, closed=True).outcome == Outcome.REQUEST
