"""Celery tasks that keep the service's data in shape, each calling one domain service, safe to run twice: the
rolling window of visit sessions, holds that ran out, requests nobody answered, and personal data past its time.

Each task keeps the name it had before it moved here (``name=``): the name is what the broker's messages and beat's
schedule carry, so that a task queued by the previous release still runs during a deploy."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from prisons.nomis.hmpps.events import domain_events_forget
from prisons.nomis_checks import nomis_checks_forget
from prisons.services import sessions_generate
from visits.lifecycle import requests_auto_reject, visits_anonymise
from visits.services import holds_expire


@shared_task(name="prisons.tasks.generate_sessions_for_all_prisons")
def generate_sessions_for_all_prisons() -> dict[str, int]:
    """Create, update and retire the visit sessions of every prison's window (safe to run twice)."""
    result = sessions_generate(today=timezone.localdate())
    return {
        "created": result.created,
        "updated": result.updated,
        "deleted": result.deleted,
        "kept_for_review": len(result.kept_for_review),
    }


@shared_task(name="visits.jobs.expire_holds")
def expire_holds() -> int:
    """Tidy up holds that ran out (they stopped counting against capacity when they ran out)."""
    return holds_expire()


@shared_task(name="visits.jobs.auto_reject_unanswered_requests")
def auto_reject_unanswered_requests() -> int:
    """Reject requests nobody answered before the notice period, and tell the visitors."""
    return requests_auto_reject()


@shared_task(name="visits.jobs.anonymise_old_visits")
def anonymise_old_visits() -> int:
    """Remove personal data of visits older than the retention period."""
    return visits_anonymise()


@shared_task(name="housekeeping.tasks.forget_old_nomis_data")
def forget_old_nomis_data() -> dict[str, int]:
    """Delete the HMPPS domain events and the "to check in NOMIS" items past their time."""
    return {"events": domain_events_forget(), "checks": nomis_checks_forget()}
