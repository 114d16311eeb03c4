"""Sending the outbox through GOV.UK Notify: each row at most once, and what Notify says of it afterwards.

- ``messages_enqueue`` queues one send task per row (``visits.handoff``'s ``SEND_MESSAGES``, after the change that
  wrote them commits). If the broker is down then, the rows wait for the sweep.
- ``message_send`` sends one row at most once: it claims the row with one conditional UPDATE, checks Notify for an
  earlier try that got through (by the row's reference) before sending again, and records Notify's id.
- ``outbox_sweep`` queues rows stuck unsent; ``message_record_delivery`` applies Notify's delivery receipts, and a
  permanent failure flags the visit for staff (``message_fail``). docs/notifications.md explains the guarantees and
  their limits.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from common.input_guard import whole_number
from notifications.gateway import NotifyRejected, NotifyTemporaryError, NotifyUnavailable, get_gateway, template_name
from visits.models import (
    Channel,
    EventType,
    FlagReason,
    MessageChannel,
    MessageStatus,
    OutboxMessage,
    Visit,
    VisitEvent,
    VisitFlag,
)
from visits.outbox import MAILBOX_KINDS

logger = logging.getLogger(__name__)

# Notify's final statuses in delivery receipts.
DELIVERED = "delivered"
FAILURES = {
    "permanent-failure": "the address or number may be wrong, or no longer in use",
    "temporary-failure": "the inbox was full or the phone was off for 3 days",
    "technical-failure": "a problem at Notify or the phone network",
}
# Publishing to the broker when it is down must not hold up the web request for long: try twice, then leave the
# row for the sweep.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0.2, "interval_step": 0.2, "interval_max": 0.5}


def messages_enqueue(ids: list[int], *, retry: bool = True) -> int:
    """Queue a send task for each message; return how many were queued. A broker that is down is logged, not
    raised: the change has committed, and the sweep sends what was not queued. ``retry``: whether each task retries
    Notify's temporary errors itself, with backoff."""
    from notifications.tasks import send_message  # the tasks call this module

    queued = 0
    for position, message_id in enumerate(ids):
        try:
            send_message.apply_async((message_id,), {"retry": retry}, retry_policy=PUBLISH_RETRY_POLICY)
            queued += 1
        except Exception:
            if send_message.app.conf.task_always_eager:  # the send itself failed, inline: go on with the others
                logger.exception("Message %s not sent; the outbox sweep will try again", message_id)
                continue
            logger.warning("Could not queue messages %s; the outbox sweep will send them", ids[position:], exc_info=1)
            break
    return queued


# Sending --------------------------------------------------------------------------------------------------------


def message_send(*, message_id: int) -> str:
    """Send one outbox message through Notify, at most once however often this runs, and in parallel.

    Returns what happened: "sent", "found" (an earlier try had got through), "skipped" (sent already, or another
    sender holds it) or "failed" (Notify refused it: the visit is flagged). Raises ``NotifyTemporaryError`` (retry
    with backoff) and ``NotifyUnavailable`` (leave it for the sweep), having released the row."""
    now = timezone.now()
    lease = timedelta(seconds=settings.NOTIFY_CLAIM_LEASE_SECONDS)
    claimed = (
        OutboxMessage.objects.filter(pk=message_id, status=MessageStatus.PENDING)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - lease))
        .update(claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return "skipped"
    message = OutboxMessage.objects.select_related("visit", "waiting").get(pk=message_id)
    gateway = get_gateway()
    try:
        # A try before this one may have reached Notify without its answer reaching us (a timeout, a worker killed
        # mid-send): ask Notify by reference before sending again.
        notify_id = gateway.find_sent(message.reference) if message.attempts > 1 else None
        if notify_id:
            _record_sent(message, notify_id)
            return "found"
        notify_id = gateway.send(
            channel=message.channel,
            recipient=message.recipient,
            template=template_name(message.kind, message.channel, _message_language(message)),
            personalisation=message.personalisation,
            reference=message.reference,
        )
    except NotifyRejected as error:
        message_fail(message=message, error=f"Notify refused it: {error.message}")
        return "failed"
    except Exception as error:
        OutboxMessage.objects.filter(pk=message.pk, status=MessageStatus.PENDING).update(
            claimed_at=None, last_error=str(error)[:500]
        )
        if isinstance(error, (NotifyTemporaryError, NotifyUnavailable)):
            logger.warning("Message %s not sent: %s", message.pk, error)
        raise
    _record_sent(message, notify_id)
    return "sent"


def _message_language(message: OutboxMessage) -> str:
    """The visitor's language; a prison's mailbox is written to in English."""
    if message.kind in MAILBOX_KINDS:
        return "en"
    return message.visit.language if message.visit_id else message.waiting.language  # type: ignore[union-attr]


def _record_sent(message: OutboxMessage, notify_id: str) -> None:
    now = timezone.now()
    if not OutboxMessage.objects.filter(pk=message.pk, status=MessageStatus.PENDING).update(
        status=MessageStatus.SENT, notify_id=notify_id, sent_at=now, last_error=""
    ):
        # A delivery receipt got here first (it finds the row by reference): keep its status, add the id.
        OutboxMessage.objects.filter(pk=message.pk, notify_id="").update(notify_id=notify_id, sent_at=now)


@transaction.atomic
def message_fail(*, message: OutboxMessage, error: str, notify_status: str = "", only_if: Q | None = None) -> bool:
    """Mark a message failed for good and flag its visit for staff, once (a repeated receipt changes nothing).
    ``only_if`` narrows which rows may be failed (the sweep fails only messages nobody is sending)."""
    fields: dict[str, Any] = {"status": MessageStatus.FAILED, "last_error": error[:500], "claimed_at": None}
    if notify_status:
        fields["notify_status"] = notify_status
    rows = OutboxMessage.objects.filter(pk=message.pk).exclude(status=MessageStatus.FAILED)
    if not rows.filter(only_if or Q()).update(**fields):
        return False
    if message.kind in MAILBOX_KINDS or message.visit_id is None:
        # Not a flag on the visit: its visitor has had their own messages, and a flag asks staff to contact them.
        # A waiting-list message has no visit to flag: the place offered goes to the next person when it lapses.
        logger.warning("Message %s (%s) failed: %s", message.pk, message.kind, error)
        return True
    visit = Visit.objects.get(pk=message.visit_id)
    what = "email to" if message.channel == MessageChannel.EMAIL else "text message to"
    detail = f"The {message.get_kind_display().lower()} {what} {message.recipient} was not delivered: {error}"[:300]
    VisitFlag.objects.create(visit=visit, reason=FlagReason.MESSAGE_FAILED, detail=detail)
    VisitEvent.objects.create(
        visit=visit,
        type=EventType.FLAGGED,
        actor_label="system",
        channel=visit.channel or Channel.ONLINE,
        reason=detail,
        data={"flag": FlagReason.MESSAGE_FAILED, "message_id": message.pk},
    )
    logger.warning("Message %s failed: %s", message.pk, error)
    return True


def message_record_delivery(*, notify_id: str, reference: str, status: str) -> OutboxMessage | None:
    """Apply one of Notify's delivery receipts. A failure fails the message and flags the visit; a message is found
    by Notify's id or, if its sender died before recording that, by its reference."""
    message = OutboxMessage.objects.filter(notify_id=notify_id).first() if notify_id else None
    outbox_id = whole_number(reference.removeprefix("outbox-")) if reference.startswith("outbox-") else None
    if message is None and outbox_id is not None:
        message = OutboxMessage.objects.filter(pk=outbox_id).first()
    if message is None:
        return None
    if not message.notify_id and notify_id:
        OutboxMessage.objects.filter(pk=message.pk, notify_id="").update(notify_id=notify_id)
    if status == DELIVERED:
        OutboxMessage.objects.filter(pk=message.pk).update(status=MessageStatus.DELIVERED, notify_status=status)
    elif status in FAILURES:
        message_fail(message=message, error=f"{status.replace('-', ' ')} ({FAILURES[status]})", notify_status=status)
    else:
        OutboxMessage.objects.filter(pk=message.pk).update(notify_status=status[:30])
    message.refresh_from_db()
    return message


# Periodic jobs --------------------------------------------------------------------------------------------------


def outbox_sweep(*, now: datetime | None = None, limit: int = 1000) -> dict[str, int]:
    """Queue the messages stuck unsent: never queued (the broker was down), or held by a sender whose lease ran out
    (it was killed). Messages too old to be any use are failed and their visits flagged. Safe to run twice: the
    send claims each message."""
    now = now or timezone.now()
    free = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - timedelta(seconds=settings.NOTIFY_CLAIM_LEASE_SECONDS))
    pending = OutboxMessage.objects.filter(free, status=MessageStatus.PENDING)
    given_up = 0
    hours = settings.NOTIFY_GIVE_UP_AFTER_HOURS
    for message in pending.filter(created_at__lt=now - timedelta(hours=hours)):
        error = f"not sent within {hours:g} hours ({message.last_error})"
        given_up += message_fail(message=message, error=error, only_if=free & Q(status=MessageStatus.PENDING))
    stuck = pending.filter(created_at__lt=now - timedelta(seconds=settings.NOTIFY_SWEEP_AFTER_SECONDS))
    ids = list(stuck.order_by("created_at", "id").values_list("pk", flat=True)[:limit])
    # One try each, no retry chain of its own: during a long outage the sweep itself is the retry, once a minute.
    queued = messages_enqueue(ids, retry=False) if ids else 0
    if ids:
        logger.info("Outbox sweep: %d stuck messages, %d queued", len(ids), queued)
    return {"stuck": len(ids), "queued": queued, "given_up": given_up}
