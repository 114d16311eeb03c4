"""Writes to the stub NOMIS from outside the interface: events fired by hand, and the runtime fault override.

``event_fire`` is what happens in NOMIS when a prisoner moves, is released, gets a restriction, has a visitor
banned or has their allowance changed: the stub's data changes and an event is added to the feed, in one
transaction. The ``nomis_event`` command, the debug page and the contract tests' arranger call it.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from prisons.nomis.interface import EventType, RestrictionType
from prisons.nomis.stub import models as stub
from prisons.nomis.stub.client import normalise_number
from prisons.nomis.stub.seed import RELEASED_PRISON_CODE


class StubDataError(ValueError):
    """The event cannot apply to the stub's data (no such prisoner or contact, or a detail missing)."""


def event_fire(
    *,
    event_type: EventType,
    prisoner_number: str,
    to_prison: str | None = None,
    contact_id: int | None = None,
    end_date: date | None = None,
    restriction: RestrictionType | None = None,
    visiting_orders: int | None = None,
    privileged_visiting_orders: int | None = None,
    comment: str = "",
) -> stub.Event:
    """Apply a NOMIS change to the stub's data and add the event that reports it to the feed."""
    number = normalise_number(prisoner_number)
    today = timezone.localdate()
    with transaction.atomic():
        prisoner = stub.Prisoner.objects.select_for_update().filter(number=number).first()
        if prisoner is None:
            raise StubDataError(f"No prisoner {number} in the stub")
        data: dict[str, object]
        match EventType(event_type):
            case EventType.MOVED:
                code = (to_prison or "").strip().upper()
                if len(code) != 3 or not code.isalpha():
                    raise StubDataError("A move needs the NOMIS code of the prison moved to, e.g. CFI")
                if code == prisoner.prison_code:
                    raise StubDataError(f"{number} is already at {code}")
                data = {"from_prison": prisoner.prison_code, "to_prison": code}
                prisoner.prison_code = code
                prisoner.save(update_fields=["prison_code"])
            case EventType.RELEASED:
                if prisoner.prison_code == RELEASED_PRISON_CODE:
                    raise StubDataError(f"{number} has already been released")
                data = {"from_prison": prisoner.prison_code}
                prisoner.prison_code, prisoner.location = RELEASED_PRISON_CODE, ""
                prisoner.save(update_fields=["prison_code", "location"])
            case EventType.RESTRICTION_ADDED:
                if restriction is None:
                    raise StubDataError("Say which restriction to add")
                added = {"type": RestrictionType(restriction).value, "start_date": today, "end_date": end_date}
                if contact_id is None:
                    stub.PrisonerRestriction.objects.create(prisoner=prisoner, comment=comment, **added)
                    data = {"restriction": _jsonable(added, comment)}
                else:
                    contact = _contact(prisoner, contact_id)
                    stub.ContactRestriction.objects.create(contact=contact, comment=comment, **added)
                    data = {"contact_id": contact.id, "restriction": _jsonable(added, comment)}
            case EventType.VISITOR_BANNED:
                if contact_id is None:
                    raise StubDataError("Say which contact is banned")
                contact = _contact(prisoner, contact_id)
                stub.ContactRestriction.objects.create(
                    contact=contact, type=RestrictionType.BANNED, start_date=today, end_date=end_date, comment=comment
                )
                data = {"contact_id": contact.id, "end_date": end_date.isoformat() if end_date else None}
            case EventType.ALLOWANCE_CHANGED:
                if visiting_orders is None and privileged_visiting_orders is None:
                    raise StubDataError("Give the new number of visiting orders, privileged visiting orders or both")
                if min(visiting_orders or 0, privileged_visiting_orders or 0) < 0:
                    raise StubDataError("Visiting orders cannot be negative")
                balance, _ = stub.VisitBalance.objects.get_or_create(prisoner=prisoner)
                if visiting_orders is not None:
                    balance.visiting_orders = visiting_orders
                if privileged_visiting_orders is not None:
                    balance.privileged_visiting_orders = privileged_visiting_orders
                balance.save()
                data = {
                    "visiting_orders": balance.visiting_orders,
                    "privileged_visiting_orders": balance.privileged_visiting_orders,
                }
        return stub.Event.objects.create(
            type=EventType(event_type), prisoner_number=number, occurred_at=timezone.now(), data=data
        )


def faults_override_set(*, latency_ms: int | None, failure_rate: float | None, down: bool | None) -> None:
    """Set the runtime fault override; a None field falls back to its NOMIS_STUB_* setting."""
    if failure_rate is not None and not 0 <= failure_rate <= 1:
        raise StubDataError("The failure rate must be from 0 to 1")
    if latency_ms is not None and latency_ms < 0:
        raise StubDataError("The latency cannot be negative")
    stub.FaultOverride.objects.update_or_create(
        pk=stub.FaultOverride.SINGLETON_ID,
        defaults={"latency_ms": latency_ms, "failure_rate": failure_rate, "down": down},
    )


def faults_override_clear() -> None:
    """Drop the runtime fault override: the settings apply again."""
    stub.FaultOverride.objects.filter(pk=stub.FaultOverride.SINGLETON_ID).delete()


def _contact(prisoner: stub.Prisoner, contact_id: int) -> stub.Contact:
    contact = stub.Contact.objects.filter(prisoner=prisoner, id=contact_id).first()
    if contact is None:
        raise StubDataError(f"{prisoner.number} has no approved contact {contact_id}")
    return contact


def _jsonable(restriction: dict[str, object], comment: str) -> dict[str, object]:
    return {
        key: value.isoformat() if isinstance(value, date) else value
        for key, value in {**restriction, "comment": comment}.items()
    }
