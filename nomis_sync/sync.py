"""Keeping visits and NOMIS true to each other: pushing bookings to NOMIS, and acting on NOMIS's prisoner events.

Pushing: every booked, changed and cancelled visit is marked as needing sync in the transaction that changes it,
and a task pushes it after commit. NOMIS's ``record_visit`` is idempotent by key and ``cancel_visit`` by id, so a
push that runs twice (a retry, two workers, the beat job) never records a visit twice.

Events: the feed is read from the stored cursor, one page per transaction; each event's id is stored as processed
in the same transaction as its effects, so each event is acted on exactly once, even when replayed or when two
pollers run (the cursor row is locked; a second poller skips).
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from prisons.nomis import NomisError, NomisUnavailable, get_client
from prisons.nomis.interface import CancelOutcome, PrisonerEvent, VisitToRecord
from prisons.nomis.interface import EventType as NomisEventType
from prisons.nomis.status import nomis_outage_end, nomis_outage_start
from visits.errors import BookingError
from visits.models import (
    FlagReason,
    NomisEventCursor,
    ProcessedNomisEvent,
    Visit,
    VisitState,
    ended_by_the_visitor,
)
from visits.rules import can_lead_a_visit
from visits.selectors import forget_prisoner_context
from visits.services import Actor, RejectionReason, request_reject, visit_cancel, visit_flag, visitor_refuse

logger = logging.getLogger(__name__)

RECORDED_STATES = (VisitState.BOOKED, VisitState.ATTENDED, VisitState.NO_SHOW)
FEED = "prisoner-events"


def nomis_key(visit: Visit) -> str:
    """What NOMIS records this booking under: one record per visit and session, so a change is a new record."""
    return f"{visit.reference}/{visit.session_id}"


def visit_push_to_nomis(*, visit_id: int, now: datetime | None = None) -> bool:
    """Make NOMIS match the visit (record it, move it, or cancel it). Returns False when NOMIS could not be reached
    (the visit stays marked for the next try); raises nothing for a visit already in sync."""
    now = now or timezone.now()
    with transaction.atomic():
        visit = (
            Visit.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("session", "prison")
            .filter(pk=visit_id, nomis_sync_needed=True)
            .order_by()
            .first()
        )
        if visit is None:
            return True  # in sync already, or another worker has it
        client = get_client()
        try:
            if visit.state in RECORDED_STATES:
                key = nomis_key(visit)
                if visit.nomis_key != key:
                    if visit.nomis_visit_id:
                        client.cancel_visit(visit.prisoner_number, visit.nomis_visit_id, CancelOutcome.ADMINISTRATIVE)
                    visit.nomis_visit_id = client.record_visit(_to_record(visit, key))
                    visit.nomis_key = key
            elif visit.nomis_visit_id and visit.state == VisitState.CANCELLED:
                client.cancel_visit(visit.prisoner_number, visit.nomis_visit_id, _cancel_outcome(visit))
                visit.nomis_key = ""
        except NomisError as error:
            visit.nomis_sync_attempts += 1
            visit.nomis_sync_error = str(error)[:300] or error.__class__.__name__
            visit.save(update_fields=["nomis_sync_attempts", "nomis_sync_error"])
            logger.warning("NOMIS push of visit %s failed: %s", visit.reference, error)
            return False
        visit.nomis_sync_needed, visit.nomis_synced_at, visit.nomis_sync_error = False, now, ""
        visit.save(
            update_fields=["nomis_visit_id", "nomis_key", "nomis_sync_needed", "nomis_synced_at", "nomis_sync_error"]
        )
        return True


def _cancel_outcome(visit: Visit) -> CancelOutcome:
    if Visit.objects.filter(ended_by_the_visitor(), pk=visit.pk).exists():
        return CancelOutcome.VISITOR_CANCELLED
    return CancelOutcome.PRISON_CANCELLED


def _to_record(visit: Visit, key: str) -> VisitToRecord:
    session = visit.session
    visitors = list(visit.visitors.order_by("position"))
    lead = visitors[0] if visitors else None
    return VisitToRecord(
        reference=key,
        prisoner_number=visit.prisoner_number,
        prison_code=visit.prison.code,
        start=timezone.make_aware(datetime.combine(session.date, session.start_time)),
        end=timezone.make_aware(datetime.combine(session.date, session.end_time)),
        closed=visit.closed,
        visitor_contact_ids=tuple(  # the lead first: NOMIS makes the first adult the visit's leader
            v.nomis_contact_id for v in visitors if v.nomis_contact_id is not None and not v.refused
        ),
        lead_visitor_name=f"{lead.first_name} {lead.last_name}" if lead else "",
    )


def visits_unsynced() -> list[int]:
    """Ids of visits still waiting to reach NOMIS, oldest first."""
    return list(Visit.objects.filter(nomis_sync_needed=True).order_by("updated_at").values_list("id", flat=True))


def nomis_events_poll(*, limit: int = 100, max_pages: int = 20, now: datetime | None = None) -> int:
    """Read the prisoner events feed from the stored cursor and act on each event once. Returns events acted on.

    While NOMIS cannot be reached it raises nothing: the outage is recorded on the cursor (``failing_since``,
    reported by /healthz/nomis) with one warning when it starts and one line when it ends, not a traceback a
    minute; the next poll carries on from the cursor."""
    now = now or timezone.now()
    try:
        acted = _read_the_feed(limit=limit, max_pages=max_pages)
    except NomisUnavailable as error:
        _poll_failed(error, now)
        return 0
    _poll_worked(now)
    return acted


def breaker_state() -> str:
    """The HTTP client's circuit breaker (closed, open, half-open), or "none" for a client without one."""
    http = getattr(get_client(), "http", None)
    return str(getattr(http, "breaker_state", "none"))


def _poll_failed(error: NomisUnavailable, now: datetime) -> None:
    failure = type(error).__name__
    started = NomisEventCursor.objects.filter(name=FEED, failing_since__isnull=True).update(
        failing_since=now, failure=failure
    )
    nomis_outage_start(now)
    if started:
        state = breaker_state()
        logger.warning(
            "Reading NOMIS's prisoner events failed (%s; circuit breaker %s): trying again every minute; "
            "/healthz/nomis reports it",
            failure,
            state,
            extra={"failure": failure, "breaker": state},
        )
    else:
        NomisEventCursor.objects.filter(name=FEED).update(failure=failure)


def _poll_worked(now: datetime) -> None:
    nomis_outage_end()
    cursor = NomisEventCursor.objects.filter(name=FEED, failing_since__isnull=False).first()
    if cursor is not None and cursor.failing_since is not None:
        NomisEventCursor.objects.filter(name=FEED).update(failing_since=None, failure="")
        minutes = int((now - cursor.failing_since).total_seconds() // 60)
        logger.info("Reading NOMIS's prisoner events works again, after %d minutes", minutes)


def nomis_events_health() -> tuple[datetime | None, str]:
    """Since when reading NOMIS's prisoner events has failed, and why (None when it works)."""
    row = NomisEventCursor.objects.filter(name=FEED).values_list("failing_since", "failure").first()
    return row if row is not None else (None, "")


def _read_the_feed(*, limit: int, max_pages: int) -> int:
    acted = 0
    NomisEventCursor.objects.get_or_create(name=FEED)
    for _ in range(max_pages):
        with transaction.atomic():
            cursor = NomisEventCursor.objects.select_for_update(skip_locked=True).filter(name=FEED).first()
            if cursor is None:
                return acted  # another poller is reading the feed
            page = get_client().events_since(cursor.cursor or None, limit=limit)
            seen = set(
                ProcessedNomisEvent.objects.filter(event_id__in=[e.id for e in page.events]).values_list(
                    "event_id", flat=True
                )
            )
            fresh = [e for e in page.events if e.id not in seen]
            for event in fresh:
                _act_on(event)
                ProcessedNomisEvent.objects.create(event_id=event.id, type=event.type)
            acted += len(fresh)
            cursor.cursor, cursor.updated_at = page.cursor, timezone.now()
            cursor.save(update_fields=["cursor", "updated_at"])
            if len(page.events) < limit:
                return acted
    return acted


def _act_on(event: PrisonerEvent) -> None:
    """What a prisoner event means for the visits still to come."""
    today = timezone.localdate()
    visits = list(
        Visit.objects.filter(
            prisoner_number=event.prisoner_number,
            session__date__gte=today,
            state__in=[VisitState.BOOKED, VisitState.REQUESTED],
        ).select_related("session")
    )
    system = Actor.system()
    for visit in visits:
        try:
            if event.type == NomisEventType.RELEASED:
                if visit.state == VisitState.REQUESTED:
                    request_reject(visit=visit, reasons=[RejectionReason.PRISONER_RELEASED], actor=system)
                else:
                    visit_cancel(visit=visit, reason="The prisoner has been released", actor=system)
            elif event.type == NomisEventType.MOVED:
                if visit.state == VisitState.REQUESTED:
                    request_reject(visit=visit, reasons=[RejectionReason.PRISONER_MOVED], actor=system)
                else:
                    visit_flag(
                        visit=visit,
                        reason=FlagReason.PRISONER_MOVED,
                        detail=f"Moved to {event.data.get('to_prison', 'another prison')}",
                    )
            elif event.type == NomisEventType.RESTRICTION_ADDED:
                visit_flag(visit=visit, reason=FlagReason.RESTRICTION, detail=_restriction_text(event))
            elif event.type == NomisEventType.VISITOR_BANNED:
                banned = visit.visitors.filter(nomis_contact_id=event.data.get("contact_id"), refused=False).first()
                until = f"Visitor banned until {event.data.get('end_date') or 'further notice'}"
                others = [v.date_of_birth for v in visit.visitors.filter(refused=False) if v != banned]
                if banned is not None and (banned.is_lead or not can_lead_a_visit(others, on=visit.session.date)):
                    # The visit cannot go ahead without them: refused, and the visit rejected or cancelled.
                    visitor_refuse(
                        visit=visit, visitor=banned, reason=until, actor=system, kind=RejectionReason.VISITOR_BANNED
                    )
                elif banned is not None:
                    visit_flag(visit=visit, reason=FlagReason.VISITOR_BANNED, detail=until)
        except BookingError as error:  # someone changed the visit meanwhile: nothing left to do for it
            logger.info("Event %s: visit %s already changed (%s)", event.id, visit.reference, error.code)
    if event.type in (
        NomisEventType.ALLOWANCE_CHANGED,
        NomisEventType.RESTRICTION_ADDED,
        NomisEventType.VISITOR_BANNED,
        NomisEventType.MOVED,
        NomisEventType.RELEASED,
    ):
        forget_prisoner_context(event.prisoner_number)


def _restriction_text(event: PrisonerEvent) -> str:
    restriction = event.data.get("restriction")
    kind = restriction.get("type", "") if isinstance(restriction, dict) else str(restriction or "")
    return f"New restriction: {kind.replace('_', ' ')}".strip()
