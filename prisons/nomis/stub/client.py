"""``StubNomisClient``: the NOMIS interface answered from the stub's tables (``prisons.nomis.stub.models``).

Every call first passes through fault injection (``faults.inject_faults``: one primary-key query), then asks one
indexed question of the database for each thing it answers (``get_booking_facts`` answers five, after one fault
check); only a retried ``record_visit`` or ``cancel_visit`` asks a second one.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, Subquery
from django.utils import timezone

from prisons.nomis.interface import (
    ApprovedVisitor,
    BookingFacts,
    CancelOutcome,
    EventPage,
    EventType,
    LegalStatus,
    NomisError,
    NomisNotFound,
    Prisoner,
    PrisonerEvent,
    Restriction,
    RestrictionType,
    Unavailability,
    UnavailableReason,
    VisitBalance,
    VisitToRecord,
)
from prisons.nomis.stub import models as stub
from prisons.nomis.stub.faults import inject_faults

PRISONER_NUMBER_LENGTH = 7
MAX_EVENTS_PER_PAGE = 1000
# A release or a transfer makes every day from its date on unavailable, not just the day itself.
ONWARD_REASONS = (UnavailableReason.RELEASE, UnavailableReason.TRANSFER)
_RESTRICTION_COLUMNS = ("type", "start_date", "end_date", "comment")


def normalise_number(number: str) -> str:
    """Prisoner numbers in any case, with stray spaces, as NOMIS stores them: 'a1234bc ' -> 'A1234BC'."""
    return str(number).strip().upper()


class StubNomisClient:
    """The NOMIS interface over the stub's seeded data. ``rng`` drives the injected failure rate (tests seed it)."""

    def __init__(self, *, rng: random.Random | None = None) -> None:
        self.rng = rng or random.Random()

    def get_prisoner(self, number: str) -> Prisoner | None:
        inject_faults("get_prisoner", self.rng)
        return self._prisoner(number)

    def _prisoner(self, number: str) -> Prisoner | None:
        number = normalise_number(number)
        if len(number) != PRISONER_NUMBER_LENGTH:
            return None
        columns = ("first_name", "last_name", "date_of_birth", "prison_code", "location", "category")
        columns += ("incentive_level", "legal_status", "alerts")
        joined = tuple(f"restrictions__{column}" for column in _RESTRICTION_COLUMNS)
        rows = list(
            stub.Prisoner.objects.filter(number=number)
            .values_list(*columns, *joined)
            .order_by("restrictions__start_date", "restrictions__id")
        )
        if not rows:
            return None
        first = dict(zip(columns, rows[0][: len(columns)], strict=True))
        return Prisoner(
            number=number,
            first_name=first["first_name"],
            last_name=first["last_name"],
            date_of_birth=first["date_of_birth"],
            prison_code=first["prison_code"],
            location=first["location"],
            category=first["category"],
            incentive_level=first["incentive_level"],
            legal_status=LegalStatus(first["legal_status"]),
            restrictions=tuple(_restriction(row[len(columns) :]) for row in rows if row[len(columns)] is not None),
            alerts=tuple(first["alerts"] or ()),
        )

    def get_approved_visitors(self, number: str) -> list[ApprovedVisitor]:
        inject_faults("get_approved_visitors", self.rng)
        return self._approved_visitors(number)

    def _approved_visitors(self, number: str) -> list[ApprovedVisitor]:
        columns = ("id", "first_name", "last_name", "date_of_birth", "relationship")
        joined = tuple(f"restrictions__{column}" for column in _RESTRICTION_COLUMNS)
        rows = (
            stub.Contact.objects.filter(prisoner_id=normalise_number(number))
            .values_list(*columns, *joined)
            .order_by("id", "restrictions__start_date", "restrictions__id")
        )
        people: dict[int, dict[str, Any]] = {}
        restrictions: dict[int, list[Restriction]] = {}
        for row in rows:
            contact_id = row[0]
            people.setdefault(contact_id, dict(zip(columns, row[: len(columns)], strict=True)))
            found = restrictions.setdefault(contact_id, [])
            if row[len(columns)] is not None:
                found.append(_restriction(row[len(columns) :]))
        return [
            ApprovedVisitor(
                contact_id=contact_id,
                first_name=person["first_name"],
                last_name=person["last_name"],
                date_of_birth=person["date_of_birth"],
                relationship=person["relationship"],
                restrictions=tuple(restrictions[contact_id]),
            )
            for contact_id, person in people.items()
        ]

    def get_non_associations(self, number: str) -> list[str]:
        inject_faults("get_non_associations", self.rng)
        return self._non_associations(number)

    def _non_associations(self, number: str) -> list[str]:
        number = normalise_number(number)
        pairs = stub.NonAssociation.objects.filter(Q(first_id=number) | Q(second_id=number)).values_list(
            "first_id", "second_id"
        )
        return sorted({second if first == number else first for first, second in pairs})

    def get_visit_balance(self, number: str) -> VisitBalance:
        inject_faults("get_visit_balance", self.rng)
        return self._visit_balance(number)

    def _visit_balance(self, number: str) -> VisitBalance:
        balance = self._visit_balance_row(number)
        if balance is None:
            if not stub.Prisoner.objects.filter(number=normalise_number(number)).exists():
                raise NomisNotFound(f"No prisoner {normalise_number(number)} in NOMIS")
            return VisitBalance.unknown()
        return balance

    def _visit_balance_row(self, number: str) -> VisitBalance | None:
        row = (
            stub.VisitBalance.objects.filter(prisoner_id=normalise_number(number))
            .values_list("visiting_orders", "privileged_visiting_orders", "renews_on", "remand_visits_per_week")
            .first()
        )
        if row is None:
            return None
        return VisitBalance(
            visiting_orders=row[0], privileged_visiting_orders=row[1], renews_on=row[2], remand_visits_per_week=row[3]
        )

    def get_unavailable_dates(self, number: str, start: date, end: date) -> list[Unavailability]:
        inject_faults("get_unavailable_dates", self.rng)
        return self._unavailable_dates(number, start, end)

    def _unavailable_dates(self, number: str, start: date, end: date) -> list[Unavailability]:
        if end < start:
            return []
        rows = (
            stub.UnavailableDate.objects.filter(prisoner_id=normalise_number(number))
            .filter(Q(date__range=(start, end)) | Q(reason__in=ONWARD_REASONS, date__lt=start))
            .values_list("date", "reason")
        )
        found: set[tuple[date, UnavailableReason]] = set()
        for day, reason_value in rows:
            reason = UnavailableReason(reason_value)
            if reason in ONWARD_REASONS:
                first = max(day, start)
                found.update((first + timedelta(days=n), reason) for n in range((end - first).days + 1))
            else:
                found.add((day, reason))
        return [Unavailability(date=day, reason=reason) for day, reason in sorted(found)]

    def get_booking_facts(self, number: str, start: date, end: date) -> BookingFacts | None:
        inject_faults("get_booking_facts", self.rng)  # one call: the faults are checked once
        prisoner = self._prisoner(number)
        # The same reads whether or not there is such a prisoner, so that how long the answer takes does not say
        # whether a number is real (the public prisoner step is guessed at).
        number = normalise_number(number)
        balance = self._visit_balance_row(number)
        approved = tuple(self._approved_visitors(number))
        non_associations = tuple(self._non_associations(number))
        unavailable = tuple(self._unavailable_dates(number, start, end))
        if prisoner is None:
            return None
        return BookingFacts(
            prisoner=prisoner,
            balance=balance or VisitBalance.unknown(),  # NOMIS holds none: the prison must check
            approved=approved,
            non_associations=non_associations,
            unavailable=unavailable,
        )

    def record_visit(self, visit: VisitToRecord) -> str:
        inject_faults("record_visit", self.rng)
        number = normalise_number(visit.prisoner_number)
        already = stub.RecordedVisit.objects.filter(reference=visit.reference).values("pk")[:1]
        # One query says both whether the prisoner exists and whether this reference is already recorded.
        found = list(
            stub.Prisoner.objects.filter(number=number)
            .annotate(visit_id=Subquery(already))
            .values_list("visit_id", flat=True)
        )
        if not found:
            raise NomisNotFound(f"No prisoner {number} in NOMIS")
        if found[0] is not None:
            return str(found[0])
        try:
            with transaction.atomic():
                recorded = stub.RecordedVisit.objects.create(
                    reference=visit.reference,
                    prisoner_number=number,
                    prison_code=visit.prison_code,
                    start=visit.start,
                    end=visit.end,
                    closed=visit.closed,
                    visitor_contact_ids=list(visit.visitor_contact_ids),
                    lead_visitor_name=visit.lead_visitor_name,
                )
        except IntegrityError:  # a concurrent retry recorded it first
            return str(stub.RecordedVisit.objects.values_list("pk", flat=True).get(reference=visit.reference))
        return str(recorded.pk)

    def cancel_visit(self, prisoner_number: str, nomis_visit_id: str, outcome: CancelOutcome) -> None:
        inject_faults("cancel_visit", self.rng)
        try:
            pk = int(nomis_visit_id)
        except (TypeError, ValueError):
            raise NomisNotFound(f"No visit {nomis_visit_id!r} in NOMIS") from None
        visits = stub.RecordedVisit.objects.filter(pk=pk, prisoner_number=normalise_number(prisoner_number))
        cancelled = visits.filter(status=stub.RecordedVisit.Status.BOOKED).update(
            status=stub.RecordedVisit.Status.CANCELLED,
            cancellation_reason=CancelOutcome(outcome).value,
            cancelled_at=timezone.now(),
        )
        if not cancelled and not visits.exists():
            raise NomisNotFound(f"No visit {nomis_visit_id!r} of {prisoner_number!r} in NOMIS")

    def events_since(self, cursor: str | None, limit: int = 100) -> EventPage:
        inject_faults("events_since", self.rng)
        after = _cursor_position(cursor)
        limit = max(1, min(int(limit), MAX_EVENTS_PER_PAGE))
        rows = (
            stub.Event.objects.filter(id__gt=after)
            .order_by("id")
            .values_list("id", "type", "prisoner_number", "occurred_at", "data")[:limit]
        )
        events = tuple(
            PrisonerEvent(
                id=str(event_id), type=EventType(kind), prisoner_number=number, occurred_at=occurred_at, data=data
            )
            for event_id, kind, number, occurred_at, data in rows
        )
        return EventPage(events=events, cursor=events[-1].id if events else str(after))


def _restriction(values: tuple[Any, ...]) -> Restriction:
    kind, start_date, end_date, comment = values
    # NOMIS holds restrictions with no start date: in force from the start of time, never dropped.
    return Restriction(
        type=RestrictionType(kind), start_date=start_date or date.min, end_date=end_date, comment=comment or ""
    )


def _cursor_position(cursor: str | None) -> int:
    if cursor is None or cursor == "":
        return 0
    try:
        position = int(cursor)
    except (TypeError, ValueError):
        raise NomisError(f"Not a NOMIS event cursor: {cursor!r}") from None
    if position < 0:
        raise NomisError(f"Not a NOMIS event cursor: {cursor!r}")
    return position
