"""Counting booking journeys for the completion rate, on the server, from the visitor's session: no cookie but the
session's own, no third-party analytics, and nothing about the visitor stored (a prison, a day and two counts).

A journey starts when the visitor chooses a prison (``journey_started``, once per journey: the session remembers it,
so a refresh or going back counts nothing more; choosing another prison starts a journey there) and completes when
it ends in a booking or a request (``journey_completed``, on the day the journey started). Counting never stops a
visitor: a failure to count is logged and the journey goes on.
"""

from __future__ import annotations

import logging
from datetime import date

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from prisons.models import Prison
from visits.models import JourneyCount

SESSION_KEY = "performance_journey"  # {"prison": id, "day": ISO date} while a counted journey is under way

logger = logging.getLogger(__name__)


def journey_started(request: HttpRequest, prison: Prison) -> None:
    """Count a journey started at this prison, unless this session's journey there is already counted."""
    journey = request.session.get(SESSION_KEY)
    if isinstance(journey, dict) and journey.get("prison") == prison.id:
        return
    day = timezone.localdate()
    if _increment(prison_id=prison.id, day=day, counter="started"):
        request.session[SESSION_KEY] = {"prison": prison.id, "day": day.isoformat()}


def journey_completed(request: HttpRequest, prison: Prison) -> None:
    """Count this session's journey at this prison as completed (once: the session then forgets it)."""
    journey = request.session.pop(SESSION_KEY, None)
    if not isinstance(journey, dict) or journey.get("prison") != prison.id:
        return  # not counted when it started (a session older than counting), or begun at another prison
    try:
        day = date.fromisoformat(journey["day"])
    except (KeyError, TypeError, ValueError):
        return
    _increment(prison_id=prison.id, day=day, counter="completed")


def _increment(*, prison_id: int, day: date, counter: str) -> bool:
    """Add one to the day's count, atomically: an UPDATE with F() where the row exists, else an INSERT, and the
    UPDATE again where another request inserted it first. In a savepoint, so a failure leaves the caller's
    transaction as it was."""
    rows = JourneyCount.objects.filter(prison_id=prison_id, day=day)
    try:
        with transaction.atomic():
            if rows.update(**{counter: F(counter) + 1}):
                return True
            try:
                with transaction.atomic():
                    JourneyCount.objects.create(prison_id=prison_id, day=day, **{counter: 1})
            except IntegrityError:  # created by a request running at the same moment
                rows.update(**{counter: F(counter) + 1})
            return True
    except DatabaseError:
        logger.warning("Could not count a journey %s at prison %s", counter, prison_id, exc_info=True)
        return False
