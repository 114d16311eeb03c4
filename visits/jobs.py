"""Celery tasks for NOMIS sync and the lifecycle jobs: thin, safe to run twice, each calling one service."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from visits.lifecycle import requests_auto_reject, visits_anonymise
from visits.services import holds_expire
from visits.sync import nomis_events_poll, visit_push_to_nomis, visits_unsynced


@shared_task(bind=True, max_retries=8, acks_late=True)
def push_visit_to_nomis(self: Any, visit_id: int) -> bool:
    """Push one visit to NOMIS; retry with backoff while NOMIS is down (the beat job catches any left over)."""
    if visit_push_to_nomis(visit_id=visit_id):
        return True
    if not self.request.is_eager:  # in the embedded default the beat job retries instead of the request waiting
        raise self.retry(countdown=min(30 * 2**self.request.retries, 3600))
    return False


@shared_task
def push_unsynced_visits() -> int:
    """Retry every visit still waiting to reach NOMIS."""
    return sum(1 for visit_id in visits_unsynced() if visit_push_to_nomis(visit_id=visit_id))


@shared_task
def poll_nomis_events() -> int:
    """Act on new NOMIS prisoner events (moves, releases, restrictions, bans, allowance changes)."""
    return nomis_events_poll()


@shared_task
def expire_holds() -> int:
    """Tidy up holds that ran out (they stopped counting against capacity when they ran out)."""
    return holds_expire()


@shared_task
def auto_reject_unanswered_requests() -> int:
    """Reject requests nobody answered before the notice period, and tell the visitors."""
    return requests_auto_reject()


@shared_task
def anonymise_old_visits() -> int:
    """Remove personal data of visits older than the retention period."""
    return visits_anonymise()
