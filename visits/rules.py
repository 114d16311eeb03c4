"""The booking rules as pure functions: no database, no NOMIS calls, no request.

They take plain values (dates, NOMIS dataclasses, session facts) and return decisions with reasons a person can
read, so that each rule is stated once, tested on its own, and shared by the public journey and the staff console.
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from django.utils.translation import gettext_noop
from rapidfuzz import fuzz

from prisons.nomis.interface import (
    ApprovedVisitor,
    LegalStatus,
    Prisoner,
    Restriction,
    RestrictionType,
    Unavailability,
    VisitBalance,
)
from prisons.window import processing_days_after

MAX_VISITORS = 6
MAX_ADULTS = 3
LEAD_VISITOR_MIN_AGE = 18
MAX_PREFERENCES = 3
REQUEST_ANSWER_DAYS = 3  # visitors are told the prison answers a request within 3 working days
NAME_MATCH_THRESHOLD = 85  # rapidfuzz ratio (0-100) above which two normalised names are the same person


# Names


def normalise_name(name: str) -> str:
    """Case, accents, hyphens, apostrophes and spaces folded away: "O'Brien-Smyth" -> "obriensmyth"."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum() and not unicodedata.combining(ch))


def names_match(a: str, b: str) -> bool:
    """The same name, allowing for case, accents, punctuation and a small typo."""
    na, nb = normalise_name(a), normalise_name(b)
    if not na or not nb:
        return False
    return na == nb or fuzz.ratio(na, nb) >= NAME_MATCH_THRESHOLD


def age_on(date_of_birth: date, day: date) -> int:
    """Age in whole years on ``day``."""
    had_birthday = (day.month, day.day) >= (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - (0 if had_birthday else 1)


# The prisoner


class PrisonerCheck(enum.StrEnum):
    OK = "ok"
    NOT_FOUND = "not_found"  # no such prisoner, or the details do not match: one message for both
    AT_ANOTHER_PRISON = "at_another_prison"
    RELEASED = "released"


def check_prisoner(
    prisoner: Prisoner | None, *, last_name: str, date_of_birth: date, prison_codes: Iterable[str]
) -> PrisonerCheck:
    """Whether the details a visitor gave identify a prisoner at the chosen prison."""
    if prisoner is None or prisoner.date_of_birth != date_of_birth or not names_match(prisoner.last_name, last_name):
        return PrisonerCheck.NOT_FOUND
    if prisoner.prison_code == "OUT":
        return PrisonerCheck.RELEASED
    if prisoner.prison_code not in set(prison_codes):
        return PrisonerCheck.AT_ANOTHER_PRISON
    return PrisonerCheck.OK


def prisoner_has_restriction(prisoner: Prisoner, kind: RestrictionType, day: date) -> bool:
    return any(r.type == kind and r.in_force_on(day) for r in prisoner.restrictions)


def closed_visits_restriction(prisoner: Prisoner, day: date) -> Restriction | None:
    """The restriction in force that makes this prisoner's visits that day closed visits, if there is one."""
    return next((r for r in prisoner.restrictions if r.type == RestrictionType.CLOSED and r.in_force_on(day)), None)


def visit_must_be_closed(prisoner: Prisoner, day: date) -> bool:
    return closed_visits_restriction(prisoner, day) is not None


def session_open_to(
    prisoner: Prisoner, *, locations: Sequence[str], incentive_levels: Sequence[str], categories: Sequence[str]
) -> bool:
    """Whether a session limited to groups of prisoners (empty lists: no limit) is open to this prisoner."""
    if locations and not any(_location_within(prisoner.location, prefix) for prefix in locations):
        return False
    if incentive_levels and prisoner.incentive_level not in incentive_levels:
        return False
    return not (categories and prisoner.category not in categories)


def _location_within(location: str, prefix: str) -> bool:
    # "A" covers "A-1-013"; "A-1" covers "A-1-013" but not "A-10-001".
    parts, prefix_parts = location.upper().split("-"), prefix.upper().split("-")
    return parts[: len(prefix_parts)] == prefix_parts


def unavailable_on(day: date, unavailable: Iterable[Unavailability]) -> Unavailability | None:
    return next((u for u in unavailable if u.date == day), None)


# Allowance


@dataclass(frozen=True)
class AllowanceCheck:
    ok: bool
    renews_on: date | None = None
    weekly_limit: int | None = None  # remand prisoners: visits a week


def check_allowance(prisoner: Prisoner, balance: VisitBalance) -> AllowanceCheck:
    """Convicted prisoners need a visiting order left; remand prisoners have a weekly cap instead (checked per
    week by ``remand_week_full``)."""
    if prisoner.legal_status == LegalStatus.REMAND:
        return AllowanceCheck(ok=True, weekly_limit=balance.remand_visits_per_week)
    if not balance.known:  # nothing in NOMIS to refuse on: the prison checks it (a request, ``decide``)
        return AllowanceCheck(ok=True)
    return AllowanceCheck(ok=balance.total > 0, renews_on=balance.renews_on)


def remand_week_full(weekly_limit: int | None, visits_that_week: int) -> bool:
    return weekly_limit is not None and visits_that_week >= weekly_limit


# The party


class PartyProblem(enum.StrEnum):
    NO_VISITORS = "no_visitors"
    TOO_MANY_VISITORS = "too_many_visitors"
    TOO_MANY_ADULTS = "too_many_adults"
    LEAD_UNDER_18 = "lead_under_18"


PARTY_MESSAGES = {
    PartyProblem.NO_VISITORS: gettext_noop("Add at least one visitor"),
    PartyProblem.TOO_MANY_VISITORS: gettext_noop("A visit can have up to {max_visitors} visitors"),
    PartyProblem.TOO_MANY_ADULTS: gettext_noop("A visit can have up to {max_adults} people aged {adult_age} or over"),
    PartyProblem.LEAD_UNDER_18: gettext_noop("The lead visitor must be 18 or over on the day of the visit"),
}


def can_lead_a_visit(dates_of_birth: Iterable[date | None], *, on: date) -> bool:
    """Whether any of these visitors is old enough to lead a visit on that day: no visit goes ahead without one."""
    return any(born is not None and age_on(born, on) >= LEAD_VISITOR_MIN_AGE for born in dates_of_birth)


def count_adults(dates_of_birth: Iterable[date], *, on: date, adult_age: int) -> int:
    return sum(1 for dob in dates_of_birth if age_on(dob, on) >= adult_age)


def party_problems(
    dates_of_birth: Sequence[date],
    *,
    on: date,
    adult_age: int,
    max_visitors: int = MAX_VISITORS,
    max_adults: int = MAX_ADULTS,
) -> list[PartyProblem]:
    """What is wrong with a party visiting on ``on`` (the first date of birth is the lead visitor's)."""
    if not dates_of_birth:
        return [PartyProblem.NO_VISITORS]
    problems = []
    if len(dates_of_birth) > max_visitors:
        problems.append(PartyProblem.TOO_MANY_VISITORS)
    if count_adults(dates_of_birth, on=on, adult_age=adult_age) > max_adults:
        problems.append(PartyProblem.TOO_MANY_ADULTS)
    if age_on(dates_of_birth[0], on) < LEAD_VISITOR_MIN_AGE:
        problems.append(PartyProblem.LEAD_UNDER_18)
    return problems


@dataclass(frozen=True)
class PartyMember:
    first_name: str
    last_name: str
    date_of_birth: date


def match_visitor(member: PartyMember, approved: Iterable[ApprovedVisitor]) -> ApprovedVisitor | None:
    """The approved-list contact this visitor is: same date of birth (where NOMIS has one) and the same name,
    allowing for case, accents, hyphens and small typos."""
    for contact in approved:
        if contact.date_of_birth is not None and contact.date_of_birth != member.date_of_birth:
            continue
        if names_match(contact.first_name, member.first_name) and names_match(contact.last_name, member.last_name):
            return contact
    return None


# The decision


class Outcome(enum.StrEnum):
    BOOK = "book"
    REQUEST = "request"
    REFUSE = "refuse"


class ReviewReason(enum.StrEnum):
    """Why a booking needs a person to decide: it becomes a request, not a refusal."""

    VISITOR_NOT_APPROVED = "visitor_not_approved"
    CLOSED_VISIT = "closed_visit"
    VISITOR_BANNED = "visitor_banned"
    CHILD_PROTECTION = "child_protection"
    ALLOWANCE_UNKNOWN = "allowance_unknown"  # NOMIS holds no visit balance for the prisoner


class RefusalReason(enum.StrEnum):
    PRISONER_NO_VISITS = "prisoner_no_visits"
    VISITOR_BANNED_INDEFINITELY = "visitor_banned_indefinitely"
    NO_ALLOWANCE = "no_allowance"


REASON_MESSAGES: dict[str, str] = {
    ReviewReason.VISITOR_NOT_APPROVED: "{name} is not on the prisoner's approved visitor list yet",
    ReviewReason.CLOSED_VISIT: "Visits to this prisoner must be closed visits",
    ReviewReason.VISITOR_BANNED: "{name} has a restriction on visiting until {end_date}",
    ReviewReason.CHILD_PROTECTION: "Visits with children need the prison to check them first",
    ReviewReason.ALLOWANCE_UNKNOWN: "The prison needs to check the prisoner's visiting allowance",
    RefusalReason.PRISONER_NO_VISITS: "The prisoner cannot have social visits at the moment",
    RefusalReason.VISITOR_BANNED_INDEFINITELY: "{name} cannot visit this prisoner",
    RefusalReason.NO_ALLOWANCE: "The prisoner has no visiting allowance left",
}


@dataclass(frozen=True)
class Reason:
    code: str
    message: str


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    reasons: tuple[Reason, ...] = ()
    closed: bool = False
    matches: tuple[int | None, ...] = field(default=())  # approved-list contact id per visitor, or None


def decide(
    *,
    prisoner: Prisoner,
    balance: VisitBalance,
    approved: Sequence[ApprovedVisitor],
    party: Sequence[PartyMember],
    on: date,
) -> Decision:
    """Book, make it a request, or refuse a visit by this party to this prisoner on ``on``.

    Party size and session availability are checked elsewhere (``party_problems``, the availability selector):
    this decides on the people. Hard rules refuse; anything a person must decide turns it into a request.
    """
    refusals: list[Reason] = []
    reviews: list[Reason] = []
    if prisoner_has_restriction(prisoner, RestrictionType.NO_VISITS, on):
        refusals.append(_reason(RefusalReason.PRISONER_NO_VISITS))
    if not check_allowance(prisoner, balance).ok:
        refusals.append(_reason(RefusalReason.NO_ALLOWANCE))
    elif not balance.known and prisoner.legal_status != LegalStatus.REMAND:
        reviews.append(_reason(ReviewReason.ALLOWANCE_UNKNOWN))
    closed = visit_must_be_closed(prisoner, on)
    if closed:
        reviews.append(_reason(ReviewReason.CLOSED_VISIT))
    has_child = any(age_on(m.date_of_birth, on) < LEAD_VISITOR_MIN_AGE for m in party)
    if has_child and prisoner_has_restriction(prisoner, RestrictionType.CHILD_PROTECTION, on):
        reviews.append(_reason(ReviewReason.CHILD_PROTECTION))

    matches: list[int | None] = []
    for member in party:
        name = f"{member.first_name} {member.last_name}"
        contact = match_visitor(member, approved)
        matches.append(contact.contact_id if contact else None)
        if contact is None:
            reviews.append(_reason(ReviewReason.VISITOR_NOT_APPROVED, name=name))
            continue
        for restriction in contact.restrictions:
            if not restriction.in_force_on(on):
                continue
            if restriction.type == RestrictionType.BANNED:
                if restriction.end_date is None:
                    refusals.append(_reason(RefusalReason.VISITOR_BANNED_INDEFINITELY, name=name))
                else:
                    end = f"{restriction.end_date.day} {restriction.end_date:%B %Y}"
                    reviews.append(_reason(ReviewReason.VISITOR_BANNED, name=name, end_date=end))
            elif restriction.type == RestrictionType.CLOSED:
                closed = True
                reviews.append(_reason(ReviewReason.CLOSED_VISIT))
            elif restriction.type == RestrictionType.CHILD_PROTECTION and has_child:
                reviews.append(_reason(ReviewReason.CHILD_PROTECTION))

    if refusals:
        return Decision(Outcome.REFUSE, tuple(refusals), closed, tuple(matches))
    if reviews:
        return Decision(Outcome.REQUEST, tuple(dict.fromkeys(reviews)), closed, tuple(matches))
    return Decision(Outcome.BOOK, (), closed, tuple(matches))


def staff_chose_visit_type(decision: Decision, *, closed: bool) -> Decision:
    """The decision once a clerk has chosen open or closed for a prisoner with a closed-visits restriction: that
    choice was the only thing a request would have waited for, so a booking it alone made a request is booked."""
    only_the_visit_type = {r.code for r in decision.reasons} == {ReviewReason.CLOSED_VISIT}
    if decision.outcome == Outcome.REQUEST and only_the_visit_type:
        return replace(decision, outcome=Outcome.BOOK, reasons=(), closed=closed)
    return replace(decision, closed=closed)


def _reason(code: str, **values: str) -> Reason:
    return Reason(code, REASON_MESSAGES[code].format(**values))


def request_answered_in_time(asked_on: date, answered_on: date, *, works_weekends: bool) -> bool:
    """Whether a request was answered within the working days visitors are promised (bank holidays skipped)."""
    return processing_days_after(asked_on, answered_on, works_weekends=works_weekends) <= REQUEST_ANSWER_DAYS
