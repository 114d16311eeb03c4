"""The NOMIS interface: every fact the service needs from the prison records system, and nothing else.

The service reaches NOMIS only through an object of this protocol, got from ``prisons.nomis.get_client()``. The
HTTP client (``prisons.nomis.hmpps``) implements it over the HMPPS APIs; the stub (``prisons.nomis.stub``) over
seeded data in the database. Both pass the same contract tests (``tests/prisons/nomis/test_contract.py``).

Failures are exceptions of one family: callers catch ``NomisError`` (or its subclasses) and never transport
errors. ``NomisUnavailable`` means NOMIS is down or did not answer in time: the caller may retry later.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol, runtime_checkable


class NomisError(Exception):
    """NOMIS could not answer the question."""


class NomisUnavailable(NomisError):
    """NOMIS is down or failed: try again later."""


class NomisTimeout(NomisUnavailable):
    """NOMIS did not answer within the timeout."""


class NomisNotFound(NomisError):
    """NOMIS has no such prisoner (for a question that needs one) or no such recorded visit."""


class LegalStatus(enum.StrEnum):
    CONVICTED = "convicted"
    REMAND = "remand"


class RestrictionType(enum.StrEnum):
    """Restrictions on a prisoner's visits, or on one visitor's."""

    CLOSED = "closed"  # visits must be closed (behind a screen)
    BANNED = "banned"  # this visitor may not visit until the end date
    CHILD_PROTECTION = "child_protection"  # visits involving children need a decision
    NO_VISITS = "no_visits"  # the prisoner may not have social visits at all


class UnavailableReason(enum.StrEnum):
    """Why a prisoner cannot have visits on a date. RELEASE and TRANSFER hold from that date on."""

    COURT = "court"
    RELEASE = "release"
    TRANSFER = "transfer"
    HOSPITAL = "hospital"


class CancelOutcome(enum.StrEnum):
    """Why a recorded visit is cancelled, as NOMIS's outcome codes (reference domain ``MOVE_CANC_RS``)."""

    VISITOR_CANCELLED = "VISCANC"
    PRISON_CANCELLED = "HMP"  # operational reasons
    ADMINISTRATIVE = "ADMIN"  # e.g. moved to another time: a new record replaces it


class EventType(enum.StrEnum):
    MOVED = "moved"  # to another prison (data: {"to_prison": "XYZ"})
    RELEASED = "released"
    RESTRICTION_ADDED = "restriction_added"  # data: {"restriction": {...}} or {"contact_id": ..., "restriction": ...}
    VISITOR_BANNED = "visitor_banned"  # data: {"contact_id": ..., "end_date": "YYYY-MM-DD" | None}
    ALLOWANCE_CHANGED = "allowance_changed"  # data: {"visiting_orders": n, "privileged_visiting_orders": n}


@dataclass(frozen=True)
class Restriction:
    type: RestrictionType
    start_date: date
    end_date: date | None = None  # None: until further notice
    comment: str = ""

    def in_force_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


@dataclass(frozen=True)
class Prisoner:
    number: str  # one letter, four digits, two letters: A1234BC
    first_name: str
    last_name: str
    date_of_birth: date
    prison_code: str  # the NOMIS code of the prison the prisoner is in now
    location: str  # e.g. "A-1-013": wing, landing, cell
    category: str  # A, B, C, D (or a youth or women's category)
    incentive_level: str  # BAS, STD, ENH
    legal_status: LegalStatus
    restrictions: tuple[Restriction, ...] = ()
    alerts: tuple[str, ...] = ()  # NOMIS alert codes, e.g. "VIP" (isolated prisoner)


@dataclass(frozen=True)
class ApprovedVisitor:
    contact_id: int
    first_name: str
    last_name: str
    date_of_birth: date | None
    relationship: str  # e.g. "Wife", "Son", "Friend"
    restrictions: tuple[Restriction, ...] = ()


@dataclass(frozen=True)
class VisitBalance:
    """The prisoner's allowance of social visits (visiting orders)."""

    visiting_orders: int  # VOs left
    privileged_visiting_orders: int  # PVOs left
    renews_on: date | None  # when the next VO is issued
    remand_visits_per_week: int | None = None  # remand prisoners: a weekly cap instead of VOs
    known: bool = True  # False: NOMIS holds no balance for the prisoner (the counts are 0): the prison must check

    @classmethod
    def unknown(cls, *, remand_visits_per_week: int | None = None) -> VisitBalance:
        """What NOMIS says when it has no balance for a prisoner it knows."""
        return cls(0, 0, None, remand_visits_per_week, known=False)

    @property
    def total(self) -> int:
        return self.visiting_orders + self.privileged_visiting_orders


@dataclass(frozen=True)
class Unavailability:
    date: date
    reason: UnavailableReason


@dataclass(frozen=True)
class BookingFacts:
    """Everything NOMIS says about a prisoner that booking needs: what ``get_booking_facts`` answers."""

    prisoner: Prisoner
    balance: VisitBalance
    approved: tuple[ApprovedVisitor, ...]
    non_associations: tuple[str, ...]
    unavailable: tuple[Unavailability, ...]


@dataclass(frozen=True)
class VisitToRecord:
    """A booked visit as NOMIS records it."""

    reference: str  # the service's reference, stored in NOMIS for matching
    prisoner_number: str
    prison_code: str
    start: datetime
    end: datetime
    closed: bool
    visitor_contact_ids: tuple[int, ...]  # approved-list contacts, the lead first (visitors not on it are not recorded)
    lead_visitor_name: str
    room: str = "Visits hall"  # the visits room's name in NOMIS (every session is in the prison's one hall)


@dataclass(frozen=True)
class PrisonerEvent:
    id: str  # unique and stable: replaying the feed gives the same ids
    type: EventType
    prisoner_number: str
    occurred_at: datetime
    data: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class EventPage:
    events: tuple[PrisonerEvent, ...]
    cursor: str  # pass back to events_since to get the events after these


@runtime_checkable
class NomisClient(Protocol):
    """What the service asks of NOMIS."""

    def get_prisoner(self, number: str) -> Prisoner | None:
        """The prisoner with this number (any case), or None when there is none."""
        ...

    def get_approved_visitors(self, number: str) -> list[ApprovedVisitor]:
        """The prisoner's approved social contacts, with each one's restrictions."""
        ...

    def get_non_associations(self, number: str) -> list[str]:
        """Numbers of prisoners who must not meet this one (in visits: not in the same prison that day)."""
        ...

    def get_visit_balance(self, number: str) -> VisitBalance:
        """The prisoner's visit allowance now."""
        ...

    def get_unavailable_dates(self, number: str, start: date, end: date) -> list[Unavailability]:
        """Dates from start to end (inclusive) when the prisoner cannot have visits."""
        ...

    def get_booking_facts(self, number: str, start: date, end: date) -> BookingFacts | None:
        """The prisoner, their visit balance, approved visitors, non-associations and unavailable dates from start
        to end, in one call (an adapter for the real APIs asks them together); None when there is no such
        prisoner."""
        ...

    def record_visit(self, visit: VisitToRecord) -> str:
        """Record a booked visit; returns the NOMIS visit id. Recording the same reference again returns the
        same id (safe to retry)."""
        ...

    def cancel_visit(self, prisoner_number: str, nomis_visit_id: str, outcome: CancelOutcome) -> None:
        """Cancel a recorded visit of this prisoner's. Cancelling one already cancelled does nothing (safe to
        retry)."""
        ...

    def events_since(self, cursor: str | None, limit: int = 100) -> EventPage:
        """Prisoner events after the cursor (None: from the beginning), oldest first."""
        ...
