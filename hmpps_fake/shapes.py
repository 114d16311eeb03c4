"""The stub NOMIS's rows in the HMPPS APIs' shapes (the fixtures in prisons/nomis/contract/ are the reference; the
contract tests check every answer here against them)."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, time
from typing import Any

from django.utils import timezone

from prisons.nomis.hmpps import codes
from prisons.nomis.interface import LegalStatus, UnavailableReason
from prisons.nomis.stub import models as stub

RELEASED = "OUT"
INCENTIVES = {"BAS": "Basic", "STD": "Standard", "ENH": "Enhanced"}
RELATIONSHIPS = {
    "Wife": "WIFE",
    "Husband": "HUS",
    "Partner": "PART",
    "Girlfriend": "GFR",
    "Boyfriend": "BOF",
    "Mother": "MOT",
    "Father": "FA",
    "Son": "SON",
    "Daughter": "DAU",
    "Brother": "BRO",
    "Sister": "SIS",
    "Friend": "FRI",
    "Grandmother": "GMO",
    "Grandfather": "GFA",
    "Aunt": "AUNT",
    "Uncle": "UN",
    "Cousin": "COU",
}
ALERT_TYPES = {"VIP": ("V", "Vulnerability", "Isolated Prisoner")}
NAMESPACE = uuid.UUID("9a1b0f1e-6a8b-4c1e-9d2a-3f5e6c7d8e9f")


def booking_id(number: str) -> int:
    """A prisoner's NOMIS booking id, stable and reversible (the stub keeps none)."""
    return int.from_bytes(number.encode("ascii"), "big")


def number_of_booking(booking: int) -> str | None:
    try:
        number = booking.to_bytes(7, "big").decode("ascii")
    except (OverflowError, UnicodeDecodeError):
        return None
    return number if number.isalnum() else None


def local(moment: datetime) -> str:
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0).isoformat()


def _omit_none(values: dict[str, Any]) -> dict[str, Any]:
    """Prisoner search and the contact registry leave null fields out."""
    return {key: value for key, value in values.items() if value is not None}


def prisoner(row: stub.Prisoner) -> dict[str, Any]:
    released = row.prison_code == RELEASED
    remand = row.legal_status == LegalStatus.REMAND
    release = (
        row.unavailable_dates.filter(reason=UnavailableReason.RELEASE).order_by("date").values_list("date", flat=True)
    ).first()
    return _omit_none(
        {
            "prisonerNumber": row.number,
            "bookingId": str(booking_id(row.number)),
            "firstName": row.first_name.upper(),
            "lastName": row.last_name.upper(),
            "dateOfBirth": row.date_of_birth.isoformat(),
            "status": "INACTIVE OUT" if released else "ACTIVE IN",
            "inOutStatus": "OUT" if released else "IN",
            "prisonId": row.prison_code,
            "cellLocation": row.location or None,
            "category": row.category or None,
            "legalStatus": "REMAND" if remand else "SENTENCED",
            "convictedStatus": codes.REMAND if remand else codes.CONVICTED,
            "restrictedPatient": False,
            "releaseDate": release.isoformat() if release else None,
            "confirmedReleaseDate": release.isoformat() if release else None,
            "currentIncentive": {
                "level": {"code": row.incentive_level, "description": INCENTIVES.get(row.incentive_level, "")},
                "dateTime": "2026-08-14T10:22:31",
                "nextReviewDate": "2027-08-14",
            }
            if row.incentive_level
            else None,
            "alerts": [
                {
                    "alertType": ALERT_TYPES.get(code, (code[:1],))[0],
                    "alertCode": code,
                    "active": True,
                    "expired": False,
                }
                for code in row.alerts or ()
            ],
        }
    )


def _restriction(row: stub.PrisonerRestriction | stub.ContactRestriction, code: str) -> dict[str, Any]:
    return {
        "restrictionId": row.pk,
        "comment": row.comment or None,
        "restrictionType": code,
        "restrictionTypeDescription": codes.RESTRICTION_DESCRIPTIONS.get(code, code),
        "startDate": row.start_date.isoformat() if row.start_date else None,
        "expiryDate": row.end_date.isoformat() if row.end_date else None,
    }


def offender_restrictions(row: stub.Prisoner, today: date) -> dict[str, Any]:
    found = []
    for restriction in row.restrictions.all():
        if restriction.end_date is not None and restriction.end_date < today:
            continue  # activeRestrictionsOnly
        code = codes.PRISONER_RESTRICTION_CODES.get(restriction.type)  # type: ignore[call-overload]
        if code is not None:
            found.append(_omit_none({**_restriction(restriction, code), "active": True}))
    return {"bookingId": booking_id(row.number), "offenderRestrictions": found}


def alerts_page(row: stub.Prisoner | None) -> dict[str, Any]:
    content = []
    for code in (row.alerts or ()) if row is not None else ():
        type_code, type_description, description = ALERT_TYPES.get(code, (code[:1], "Other", code))
        content.append(
            {
                "alertUuid": str(uuid.uuid5(NAMESPACE, f"{row.number}/{code}")),  # type: ignore[union-attr]
                "prisonNumber": row.number,  # type: ignore[union-attr]
                "alertCode": {
                    "alertTypeCode": type_code,
                    "alertTypeDescription": type_description,
                    "code": code,
                    "description": description,
                    "canBeAdministered": True,
                },
                "description": description,
                "authorisedBy": None,
                "activeFrom": "2026-01-05",
                "activeTo": None,
                "isActive": True,
                "createdAt": "2026-01-05T09:12:44",
                "createdBy": "FAKE_USER",
                "createdByDisplayName": "Fake User",
                "lastModifiedAt": None,
                "lastModifiedBy": None,
                "lastModifiedByDisplayName": None,
                "activeToLastSetAt": None,
                "activeToLastSetBy": None,
                "activeToLastSetByDisplayName": None,
                "prisonCodeWhenCreated": row.prison_code,  # type: ignore[union-attr]
            }
        )
    sort = {"empty": False, "sorted": True, "unsorted": False}
    return {
        "content": content,
        "pageable": {"pageNumber": 0, "pageSize": 2147483647, "sort": sort, "offset": 0, "paged": True},
        "last": True,
        "totalElements": len(content),
        "totalPages": 1,
        "size": 2147483647,
        "number": 0,
        "sort": sort,
        "first": True,
        "numberOfElements": len(content),
        "empty": not content,
    }


def approved_contacts(row: stub.Prisoner, today: date) -> list[dict[str, Any]]:
    found = []
    contacts = sorted(row.contacts.all(), key=lambda c: (c.last_name.lower(), c.first_name.lower(), c.pk))
    for contact in contacts:
        restrictions = []
        for restriction in contact.restrictions.all():
            if restriction.end_date is not None and restriction.end_date < today:
                continue  # the registry drops expired restrictions
            code = codes.VISITOR_RESTRICTION_CODES.get(restriction.type)  # type: ignore[call-overload]
            if code is not None:
                restrictions.append(_omit_none({**_restriction(restriction, code), "globalRestriction": False}))
        found.append(
            _omit_none(
                {
                    "personId": contact.pk,
                    "firstName": contact.first_name,
                    "lastName": contact.last_name,
                    "dateOfBirth": contact.date_of_birth.isoformat() if contact.date_of_birth else None,
                    "relationshipId": 7_000_000 + contact.pk,
                    "relationshipCode": RELATIONSHIPS.get(contact.relationship, "OTHER"),
                    "relationshipDescription": contact.relationship,
                    "contactType": "S",
                    "contactTypeDescription": "Social/Family",
                    "approvedVisitor": True,
                    "emergencyContact": False,
                    "nextOfKin": False,
                    "restrictions": restrictions,
                }
            )
        )
    return found


def _other(row: stub.Prisoner, role: str) -> dict[str, Any]:
    return {
        "prisonerNumber": row.number,
        "role": role,
        "roleDescription": role.title(),
        "firstName": row.first_name.upper(),
        "lastName": row.last_name.upper(),
        "prisonId": row.prison_code,
        "prisonName": row.prison_code,
        "cellLocation": row.location or None,
    }


def non_associations(row: stub.Prisoner) -> dict[str, Any]:
    pairs = stub.NonAssociation.objects.filter(first=row).select_related("second").order_by("pk")
    others = [pair.second for pair in pairs]
    others += [pair.first for pair in stub.NonAssociation.objects.filter(second=row).select_related("first")]
    found = [
        {
            "id": 4800 + n,
            "role": "NOT_RELEVANT",
            "roleDescription": "Not relevant",
            "reason": "OTHER",
            "reasonDescription": "Other",
            "restrictionType": "LANDING",
            "restrictionTypeDescription": "Cell and landing",
            "comment": "Keep apart",
            "authorisedBy": "SECURITY",
            "whenCreated": "2026-10-02T14:31:07",
            "whenUpdated": "2026-10-02T14:31:07",
            "updatedBy": "SECURITY",
            "isClosed": False,
            "closedBy": None,
            "closedReason": None,
            "closedAt": None,
            "otherPrisonerDetails": _other(other, "NOT_RELEVANT"),
            "isOpen": True,
        }
        for n, other in enumerate(others)
    ]
    return {
        "prisonerNumber": row.number,
        "firstName": row.first_name.upper(),
        "lastName": row.last_name.upper(),
        "prisonId": row.prison_code,
        "prisonName": row.prison_code,
        "cellLocation": row.location or None,
        "openCount": len(found),
        "closedCount": 0,
        "nonAssociations": found,
    }


def balance(row: stub.VisitBalance) -> dict[str, Any]:
    return _omit_none(
        {
            "prisonerId": row.prisoner_id,
            "voBalance": row.visiting_orders,
            "availableVos": row.visiting_orders,
            "accumulatedVos": 0,
            "negativeVos": 0,
            "pvoBalance": row.privileged_visiting_orders,
            "availablePvos": row.privileged_visiting_orders,
            "negativePvos": 0,
            "lastVoAllocatedDate": "2026-11-16",
            "nextVoAllocationDate": row.renews_on.isoformat() if row.renews_on else None,
        }
    )


def scheduled_transfers(row: stub.Prisoner) -> list[dict[str, Any]]:
    days = (
        row.unavailable_dates.filter(reason=UnavailableReason.TRANSFER).order_by("date").values_list("date", flat=True)
    )
    return [
        {
            "offenderNo": row.number,
            "firstName": row.first_name.upper(),
            "lastName": row.last_name.upper(),
            "event": "TRN",
            "eventType": "TRN",
            "eventDescription": "Transfer",
            "eventLocation": None,
            "eventStatus": "SCH",
            "comment": None,
            "startTime": datetime.combine(day, time(8, 0)).isoformat(),
            "endTime": None,
        }
        for day in days
    ]


def appointments(row: stub.Prisoner, start: date, end: date) -> list[dict[str, Any]]:
    days = row.unavailable_dates.filter(reason=UnavailableReason.HOSPITAL, date__range=(start, end)).order_by("date")
    return [
        {
            "bookingId": booking_id(row.number),
            "eventClass": "INT_MOV",
            "eventId": unavailable.pk,
            "eventStatus": "SCH",
            "eventType": codes.APPOINTMENT,
            "eventTypeDesc": "Appointment",
            "eventSubType": "MEDO",
            "eventSubTypeDesc": "Medical - Doctor",
            "eventDate": unavailable.date.isoformat(),
            "startTime": datetime.combine(unavailable.date, time(9, 0)).isoformat(),
            "endTime": datetime.combine(unavailable.date, time(17, 0)).isoformat(),
            "eventLocation": "Hospital",
            "eventSource": "APP",
            "eventSourceCode": "MEDO",
            "eventSourceDesc": "Outside hospital appointment",
        }
        for unavailable in days
    ]


def court_hearings(row: stub.Prisoner, start: date, end: date) -> dict[str, Any]:
    days = row.unavailable_dates.filter(reason=UnavailableReason.COURT, date__range=(start, end)).order_by("date")
    return {
        "hearings": [
            {
                "id": 90_000 + unavailable.pk,
                "dateTime": datetime.combine(unavailable.date, time(10, 0)).isoformat(),
                "location": {
                    "agencyId": "MAIDMC",
                    "description": "Maidstone Magistrates Court",
                    "agencyType": "CRT",
                    "active": True,
                },
            }
            for unavailable in days
        ]
    }


def recorded_visit(row: stub.RecordedVisit) -> dict[str, Any]:
    booked = row.status == row.Status.BOOKED
    people = list(row.visitor_contact_ids)
    return {
        "visitId": row.pk,
        "offenderNo": row.prisoner_number,
        "startDateTime": local(row.start),
        "endDateTime": local(row.end),
        "prisonId": row.prison_code,
        "visitors": [{"personId": person, "leadVisitor": n == 0} for n, person in enumerate(people)],
        "leadVisitor": {"personId": people[0], "fullName": "", "telephones": []} if people else None,
        "visitType": {"code": codes.SOCIAL_VISIT, "description": "Social Contact"},
        "visitStatus": {"code": "SCH", "description": "Scheduled"}
        if booked
        else {"code": "CANC", "description": "Cancelled"},
        "visitOutcome": {"code": row.cancellation_reason, "description": row.cancellation_reason}
        if row.cancellation_reason
        else None,
        "agencyInternalLocation": {"code": "VISITS", "description": f"{row.prison_code}-VISITS"},
        "commentText": row.reference,
        "visitorConcernText": None,
        "whenCreated": local(row.recorded_at),
        "whenUpdated": local(row.cancelled_at) if row.cancelled_at else None,
        "createUserId": "PRISONER_MANAGER_API",
        "modifyUserId": None,
    }


# --- Domain events, as the SQS messages of the service's queue ------------------------------------------------------

TOPIC = "arn:aws:sns:eu-west-2:000000000000:hmpps-domain-events"


def message_id(event: stub.Event) -> str:
    """The SNS MessageId: the same each time the message is delivered again."""
    return str(uuid.uuid5(NAMESPACE, f"event/{event.pk}/{event.occurred_at.isoformat()}"))


def _offender_event(event: stub.Event, kind: str, description: str, details: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": 1,
        "eventType": f"prison-offender-events.prisoner.{kind}",
        "description": description,
        "occurredAt": timezone.localtime(event.occurred_at).isoformat(timespec="seconds"),
        "publishedAt": event.occurred_at.isoformat().replace("+00:00", "Z"),
        "personReference": {"identifiers": [{"type": "NOMS", "value": event.prisoner_number}]},
        "additionalInformation": {"nomsNumber": event.prisoner_number, **details},
    }


def domain_event(event: stub.Event) -> dict[str, Any]:
    """The HMPPS domain event that reports the stub's event (prisons/nomis/contract/domain-event.*.json)."""
    data = event.data or {}
    restriction = data.get("restriction") if isinstance(data.get("restriction"), dict) else {}
    match event.type:
        case "moved":  # the second half of a transfer: received at the new prison
            return _offender_event(
                event,
                "received",
                "A prisoner has been received into prison",
                {"reason": "TRANSFERRED", "prisonId": data.get("to_prison"), "currentLocation": "IN_PRISON"},
            )
        case "released":
            return _offender_event(
                event,
                "released",
                "A prisoner has been released from prison",
                {"reason": "RELEASED", "prisonId": data.get("from_prison"), "currentLocation": "OUTSIDE_PRISON"},
            )
        case "restriction_added" if "contact_id" not in data:
            code = codes.PRISONER_RESTRICTION_CODES.get(restriction.get("type"), "RESTRICTED")  # type: ignore[call-overload]
            return _offender_event(
                event,
                "restriction.changed",
                "A prisoner restriction record has changed",
                _omit_none(
                    {
                        "bookingId": str(booking_id(event.prisoner_number)),
                        "restrictionType": code,
                        "effectiveDate": restriction.get("start_date"),
                        "expiryDate": restriction.get("end_date"),
                    }
                ),
            )
        case "restriction_added" | "visitor_banned":
            if event.type == "visitor_banned":
                code, start, end = "BAN", timezone.localdate(event.occurred_at).isoformat(), data.get("end_date")
            else:
                code = codes.VISITOR_RESTRICTION_CODES.get(restriction.get("type"), "RESTRICTED")  # type: ignore[call-overload]
                start, end = restriction.get("start_date"), restriction.get("end_date")
            return _offender_event(
                event,
                "person-restriction.upserted",
                "A prisoner person restriction record has been created or updated",
                _omit_none(
                    {
                        "contactPersonId": str(7_000_000 + int(data["contact_id"])),
                        "restrictionType": code,
                        "effectiveDate": start,
                        "expiryDate": end,
                        "personId": str(data["contact_id"]),
                    }
                ),
            )
        case _:  # allowance_changed
            return {
                "eventType": "prison-visit-allocation.adjustment.created",
                "version": 1,
                "description": "Prisoner balance adjusted by hmpps-visit-allocation-api",
                "occurredAt": event.occurred_at.isoformat().replace("+00:00", "Z"),
                "personReference": {"identifiers": [{"type": "NOMIS", "value": event.prisoner_number}]},
                "additionalInformation": {
                    "prisonerId": event.prisoner_number,
                    "adjustmentId": str(uuid.uuid5(NAMESPACE, f"adjustment/{event.pk}")),
                    "hasBalanceChanged": True,
                },
            }


def sqs_body(event: stub.Event) -> str:
    """The SQS message's body: the SNS notification carrying the domain event as a JSON string."""
    message = domain_event(event)
    return json.dumps(
        {
            "Type": "Notification",
            "MessageId": message_id(event),
            "TopicArn": TOPIC,
            "Message": json.dumps(message),
            "Timestamp": event.occurred_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "SignatureVersion": "1",
            "Signature": "RkFLRQ==",
            "SigningCertURL": "https://sns.eu-west-2.amazonaws.com/SimpleNotificationService-fake.pem",
            "UnsubscribeURL": f"https://sns.eu-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={TOPIC}:fake",
            "MessageAttributes": {"eventType": {"Type": "String", "Value": message["eventType"]}},
        }
    )
