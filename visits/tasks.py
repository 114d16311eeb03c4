"""Celery tasks for notifications and the waiting lists: thin, taking ids, safe to run twice (see visits.notifications
and visits.waiting_list)."""

from __future__ import annotations

import random

from celery import shared_task
from django.conf import settings

from visits import notifications, waiting_list
from visits.notify import NotifyTemporaryError, NotifyUnavailable


def backoff_seconds(retries: int) -> float:
    """Exponential backoff with jitter: about base x 2^retries, capped, so that retries spread out."""
    ceiling = min(settings.NOTIFY_RETRY_BACKOFF_MAX_SECONDS, settings.NOTIFY_RETRY_BACKOFF_SECONDS * 2**retries)
    return random.uniform(ceiling / 2, ceiling)  # jitter, not security


# acks_late (also the project default): a message whose worker dies mid-task goes back to the broker. The claim in
# message_send makes running it again harmless.
@shared_task(bind=True, acks_late=True, ignore_result=True)
def send_message(self, message_id: int, retry: bool = True) -> str:  # type: ignore[no-untyped-def]
    """Send one outbox message; retry with backoff on Notify's 429s, 5xx and timeouts (unless the sweep sent it:
    the sweep is its retry)."""
    try:
        return notifications.message_send(message_id=message_id)
    except NotifyTemporaryError as error:
        if not retry or self.request.is_eager or self.request.retries >= settings.NOTIFY_MAX_RETRIES:
            return "left for the sweep"
        raise self.retry(exc=error, countdown=backoff_seconds(self.request.retries), max_retries=None) from error
    except NotifyUnavailable:
        return "left for the sweep"


@shared_task(ignore_result=True)
def sweep_outbox() -> dict[str, int]:
    """Queue messages stuck unsent (broker down, worker killed); runs every minute."""
    return notifications.outbox_sweep()


@shared_task(ignore_result=True)
def queue_reminders() -> int:
    """Write the reminders due today, each once; runs hourly in the daytime."""
    return notifications.reminders_queue()


@shared_task(acks_late=True, ignore_result=True)
def offer_waiting_places(session_id: int) -> int:
    """Offer a session's free places to its waiting list, after a change that may have freed one."""
    return len(waiting_list.waiting_list_offer(session_id=session_id))


@shared_task(ignore_result=True)
def sweep_waiting_lists() -> int:
    """Offer places freed without a change to say so, close lapsed offers, end lists; runs every minute."""
    return waiting_list.waiting_lists_sweep()
