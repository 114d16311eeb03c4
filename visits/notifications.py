"""The outbox: the messages a change causes, written as rows in the same transaction as the change.

Sending them through GOV.UK Notify is the job of the notification tasks; this module only decides who gets
what, by email and/or text message as the visitor chose.
"""

from __future__ import annotations

from typing import Any

from prisons.models import VisitSession
from visits.models import MessageChannel, OutboxMessage, Visit


def describe_session(session: VisitSession) -> str:
    """'Monday 23 November 2026, 2pm to 3:45pm'."""
    from config.govuk.jinja import govuk_date, govuk_time

    return (
        f"{govuk_date(session.date, with_weekday=True)}, {govuk_time(session.start_time)} to "
        f"{govuk_time(session.end_time)}"
    )


def personalisation(visit: Visit, kind: str, **extra: Any) -> dict[str, Any]:
    """The values a Notify template for this kind of message fills in (see docs/notify-templates.md)."""
    from visits.links import manage_url

    values: dict[str, Any] = {
        "reference": visit.reference,
        "prison": visit.prison.name,
        "prison_phone": visit.prison.phone,
        "visit_date_and_time": describe_session(visit.session),
        "visit_type": "closed" if visit.closed else "open",
        "prisoner": f"{visit.prisoner_first_name} {visit.prisoner_last_name}",
        "visitors": ", ".join(f"{v.first_name} {v.last_name}" for v in visit.visitors.all() if not v.refused),
        "manage_link": manage_url(visit),
    }
    if "previous_session" in extra:
        values["previous_date_and_time"] = describe_session(extra.pop("previous_session"))
    if extra.get("allowance_renews_on"):
        extra["allowance_renews_on"] = extra["allowance_renews_on"].isoformat()
    values.update({k: v for k, v in extra.items() if v not in (None, "", [])})
    return values


def queue_messages(visit: Visit, kind: str, **extra: Any) -> list[OutboxMessage]:
    """Write the messages for this change to the outbox: email and/or SMS, as the visitor asked."""
    recipients = []
    if visit.contact_email and visit.wants_email:
        recipients.append((MessageChannel.EMAIL, visit.contact_email))
    if visit.contact_phone and visit.wants_sms:
        recipients.append((MessageChannel.SMS, visit.contact_phone))
    if not recipients:
        return []
    values = personalisation(visit, kind, **extra)
    return OutboxMessage.objects.bulk_create(
        OutboxMessage(visit=visit, kind=kind, channel=channel, recipient=recipient, personalisation=values)
        for channel, recipient in recipients
    )
