"""Celery tasks for sending the outbox: thin, taking ids, safe to run twice (see notifications.sending).

Each task keeps the name it had before it moved here (``name=``): the name is what the broker's messages and beat's
schedule carry, so that a task queued by the previous release still runs during a deploy."""

from __future__ import annotations

import random

from celery import shared_task
from django.conf import settings

from notifications import sending
from notifications.gateway import NotifyTemporaryError, NotifyUnavailable
from visits.outbox import reminders_queue


def backoff_seconds(retries: int) -> float:
    """Exponential backoff with jitter: about base x 2^retries, capped, so that retries spread out."""
    ceiling = min(settings.NOTIFY_RETRY_BACKOFF_MAX_SECONDS, settings.NOTIFY_RETRY_BACKOFF_SECONDS * 2**retries)
    return random.uniform(ceiling / 2, ceiling)  # jitter, not security


# acks_late (also the project default): a message whose worker dies mid-task goes back to the broker. The claim in
# message_send makes running it again harmless.
@shared_task(name="visits.tasks.send_message", bind=True, acks_late=True, ignore_result=True)
def send_message(self, message_id: int, retry: bool = True) -> str:  # type: ignore[no-untyped-def]
    """Send one outbox message; retry with backoff on Notify's 429s, 5xx and timeouts (unless the sweep sent it:
    the sweep is its retry)."""
    try:
        return sending.message_send(message_id=message_id)
    except NotifyTemporaryError as error:
        if not retry or self.request.is_eager or self.request.retries >= settings.NOTIFY_MAX_RETRIES:
            return "left for the sweep"
        raise self.retry(exc=error, countdown=backoff_seconds(self.request.retries), max_retries=None) from error
    except NotifyUnavailable:
        return "left for the sweep"


@shared_task(name="visits.tasks.sweep_outbox", ignore_result=True)
def sweep_outbox() -> dict[str, int]:
    """Queue messages stuck unsent (broker down, worker killed); runs every minute."""
    return sending.outbox_sweep()


@shared_task(name="visits.tasks.queue_reminders", ignore_result=True)
def queue_reminders() -> int:
    """Write the reminders due today, each once; runs hourly in the daytime."""
    return reminders_queue()
