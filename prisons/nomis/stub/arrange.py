"""Arrange facts in the stub NOMIS for a test, in the interface's own words (its dataclasses).

The contract tests (tests/prisons/nomis/test_contract.py) arrange through this, so that a real client can run the
same tests with an arranger of its own (one that sets the facts up in a NOMIS test environment). Other tests may
use it to give the stub a prisoner without seeding: ``StubArranger().add_prisoner(Prisoner(...))``.
"""

from __future__ import annotations

from prisons.nomis.interface import (
    ApprovedVisitor,
    EventType,
    Prisoner,
    Unavailability,
    VisitBalance,
)
from prisons.nomis.stub import models as stub
from prisons.nomis.stub.client import normalise_number
from prisons.nomis.stub.services import event_fire

DEFAULT_BALANCE = VisitBalance(visiting_orders=2, privileged_visiting_orders=1, renews_on=None)


class StubArranger:
    """Writes straight to the stub's tables; every method returns what a test needs to refer to what it made."""

    def add_prisoner(self, prisoner: Prisoner, *, balance: VisitBalance | None = DEFAULT_BALANCE) -> str:
        number = normalise_number(prisoner.number)
        stub.Prisoner.objects.create(
            number=number,
            first_name=prisoner.first_name,
            last_name=prisoner.last_name,
            date_of_birth=prisoner.date_of_birth,
            prison_code=prisoner.prison_code,
            location=prisoner.location,
            category=prisoner.category,
            incentive_level=prisoner.incentive_level,
            legal_status=prisoner.legal_status,
            alerts=list(prisoner.alerts),
        )
        stub.PrisonerRestriction.objects.bulk_create(
            stub.PrisonerRestriction(
                prisoner_id=number,
                type=restriction.type,
                start_date=restriction.start_date,
                end_date=restriction.end_date,
                comment=restriction.comment,
            )
            for restriction in prisoner.restrictions
        )
        if balance is not None:
            self.set_visit_balance(number, balance)
        return number

    def add_approved_visitor(self, number: str, visitor: ApprovedVisitor) -> int:
        """Add a contact; returns its contact id (the given one, or the next free one when it is 0)."""
        contact_id = visitor.contact_id or self._next_contact_id()
        stub.Contact.objects.create(
            id=contact_id,
            prisoner_id=normalise_number(number),
            first_name=visitor.first_name,
            last_name=visitor.last_name,
            date_of_birth=visitor.date_of_birth,
            relationship=visitor.relationship,
        )
        stub.ContactRestriction.objects.bulk_create(
            stub.ContactRestriction(
                contact_id=contact_id,
                type=restriction.type,
                start_date=restriction.start_date,
                end_date=restriction.end_date,
                comment=restriction.comment,
            )
            for restriction in visitor.restrictions
        )
        return contact_id

    def add_non_association(self, number: str, other_number: str) -> None:
        first, second = sorted((normalise_number(number), normalise_number(other_number)))
        stub.NonAssociation.objects.get_or_create(first_id=first, second_id=second)

    def set_visit_balance(self, number: str, balance: VisitBalance) -> None:
        stub.VisitBalance.objects.update_or_create(
            prisoner_id=normalise_number(number),
            defaults={
                "visiting_orders": balance.visiting_orders,
                "privileged_visiting_orders": balance.privileged_visiting_orders,
                "renews_on": balance.renews_on,
                "remand_visits_per_week": balance.remand_visits_per_week,
            },
        )

    def add_unavailability(self, number: str, unavailability: Unavailability) -> None:
        stub.UnavailableDate.objects.create(
            prisoner_id=normalise_number(number), date=unavailability.date, reason=unavailability.reason
        )

    def move_prisoner(self, number: str, to_prison: str) -> None:
        """Move the prisoner in NOMIS: the feed reports it."""
        event_fire(event_type=EventType.MOVED, prisoner_number=number, to_prison=to_prison)

    def release_prisoner(self, number: str) -> None:
        event_fire(event_type=EventType.RELEASED, prisoner_number=number)

    def visit_status(self, nomis_visit_id: str) -> str | None:
        """'booked' or 'cancelled' as NOMIS holds the visit, or None when NOMIS has no such visit."""
        return stub.RecordedVisit.objects.filter(pk=int(nomis_visit_id)).values_list("status", flat=True).first()

    def _next_contact_id(self) -> int:
        last = stub.Contact.objects.order_by("-id").values_list("id", flat=True).first()
        return (last or 0) + 1
