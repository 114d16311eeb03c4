"""Small factories for tests: prisons with sessions, NOMIS facts as plain dataclasses, and parties."""

from __future__ import annotations

from datetime import date, time

from prisons.models import Prison, VisitSession
from prisons.nomis.interface import (
    ApprovedVisitor,
    LegalStatus,
    Prisoner,
    Restriction,
    VisitBalance,
)
from visits.models import Visit
from visits.rules import PartyMember
from visits.selectors import PrisonerContext
from visits.services import ContactDetails, PrisonerDetails, visit_book, visit_reserve


def make_prison(slug: str = "rochester", code: str = "RCI", **fields: object) -> Prison:
    defaults: dict[str, object] = {"name": slug.title(), "enabled": True, "adult_age": 18}
    return Prison.objects.create(slug=slug, code=code, **{**defaults, **fields})


def make_session(
    prison: Prison,
    day: date,
    start: time = time(14),
    *,
    open_capacity: int = 20,
    closed_capacity: int = 2,
    **fields: object,
) -> VisitSession:
    return VisitSession.objects.create(
        prison=prison,
        date=day,
        start_time=start,
        end_time=time(start.hour + 1, 45),
        open_capacity=open_capacity,
        closed_capacity=closed_capacity,
        **fields,
    )


def make_prisoner(
    number: str = "A1234BC",
    *,
    code: str = "RCI",
    restrictions: tuple[Restriction, ...] = (),
    legal_status: LegalStatus = LegalStatus.CONVICTED,
    **fields: object,
) -> Prisoner:
    defaults: dict[str, object] = {
        "first_name": "Jimmy",
        "last_name": "Harris",
        "date_of_birth": date(1990, 4, 12),
        "location": "A-1-013",
        "category": "C",
        "incentive_level": "STD",
    }
    return Prisoner(
        number=number, prison_code=code, legal_status=legal_status, restrictions=restrictions, **{**defaults, **fields}
    )  # type: ignore[arg-type]


APPROVED = (
    ApprovedVisitor(1, "Mary", "Harris", date(1988, 2, 3), "Wife"),
    ApprovedVisitor(2, "Tom", "Harris", date(2015, 6, 1), "Son"),
)


def make_context(
    prisoner: Prisoner | None = None,
    *,
    vos: int = 2,
    approved: tuple[ApprovedVisitor, ...] = APPROVED,
    non_associations: tuple[str, ...] = (),
    remand_per_week: int | None = None,
    unavailable: tuple = (),
) -> PrisonerContext:
    return PrisonerContext(
        prisoner=prisoner or make_prisoner(),
        balance=VisitBalance(
            visiting_orders=vos,
            privileged_visiting_orders=0,
            renews_on=date(2026, 12, 1),
            remand_visits_per_week=remand_per_week,
        ),
        approved=approved,
        non_associations=non_associations,
        unavailable=unavailable,
    )


def details(prisoner: Prisoner) -> PrisonerDetails:
    return PrisonerDetails(
        prisoner.number, prisoner.first_name, prisoner.last_name, prisoner.date_of_birth, prisoner.location
    )


def book_for(session: VisitSession, prisoner: Prisoner, *, email: str = "") -> Visit:
    """An open visit for this prisoner with Mary, held and booked through the services (another family's, or one
    booked by phone), told by email (the prisoner's number @example.com unless given)."""
    hold = visit_reserve(session=session, prisoner=details(prisoner), party=[MARY], closed=False)
    return visit_book(visit=hold, contact=ContactDetails(email=email or f"{prisoner.number.lower()}@example.com"))


MARY = PartyMember("Mary", "Harris", date(1988, 2, 3))
TOM = PartyMember("Tom", "Harris", date(2015, 6, 1))
