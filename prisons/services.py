"""Writes about prisons: generating the visit sessions of the rolling window from each timetable."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from django.db import transaction
from django.db.models import Q

from prisons.models import BlockedDate, DateSpecificSession, Prison, SessionTemplate, VisitSession
from prisons.timetable import SessionSlot, sessions_between
from prisons.window import MAX_BOOKING_WINDOW_DAYS
from prisons.window_cache import window_changed

# Sessions exist for today and the next 28 days at every prison; each prison's own booking window and notice
# period decide which of them a visitor may book online.
GENERATION_DAYS = MAX_BOOKING_WINDOW_DAYS
SYNCED_FIELDS = [
    "end_time",
    "template_id",
    "open_capacity",
    "closed_capacity",
    "locations",
    "incentive_levels",
    "categories",
    "blocked",
    "removed",
    "needs_review",
]

SessionKey = tuple[int, date, time]


@dataclass
class GenerationResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    kept_for_review: list[int] = field(default_factory=list)  # sessions whose visits the staff must look at


def _wanted_fields(slot: SessionSlot) -> dict[str, object]:
    return {
        "end_time": slot.end_time,
        "template_id": slot.template_id,
        "open_capacity": slot.open_capacity,
        "closed_capacity": slot.closed_capacity,
        "locations": list(slot.locations),
        "incentive_levels": list(slot.incentive_levels),
        "categories": list(slot.categories),
        "blocked": slot.blocked,
        "removed": False,
    }


def _session_ids_with_visits(session_ids: Iterable[int]) -> set[int]:
    ids = list(session_ids)
    if not ids:
        return set()
    return set(VisitSession.objects.filter(id__in=ids, visits__isnull=False).values_list("id", flat=True).distinct())


def _takes_places_away(session: VisitSession, wanted: dict[str, object]) -> bool:
    return (
        (wanted["blocked"] and not session.blocked)
        or wanted["open_capacity"] < session.open_capacity  # type: ignore[operator]
        or wanted["closed_capacity"] < session.closed_capacity  # type: ignore[operator]
        or wanted["end_time"] != session.end_time
    )


@transaction.atomic
def sessions_generate(*, today: date, prisons: Iterable[Prison] | None = None) -> GenerationResult:
    """Make the visit sessions from today to today + 28 days match the timetables; idempotent.

    New sessions are created and changed ones updated in place. A session the timetable no longer has is deleted
    if no visit ever used it, and otherwise kept, marked removed and needing review; a change that takes places
    away from a session with visits (blocked, smaller, shorter) marks it needing review too. Past sessions are
    never touched. A fixed number of queries, however many prisons.
    """
    prison_ids = [p.id for p in prisons] if prisons is not None else list(Prison.objects.values_list("id", flat=True))
    last = today + timedelta(days=GENERATION_DAYS)
    templates: dict[int, list[SessionTemplate]] = defaultdict(list)
    for t in SessionTemplate.objects.filter(prison_id__in=prison_ids, valid_from__lte=last).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=today)
    ):
        templates[t.prison_id].append(t)
    specific: dict[int, list[DateSpecificSession]] = defaultdict(list)
    for s in DateSpecificSession.objects.filter(prison_id__in=prison_ids, date__range=(today, last)):
        specific[s.prison_id].append(s)
    blocks: dict[int, list[BlockedDate]] = defaultdict(list)
    for b in BlockedDate.objects.filter(prison_id__in=prison_ids, date__range=(today, last)):
        blocks[b.prison_id].append(b)
    existing: dict[SessionKey, VisitSession] = {
        (s.prison_id, s.date, s.start_time): s
        for s in VisitSession.objects.select_for_update().filter(prison_id__in=prison_ids, date__range=(today, last))
    }

    wanted: dict[SessionKey, SessionSlot] = {}
    for prison_id in prison_ids:
        days = sessions_between(today, last, templates[prison_id], specific[prison_id], blocks[prison_id])
        for slots in days.values():
            for slot in slots:
                wanted[(prison_id, slot.date, slot.start_time)] = slot

    result = GenerationResult()
    to_create = [
        VisitSession(prison_id=key[0], date=key[1], start_time=key[2], **_wanted_fields(slot))
        for key, slot in wanted.items()
        if key not in existing
    ]
    changed: list[tuple[VisitSession, dict[str, object]]] = []
    for key, session in existing.items():
        slot = wanted.get(key)
        if slot is None:
            continue
        fields = _wanted_fields(slot)
        if any(getattr(session, name) != value for name, value in fields.items()):
            changed.append((session, fields))
    gone = [session for key, session in existing.items() if key not in wanted and not session.removed]

    with_visits = _session_ids_with_visits(
        [s.id for s in gone] + [s.id for s, fields in changed if _takes_places_away(s, fields)]
    )
    to_update = []
    for session, fields in changed:
        review = session.id in with_visits
        for name, value in fields.items():
            setattr(session, name, value)
        session.needs_review = session.needs_review or review
        to_update.append(session)
        if review:
            result.kept_for_review.append(session.id)
    for session in gone:
        if session.id in with_visits:
            session.removed = session.needs_review = True
            to_update.append(session)
            result.kept_for_review.append(session.id)

    VisitSession.objects.bulk_create(to_create, batch_size=1000, ignore_conflicts=True)
    if to_update:
        VisitSession.objects.bulk_update(to_update, SYNCED_FIELDS, batch_size=500)
    deletable = [s.id for s in gone if s.id not in with_visits]
    if deletable:
        VisitSession.objects.filter(id__in=deletable).delete()
    result.created, result.updated, result.deleted = len(to_create), len(to_update), len(deletable)
    touched = {s.prison_id for s in to_create} | {s.prison_id for s in to_update} | {s.prison_id for s in gone}
    for prison_id in touched:  # what the date pickers there show has changed
        window_changed(prison_id)
    return result
