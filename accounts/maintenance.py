"""The maintenance switch: pausing online booking nationally or at one prison, and resuming it.

While a pause is live, every page of the public booking journey answers with the GOV.UK "service unavailable" page
(``visits/booking-paused.html``) naming the prison's phone number; managing a visit and the staff console carry on.
``BOOKING_PAUSED=1`` in the environment pauses nationally whatever the database says. Every pause and lift is a
``BookingPause`` row, never deleted: the audit trail shown on the staff page.

The journey reads the live pauses on every page, so they are kept in the cache for a few seconds
(``BOOKING_PAUSE_CACHE_SECONDS``) and the cache entry is dropped whenever a pause starts or ends.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.models import BookingPause
from common.read_ahead import cache_get
from prisons.models import Prison

logger = logging.getLogger(__name__)

CACHE_KEY = "booking-pauses"
NATIONAL = 0  # the key of the national pause among the live pauses
RETRY_AFTER_SECONDS = 3600


@dataclass(frozen=True)
class Pause:
    """A live pause as the journey needs it: plain values, cheap to cache."""

    national: bool
    message: str
    message_cy: str = ""
    since: datetime | None = None

    def message_in_language(self) -> str:
        """The message in the visitor's language: the Welsh one when there is one and the page is Welsh."""
        if self.message_cy and translation.get_language() == "cy":
            return self.message_cy
        return self.message


class PauseError(Exception):
    """A pause or resume that cannot be made (already paused, already resumed); ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _live_pauses() -> dict[int, Pause]:
    """Every live pause by prison id (``NATIONAL`` for the national one): one query, then the cache."""
    found = cache_get(CACHE_KEY)
    if found is None:
        found = {
            (p.prison_id or NATIONAL): Pause(
                national=p.prison_id is None, message=p.message, message_cy=p.message_cy, since=p.paused_at
            )
            for p in BookingPause.objects.filter(resumed_at__isnull=True)
        }
        cache.set(CACHE_KEY, found, settings.BOOKING_PAUSE_CACHE_SECONDS)
    return found


def booking_paused(prison: Prison | None) -> Pause | None:
    """The pause that stops online booking at ``prison`` (with none, a national pause only), or None."""
    if settings.BOOKING_PAUSED:
        return Pause(national=True, message=settings.BOOKING_PAUSED_MESSAGE)
    pauses = _live_pauses()
    if NATIONAL in pauses:
        return pauses[NATIONAL]
    return pauses.get(prison.id) if prison is not None else None


def live_pause(prison: Prison | None) -> BookingPause | None:
    """The live pause of exactly this scope (a prison's own, or the national one with none), for the staff page."""
    return BookingPause.objects.filter(prison=prison, resumed_at__isnull=True).select_related("paused_by").first()


def pause_history(prison: Prison) -> list[BookingPause]:
    """Every pause at this prison and every national one, newest first: the audit trail."""
    return list(
        BookingPause.objects.filter(Q(prison=prison) | Q(prison__isnull=True))
        .select_related("prison", "paused_by", "resumed_by")
        .order_by("-paused_at")
    )


def _forget_live_pauses() -> None:
    """Drop the cached live pauses now and again on commit (a page read between the two may have cached the old)."""
    cache.delete(CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))


@transaction.atomic
def booking_pause(
    *, prison: Prison | None, message: str, message_cy: str = "", user: AbstractBaseUser | None
) -> BookingPause:
    """Pause online booking at ``prison`` (with none, nationally) with the message visitors will see."""
    try:
        with transaction.atomic():
            pause = BookingPause.objects.create(
                prison=prison, message=message, message_cy=message_cy, paused_by=user, paused_at=timezone.now()
            )
    except IntegrityError:  # the partial unique constraint: this scope is already paused
        raise PauseError(gettext("Online booking is already paused")) from None
    _forget_live_pauses()
    logger.info("Online booking paused", extra={"prison": prison.code if prison else "national", "pause": pause.id})
    return pause


@transaction.atomic
def booking_resume(*, pause: BookingPause, user: AbstractBaseUser | None) -> BookingPause:
    """Resume online booking: end the pause, keeping it (who lifted it and when) in the audit trail."""
    locked = BookingPause.objects.select_for_update().get(pk=pause.pk)
    if locked.resumed_at is not None:
        raise PauseError(gettext("Online booking has already been resumed"))
    locked.resumed_by, locked.resumed_at = user, timezone.now()
    locked.save(update_fields=["resumed_by", "resumed_at"])
    _forget_live_pauses()
    logger.info("Online booking resumed", extra={"prison": pause.prison.code if pause.prison else "national"})
    return locked
