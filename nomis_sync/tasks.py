"""Celery tasks of NOMIS sync: thin, safe to run twice, each calling one function of ``nomis_sync.sync``.

Each task keeps the name it had before it moved here (``name=``): the name is what the broker's messages and beat's
schedule carry, so that a task queued by the previous release still runs during a deploy."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from nomis_sync.sync import nomis_events_poll, visit_push_to_nomis, visits_unsynced


@shared_task(name="visits.jobs.push_visit_to_nomis", bind=True, max_retries=8, acks_late=True)
def push_visit_to_nomis(self: Any, visit_id: int) -> bool:
    """Push one visit to NOMIS; retry with backoff while NOMIS is down (the beat job catches any left over)."""
    if visit_push_to_nomis(visit_id=visit_id):
        return True
    if not self.request.is_eager:  # in the embedded default the beat job retries instead of the request waiting
        raise self.retry(countdown=min(30 * 2**self.request.retries, 3600))
    return False


@shared_task(name="visits.jobs.push_unsynced_visits")
def push_unsynced_visits() -> int:
    """Retry every visit still waiting to reach NOMIS."""
    return sum(1 for visit_id in visits_unsynced() if visit_push_to_nomis(visit_id=visit_id))


@shared_task(name="visits.jobs.poll_nomis_events")
def poll_nomis_events() -> int:
    """Act on new NOMIS prisoner events (moves, releases, restrictions, bans, allowance changes)."""
    return nomis_events_poll()
