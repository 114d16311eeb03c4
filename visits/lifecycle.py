"""The lifecycle jobs: requests nobody answered in time, and removing personal data after the retention period."""

from __future__ import annotations

import logging
from datetime import date

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import DatabaseError, transaction
from django.db.models import Max
from django.utils import timezone

from prisons.models import Prison
from visits.errors import BookingError
from visits.models import (
    FakeNotifyMessage,
    OutboxMessage,
    Visit,
    VisitEvent,
    VisitFlag,
    Visitor,
    VisitState,
    WaitingListEntry,
)
from visits.services import Actor, RejectionReason, request_reject

ANONYMISED = "(removed)"
logger = logging.getLogger(__name__)


def requests_auto_reject(*, today: date | None = None) -> int:
    """Reject, and tell the visitor, every request whose times are all inside the notice period now: nobody
    answered it in time and none of its times can still be booked."""
    today = today or timezone.localdate()
    rejected = 0
    prisons = {p.id: p for p in Prison.objects.all()}
    waiting = (
        Visit.objects.filter(state=VisitState.REQUESTED)
        .annotate(last_choice=Max("preferences__session__date"))
        .values_list("id", "prison_id", "last_choice")
    )
    for visit_id, prison_id, last_choice in waiting:
        first_bookable, _ = prisons[prison_id].bookable_window(today)
        if last_choice is not None and last_choice >= first_bookable:
            continue
        try:
            request_reject(
                visit=Visit.objects.get(pk=visit_id),
                reasons=[RejectionReason.SLOTS_UNAVAILABLE],
                actor=Actor.system(),
                other_reason="Not answered before the notice period",
            )
            rejected += 1
        except BookingError:
            continue  # a clerk decided it meanwhile
    return rejected


def retention_cutoff(today: date | None = None) -> date:
    today = today or timezone.localdate()
    months = settings.RETENTION_MONTHS
    year, month = divmod(today.month - 1 - months, 12)
    day = min(today.day, 28)
    return date(today.year + year, month + 1, day)


def visits_anonymise(*, today: date | None = None, batch: int = 500) -> int:
    """Remove the personal data of visits that happened (or would have) before the retention cut-off, keeping the
    rows, their states, dates, prison and channel for the performance figures. Safe with two runs at once; a visit
    that cannot be anonymised is logged (by id) and passed over, and never stops the others."""
    cutoff = retention_cutoff(today)
    Session.objects.filter(expire_date__lt=timezone.now()).delete()  # journey answers left in expired sessions
    waiting_lists_remove(today=today)
    done = 0
    passed_over: set[int] = set()
    while True:
        with transaction.atomic():
            ids = list(
                Visit.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(session__date__lt=cutoff, anonymised_at__isnull=True)
                .exclude(id__in=passed_over)
                .order_by("id")
                .values_list("id", flat=True)[:batch]
            )
            if not ids:
                return done
            try:
                with transaction.atomic():
                    _anonymise(ids)
                done += len(ids)
                continue
            except DatabaseError:
                logger.warning("Anonymising a batch of %d visits failed: trying them one by one", len(ids))
            for visit_id in ids:  # still holding the batch's locks
                try:
                    with transaction.atomic():
                        _anonymise([visit_id])
                    done += 1
                except DatabaseError:
                    logger.exception("Visit %d could not be anonymised: passed over until the next run", visit_id)
                    passed_over.add(visit_id)


def _anonymise(ids: list[int]) -> None:
    now = timezone.now()
    Visit.objects.filter(id__in=ids).update(
        prisoner_number="",
        prisoner_first_name=ANONYMISED,
        prisoner_last_name=ANONYMISED,
        prisoner_date_of_birth=None,
        prisoner_location="",
        contact_email="",
        contact_phone="",
        support_details="",
        support_needs=[],
        # NOMIS's own ids lead back to the people in NOMIS's records: the visit's record there (nomis_visit_id, and
        # nomis_key, what it was recorded under) and each visitor's approved contact (nomis_contact_id). Nothing is
        # sent to NOMIS about a visit this old, so none of them is kept, nor a push still waiting.
        nomis_visit_id="",
        nomis_key="",
        nomis_sync_needed=False,
        anonymised_at=now,
    )
    Visitor.objects.filter(visit_id__in=ids).update(
        first_name=ANONYMISED, last_name=ANONYMISED, date_of_birth=None, refusal_reason="", nomis_contact_id=None
    )
    VisitEvent.objects.filter(visit_id__in=ids).update(reason="", data={})
    VisitFlag.objects.filter(visit_id__in=ids).update(detail="", resolution="")
    outbox = OutboxMessage.objects.filter(visit_id__in=ids)
    # The fake Notify's copies (embedded default only) hold the rendered text: they go altogether.
    FakeNotifyMessage.objects.filter(
        reference__in=[f"outbox-{pk}" for pk in outbox.values_list("id", flat=True)]
    ).delete()
    outbox.update(recipient="", personalisation={})


def waiting_lists_remove(*, today: date | None = None) -> int:
    """Delete the waiting lists of sessions that have passed, with their messages: their names, contact details and
    party have no use once the session has gone (the places they were offered are visits, kept as visits are)."""
    today = today or timezone.localdate()
    entries = WaitingListEntry.objects.filter(session__date__lt=today)
    references = [
        f"outbox-{pk}" for pk in OutboxMessage.objects.filter(waiting__in=entries).values_list("id", flat=True)
    ]
    FakeNotifyMessage.objects.filter(reference__in=references).delete()
    removed, _ = entries.delete()
    return removed
