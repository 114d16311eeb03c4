"""Celery tasks for the waiting lists: thin, taking ids, safe to run twice (see waiting_list.services).

Each task keeps the name it had before it moved here (``name=``): the name is what the broker's messages and beat's
schedule carry, so that a task queued by the previous release still runs during a deploy."""

from __future__ import annotations

from celery import shared_task

from waiting_list.services import waiting_list_offer, waiting_lists_sweep


@shared_task(name="visits.tasks.offer_waiting_places", acks_late=True, ignore_result=True)
def offer_waiting_places(session_id: int) -> int:
    """Offer a session's free places to its waiting list, after a change that may have freed one."""
    return len(waiting_list_offer(session_id=session_id))


@shared_task(name="visits.tasks.sweep_waiting_lists", ignore_result=True)
def sweep_waiting_lists() -> int:
    """Offer places freed without a change to say so, close lapsed offers, end lists; runs every minute."""
    return waiting_lists_sweep()
