"""HMPPS domain events: received from the service's SQS queue into ``DomainEvent`` rows, then read in order as the
interface's ``PrisonerEvent``s (prisons/nomis/contract/README.md, "Events").

The queue speaks Amazon SQS's JSON protocol, each request signed with AWS Signature Version 4 by botocore (the
credentials from the environment, or the pod's role). A message is deleted from the queue only once its row is
committed, so nothing is lost if the poll fails half way; SQS delivers it again and the row's unique MessageId
keeps it once. A message that cannot be read stays on the queue, for SQS to move to the dead-letter queue.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials, ReadOnlyCredentials
from botocore.session import get_session
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from prisons.nomis.hmpps import codes
from prisons.nomis.hmpps.models import DomainEvent
from prisons.nomis.hmpps.transport import HmppsHttp
from prisons.nomis.interface import EventPage, EventType, NomisError, PrisonerEvent

logger = logging.getLogger(__name__)

QUEUE = "events queue"
MAX_EVENTS_PER_PAGE = 1000
RECEIVES_PER_POLL = 10  # up to 10 messages each: a poll takes in at most 100 new events
VISIBILITY_SECONDS = 60  # a message received but not deleted comes back after this


class EventsQueue:
    """The service's SQS queue. ``credentials`` are for tests; otherwise botocore's usual chain finds them."""

    def __init__(self, http: HmppsHttp, *, queue_url: str, region: str, credentials: Credentials | None = None):
        self.http, self.queue_url, self.region = http, queue_url, region
        # The JSON protocol is spoken to the queue's host; the queue is named in each request's body.
        self.endpoint = str(httpx.URL(queue_url).copy_with(path="/", query=None, fragment=None)) if queue_url else ""
        self._credentials = credentials

    def _sign(self, target: str) -> Callable[[bytes], dict[str, str]]:
        def sign(content: bytes) -> dict[str, str]:
            credentials = self._credentials or get_session().get_credentials()
            if credentials is None:
                raise NomisError("No AWS credentials to read the events queue with")
            frozen: ReadOnlyCredentials = credentials.get_frozen_credentials()
            headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": f"AmazonSQS.{target}"}
            request = AWSRequest(method="POST", url=self.endpoint, data=content, headers=headers)
            SigV4Auth(frozen, "sqs", self.region).add_auth(request)
            return dict(request.headers.items())

        return sign

    def _action(self, target: str, body: dict[str, Any]) -> Any:
        content = json.dumps({"QueueUrl": self.queue_url, **body}).encode()
        return self.http.post_signed(QUEUE, self.endpoint, content, self._sign(target))

    def receive(self) -> int:
        """Take in what the queue holds (up to ``RECEIVES_PER_POLL`` batches); the messages are deleted from the
        queue when the transaction that stored them commits. Returns the messages received."""
        received = 0
        for _ in range(RECEIVES_PER_POLL):
            answer = self._action(
                "ReceiveMessage",
                {"MaxNumberOfMessages": 10, "VisibilityTimeout": VISIBILITY_SECONDS, "WaitTimeSeconds": 0},
            )
            messages = answer.get("Messages") if isinstance(answer, dict) else None
            messages = messages if isinstance(messages, list) else []
            handles = []
            for message in messages:
                if not isinstance(message, dict) or not isinstance(message.get("ReceiptHandle"), str):
                    continue
                if _store(message.get("Body")):
                    handles.append(message["ReceiptHandle"])
            if handles:
                transaction.on_commit(lambda handles=handles: self._delete(handles))  # type: ignore[misc]
            received += len(messages)
            if len(messages) < 10:
                break
        return received

    def _delete(self, handles: list[str]) -> None:
        entries = [{"Id": str(n), "ReceiptHandle": handle} for n, handle in enumerate(handles)]
        try:
            self._action("DeleteMessageBatch", {"Entries": entries})
        except NomisError as error:  # they come back after the visibility timeout and are kept once
            logger.warning("Could not delete %d events from the queue: %s", len(handles), error)


def _store(body: Any) -> bool:
    """Keep one SQS message's domain event; False when the message cannot be read (it is left on the queue)."""
    try:
        notification = json.loads(body)
        event = json.loads(notification["Message"])
        message_id = str(notification["MessageId"])
        event_type = str(event["eventType"])
    except (TypeError, ValueError, KeyError) as error:
        logger.warning("An events queue message could not be read (%s): left for the dead-letter queue", error)
        return False
    if notification.get("Type") != "Notification" or not isinstance(event, dict):
        logger.warning("An events queue message is not an SNS notification: left for the dead-letter queue")
        return False
    DomainEvent.objects.bulk_create(
        [
            DomainEvent(
                message_id=message_id[:100],
                event_type=event_type[:150],
                prisoner_number=_prisoner_of(event)[:7],
                occurred_at=_moment(event.get("occurredAt")),
                event=event,
            )
        ],
        ignore_conflicts=True,  # delivered before
    )
    return True


def _prisoner_of(event: dict[str, Any]) -> str:
    details = event.get("additionalInformation") or {}
    for key in ("nomsNumber", "prisonerId", "prisonerNumber"):
        if isinstance(details, dict) and isinstance(details.get(key), str):
            return details[key].upper()
    identifiers = (event.get("personReference") or {}).get("identifiers") or []
    for identifier in identifiers if isinstance(identifiers, list) else []:
        if isinstance(identifier, dict) and identifier.get("type") in ("NOMS", "NOMIS"):
            return str(identifier.get("value", "")).upper()
    return str(event.get("prisonerId") or "").upper()


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment  # no offset: London time


def domain_events_forget(*, now: datetime | None = None) -> int:
    """Delete the events received more than ``NOMIS_EVENTS_DAYS`` ago: each was acted on within a minute of coming
    (the poll's cursor is far past them), and they name prisoners and their visitors."""
    before = (now or timezone.now()) - timedelta(days=settings.NOMIS_EVENTS_DAYS)
    deleted, _ = DomainEvent.objects.filter(received_at__lt=before).delete()
    return deleted


def cursor_position(cursor: str | None) -> int:
    """The row id a cursor stands for (None or "": the beginning); a NomisError when it is not one."""
    if cursor is None or cursor == "":
        return 0
    if not str(cursor).isdigit():
        raise NomisError(f"Not a NOMIS event cursor: {cursor!r}")
    return int(cursor)


def events_page(cursor: str | None, limit: int) -> EventPage:
    """The kept events after the cursor (a row id), oldest first, as the interface's events; events that mean
    nothing for visits are passed over (the cursor still moves past them)."""
    after = cursor_position(cursor)
    limit = max(1, min(int(limit), MAX_EVENTS_PER_PAGE))
    rows = list(DomainEvent.objects.filter(id__gt=after).order_by("id")[:limit])
    events = tuple(event for row in rows if (event := prisoner_event(row)) is not None)
    return EventPage(events=events, cursor=str(rows[-1].id) if rows else str(after))


def prisoner_event(row: DomainEvent) -> PrisonerEvent | None:
    """What a domain event means for visits, in the interface's words; None when nothing."""
    details = row.event.get("additionalInformation") or {}
    if not isinstance(details, dict) or not row.prisoner_number:
        return None  # an event about no prisoner (a contact's own restriction): nothing here to act on
    kind, data = _translate(row.event_type, details, _identifiers(row.event))
    if kind is None:
        return None
    return PrisonerEvent(
        id=row.message_id,
        type=kind,
        prisoner_number=row.prisoner_number,
        occurred_at=row.occurred_at or row.received_at,
        data=data,
    )


def _identifiers(event: dict[str, Any]) -> dict[str, str]:
    identifiers = (event.get("personReference") or {}).get("identifiers") or []
    return {
        str(item.get("type")): str(item.get("value"))
        for item in (identifiers if isinstance(identifiers, list) else [])
        if isinstance(item, dict)
    }


def _contact(value: Any) -> int | None:
    text = str(value or "")
    return int(text) if text.isdigit() else None


def _translate(
    event_type: str, details: dict[str, Any], identifiers: dict[str, str]
) -> tuple[EventType | None, dict[str, object]]:
    reason = details.get("reason")
    match event_type:
        case "prison-offender-events.prisoner.received" | "prisoner-offender-search.prisoner.received":
            if reason == "TRANSFERRED":  # a transfer's second half: now at prisonId
                return EventType.MOVED, {"to_prison": details.get("prisonId")}
        case "prison-offender-events.prisoner.released" | "prisoner-offender-search.prisoner.released":
            if reason in ("RELEASED", "RELEASED_TO_HOSPITAL"):  # not court, not a temporary release, not a transfer
                return EventType.RELEASED, {}
        case "prison-offender-events.prisoner.restriction.changed":
            kind = codes.PRISONER_RESTRICTIONS.get(str(details.get("restrictionType")))
            return EventType.RESTRICTION_ADDED, {"restriction": {"type": kind.value if kind else "other"}}
        case "prison-offender-events.prisoner.person-restriction.upserted":
            contact = str(details.get("personId", ""))
            contact_id = int(contact) if contact.isdigit() else None
            if details.get("restrictionType") == "BAN":
                return EventType.VISITOR_BANNED, {"contact_id": contact_id, "end_date": details.get("expiryDate")}
            kind = codes.VISITOR_RESTRICTIONS.get(str(details.get("restrictionType")))
            restriction = {"type": kind.value if kind else "other"}
            return EventType.RESTRICTION_ADDED, {"contact_id": contact_id, "restriction": restriction}
        case "prison-visit-allocation.adjustment.created" | "prison-visit-allocation.balance.reset":
            return EventType.ALLOWANCE_CHANGED, {}
        case "person.alert.created":  # the alerts API: an alert added to the prisoner
            return EventType.RESTRICTION_ADDED, {"restriction": {"type": f"alert {details.get('alertCode', '')}"}}
        case "prisoner-offender-search.prisoner.alerts-updated":
            added = details.get("alertsAdded") or []
            if isinstance(added, list) and added:
                return EventType.RESTRICTION_ADDED, {"restriction": {"type": f"alert {', '.join(map(str, added))}"}}
        case "prison-offender-events.prisoner.contact-unapproved":  # a visitor taken off the approved list
            contact = {"contact_id": _contact(details.get("personId")), "restriction": {"type": "not approved"}}
            return EventType.RESTRICTION_ADDED, contact
        case "contacts-api.prisoner-contact-restriction.created" | "contacts-api.prisoner-contact-restriction.updated":
            contact_id = _contact(identifiers.get("DPS_CONTACT_ID"))
            return EventType.RESTRICTION_ADDED, {"contact_id": contact_id, "restriction": {"type": "visitor"}}
    return None, {}
