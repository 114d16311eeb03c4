"""The outbox: the messages a change causes, written as rows in the same transaction as the change, and sent
through GOV.UK Notify after it commits.

- ``queue_messages`` writes the rows (email and/or SMS, as the visitor chose) and, once the transaction commits,
  queues one send task per row. If the broker is down then, the rows wait for the sweep.
- ``message_send`` sends one row at most once: it claims the row with one conditional UPDATE, checks Notify for
  an earlier try that got through (by the row's reference) before sending again, and records Notify's id.
- ``queue_mailbox_message`` writes the one email to the prison's own visits mailbox, where the prison has set one.
- ``outbox_sweep`` queues rows stuck unsent; ``reminders_queue`` writes reminders; ``message_record_delivery``
  applies Notify's delivery receipts. docs/notifications.md explains the guarantees and their limits.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from datetime import time as clock
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation

from config.input_guard import whole_number
from prisons.models import Prison, VisitSession
from visits.models import (
    Channel,
    EventType,
    FlagReason,
    Language,
    MessageChannel,
    MessageKind,
    MessageStatus,
    OutboxMessage,
    Visit,
    VisitEvent,
    VisitFlag,
    VisitState,
    WaitingListEntry,
)
from visits.notify import NotifyRejected, NotifyTemporaryError, NotifyUnavailable, get_gateway, template_name

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

# The messages to a prison's visits mailbox (Prison.visits_mailbox): email only, English only (settings.py).
MAILBOX_KINDS = frozenset(settings.NOTIFY_MAILBOX_MESSAGE_KINDS)

WORDS = {
    "en": {"to": "to", "open": "open", "closed": "closed"},
    "cy": {"to": "i", "open": "agored", "closed": "caeedig"},
}
REJECTION_REASONS = {
    "en": {
        "no_allowance": "the prisoner has no visiting allowance left",
        "no_allowance_renews": "the prisoner has no visiting allowance left; it renews on {date}",
        "slots_unavailable": "the times you asked for are no longer available",
        "visitor_not_approved": "a visitor is not on the prisoner's list of approved visitors",
        "visitor_banned": "a visitor is banned from visiting",
        "prisoner_moved": "the prisoner has moved to another prison",
        "prisoner_released": "the prisoner has been released",
        "message": "a message from the prison: {message}",
    },
    "cy": {
        "no_allowance": "nid oes gan y carcharor lwfans ymweld ar ôl",
        "no_allowance_renews": "nid oes gan y carcharor lwfans ymweld ar ôl; bydd yn adnewyddu ar {date}",
        "slots_unavailable": "nid yw'r amseroedd y gofynnoch amdanynt ar gael mwyach",
        "visitor_not_approved": "nid yw ymwelydd ar restr y carcharor o ymwelwyr cymeradwy",
        "visitor_banned": "mae ymwelydd wedi'i wahardd rhag ymweld",
        "prisoner_moved": "mae'r carcharor wedi symud i garchar arall",
        "prisoner_released": "mae'r carcharor wedi'i ryddhau",
        "message": "neges gan y carchar: {message}",
    },
}


# Writing messages -----------------------------------------------------------------------------------------------


def _language(visit: Visit) -> str:
    return "cy" if visit.language == Language.WELSH else "en"


def describe_session(session: VisitSession) -> str:
    """'Monday 23 November 2026, 2pm to 3:45pm' (in Welsh when Welsh is active)."""
    from config.govuk.jinja import govuk_date, govuk_time

    to = WORDS["cy" if translation.get_language() == "cy" else "en"]["to"]
    return (
        f"{govuk_date(session.date, with_weekday=True)}, {govuk_time(session.start_time)} {to} "
        f"{govuk_time(session.end_time)}"
    )


def _rejection_reasons(language: str, extra: dict[str, Any]) -> list[str]:
    from config.govuk.jinja import govuk_date

    words, sentences = REJECTION_REASONS[language], []
    for code in extra.get("reasons", []):
        if code == "other":
            sentences.append(extra.get("other_reason", "").strip())
        elif code == "no_allowance" and extra.get("allowance_renews_on"):
            sentences.append(words["no_allowance_renews"].format(date=govuk_date(extra["allowance_renews_on"])))
        else:
            sentences.append(words.get(code, code))
    if extra.get("message", "").strip():  # what the prison wrote to the visitor, whatever the reasons
        sentences.append(words["message"].format(message=extra["message"].strip()))
    return [s[:1].upper() + s[1:] for s in sentences if s]


def personalisation(visit: Visit, kind: str, **extra: Any) -> dict[str, Any]:
    """The values a Notify template for this kind of message fills in (see docs/notify-templates.md), in the
    visitor's language."""
    from visits.links import manage_url

    language = _language(visit)
    with translation.override(language):
        values: dict[str, Any] = {
            "reference": visit.reference,
            "prison": (visit.prison.name_cy if language == "cy" else "") or visit.prison.name,
            "prison_phone": visit.prison.phone,
            "arrive_minutes": str(visit.prison.arrive_minutes_before),
            "visit_date_and_time": describe_session(visit.session),
            "visit_type": WORDS[language]["closed" if visit.closed else "open"],
            "prisoner": f"{visit.prisoner_first_name} {visit.prisoner_last_name}",
            "visitors": ", ".join(f"{v.first_name} {v.last_name}" for v in visit.visitors.all() if not v.refused),
            "manage_link": manage_url(visit),
        }
        if "previous_session" in extra:
            values["previous_date_and_time"] = describe_session(extra.pop("previous_session"))
        if kind == "rejected":
            values["rejection_reasons"] = _rejection_reasons(language, extra)
        if kind in ("cancelled_by_visitor", "cancelled_by_prison"):
            values["reason"] = extra.get("reason", "")
    if extra.get("allowance_renews_on"):
        extra["allowance_renews_on"] = extra["allowance_renews_on"].isoformat()
    values.update({k: v for k, v in extra.items() if v not in (None, "", [])})
    return values


def is_uk_mobile(number: str) -> bool:
    """Notify's own test: a UK mobile is 07 followed by 9 digits (or +44 7...). Text messages go to no others."""
    digits = "".join(ch for ch in number if ch.isdigit())
    if number.strip().startswith("+") or digits.startswith("44"):
        digits = digits.removeprefix("44")
    else:
        digits = digits.removeprefix("0")
    return len(digits) == 10 and digits.startswith("7")


def message_recipients(whom: Visit | WaitingListEntry) -> list[tuple[str, str]]:
    """Where a visit's (or a waiting-list entry's) messages go: (channel, address), as they chose, texts only to UK
    mobiles."""
    recipients = []
    if whom.contact_email and whom.wants_email:
        recipients.append((MessageChannel.EMAIL, whom.contact_email))
    if whom.contact_phone and whom.wants_sms and is_uk_mobile(whom.contact_phone):
        recipients.append((MessageChannel.SMS, whom.contact_phone))
    return recipients


def queue_messages(visit: Visit, kind: str, **extra: Any) -> list[OutboxMessage]:
    """Write the messages for this change to the outbox: email and/or SMS, as the visitor asked. They are sent
    once the caller's transaction commits."""
    recipients = message_recipients(visit)
    if not recipients:
        return []
    values = personalisation(visit, kind, **extra)
    messages = OutboxMessage.objects.bulk_create(
        OutboxMessage(visit=visit, kind=kind, channel=channel, recipient=recipient, personalisation=values)
        for channel, recipient in recipients
    )
    ids = [m.pk for m in messages]
    transaction.on_commit(lambda: messages_enqueue(ids))
    return messages


def mailbox_personalisation(visit: Visit, kind: str) -> dict[str, Any]:
    """What a mailbox template fills in: the visit's reference, time and prisoner number and a link to it in the
    staff console, and nothing about the visitors (the console has that, behind a sign-in). In English."""
    from django.urls import reverse

    page = "staff:request" if kind == MessageKind.PRISON_NEW_REQUEST else "staff:visit"
    link = reverse(page, kwargs={"prison": visit.prison.slug, "reference": visit.reference})
    with translation.override("en"):
        values: dict[str, Any] = {
            "reference": visit.reference,
            "prison": visit.prison.name,
            "visit_date_and_time": describe_session(visit.session),
            "prisoner_number": visit.prisoner_number,
            "visit_type": WORDS["en"]["closed" if visit.closed else "open"],
            "console_link": settings.SERVICE_BASE_URL.rstrip("/") + link,
        }
        if kind == MessageKind.PRISON_NEW_REQUEST:
            sessions = [p.session for p in visit.preferences.select_related("session").order_by("rank")]
            values["requested_times"] = [describe_session(s) for s in sessions or [visit.session]]
    return values


def queue_mailbox_message(visit: Visit, kind: str) -> OutboxMessage | None:
    """Write the email about this visit to its prison's visits mailbox, if the prison has set one (off by
    default). Sent once the caller's transaction commits, like the visitor's own messages."""
    # Read afresh: the journey may hold the prison's row from a few seconds ago (SHARED_READS_SECONDS).
    mailbox = Prison.objects.filter(pk=visit.prison_id).values_list("visits_mailbox", flat=True).first()
    if not mailbox:
        return None
    message = OutboxMessage.objects.create(
        visit=visit,
        kind=kind,
        channel=MessageChannel.EMAIL,
        recipient=mailbox,
        personalisation=mailbox_personalisation(visit, kind),
    )
    transaction.on_commit(lambda: messages_enqueue([message.pk]))
    return message


@transaction.atomic
def visits_mailbox_change(*, prison: Prison, mailbox: str, by: Any, now: datetime | None = None) -> bool:
    """Set the prison's visits mailbox (empty: none), recording who changed it and when, and tell the old mailbox,
    if there was one, what it was changed to: a mailbox taken over without the team knowing stops their emails.
    Returns False when nothing changed. English only, as every mailbox message is."""
    now = now or timezone.now()
    row = Prison.objects.select_for_update().get(pk=prison.pk)
    old = row.visits_mailbox
    if old == mailbox:
        return False
    Prison.objects.filter(pk=prison.pk).update(
        visits_mailbox=mailbox, visits_mailbox_changed_by=by, visits_mailbox_changed_at=now
    )
    prison.visits_mailbox, prison.visits_mailbox_changed_by, prison.visits_mailbox_changed_at = mailbox, by, now
    logger.info("Visits mailbox changed", extra={"prison": row.code, "by_user": getattr(by, "pk", None)})
    if old:
        from django.urls import reverse

        from config.govuk.jinja import govuk_date, govuk_time

        when = timezone.localtime(now)
        with translation.override("en"):
            changed_at = f"{govuk_time(when.time())} on {govuk_date(when.date())}"
        link = reverse("staff:timetable-settings", kwargs={"prison": row.slug})
        message = OutboxMessage.objects.create(
            prison=row,
            kind=MessageKind.PRISON_MAILBOX_CHANGED,
            channel=MessageChannel.EMAIL,
            recipient=old,
            personalisation={
                "prison": row.name,
                "new_mailbox": mailbox or "none (no more emails)",
                "changed_by": getattr(by, "username", "") or "the service",
                "changed_at": changed_at,
                "console_link": settings.SERVICE_BASE_URL.rstrip("/") + link,
            },
        )
        transaction.on_commit(lambda: messages_enqueue([message.pk]))
    return True


def messages_enqueue(ids: list[int], *, retry: bool = True) -> int:
    """Queue a send task for each message; return how many were queued. A broker that is down is logged, not
    raised: the change has committed, and the sweep sends what was not queued. ``retry``: whether each task retries
    Notify's temporary errors itself, with backoff."""
    from visits.tasks import send_message

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


def reminders_queue(*, now: datetime | None = None) -> int:
    """Write reminder messages for booked visits that are their prison's ``reminder_days_before`` days away (or
    fewer, catching up a missed run), once per visit and date. Visits booked today are not reminded: the booking
    message has just told them. Safe when two of these run at once: each visit is marked under a row lock, and the
    second run, waiting for the lock, then finds it marked."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    start_of_today = timezone.make_aware(datetime.combine(today, clock.min))
    count = 0
    for days in set(Prison.objects.filter(reminder_days_before__gt=0).values_list("reminder_days_before", flat=True)):
        due = (
            Visit.objects.filter(
                state=VisitState.BOOKED,
                prison__reminder_days_before=days,
                session__date__gt=today,
                session__date__lte=today + timedelta(days=days),
                created_at__lt=start_of_today,
            )
            .filter(Q(reminder_sent_for__isnull=True) | ~Q(reminder_sent_for=F("session__date")))
            .values_list("pk", flat=True)
        )
        count += sum(_remind(visit_id) for visit_id in list(due))
    return count


@transaction.atomic
def _remind(visit_id: int) -> bool:
    # Not skip_locked: the lock may be held by something else (a NOMIS push), and this visit must not be missed.
    visit = (
        Visit.objects.select_for_update(of=("self",))
        .select_related("session", "prison")
        .filter(pk=visit_id, state=VisitState.BOOKED)
        .first()
    )
    if visit is None or visit.reminder_sent_for == visit.session.date:
        return False  # another run has done it, or it is no longer booked
    visit.reminder_sent_for = visit.session.date
    visit.save(update_fields=["reminder_sent_for"])
    queue_messages(visit, "reminder")
    return True
