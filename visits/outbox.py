"""The outbox, as the booking domain writes it: the messages a change causes, as rows written in the same
transaction as the change (``queue_messages``, ``queue_mailbox_message``, the reminders due, a changed visits
mailbox), each handed to the background once the change commits (``visits.handoff``: ``notifications`` sends them
through GOV.UK Notify, at most once each). What each message says is made here too (``personalisation``,
``describe_session``), in the visitor's language. docs/notifications.md explains the guarantees."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from datetime import time as clock
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation

from prisons.models import Prison, VisitSession
from visits.handoff import SEND_MESSAGES, after_commit
from visits.models import (
    Language,
    MessageChannel,
    MessageKind,
    OutboxMessage,
    Visit,
    VisitState,
    WaitingListEntry,
)

logger = logging.getLogger(__name__)

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
    from common.govuk.jinja import govuk_date, govuk_time

    to = WORDS["cy" if translation.get_language() == "cy" else "en"]["to"]
    return (
        f"{govuk_date(session.date, with_weekday=True)}, {govuk_time(session.start_time)} {to} "
        f"{govuk_time(session.end_time)}"
    )


def _rejection_reasons(language: str, extra: dict[str, Any]) -> list[str]:
    from common.govuk.jinja import govuk_date

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
    after_commit(SEND_MESSAGES, ids)
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
    after_commit(SEND_MESSAGES, [message.pk])
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

        from common.govuk.jinja import govuk_date, govuk_time

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
        after_commit(SEND_MESSAGES, [message.pk])
    return True


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
