"""The booking service: every write to a visit, for every channel.

Each operation is keyword-only, transactional, records its event, and writes the messages it causes to the outbox
in the same transaction. Capacity and double booking are enforced with row locks on the day's sessions
(``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's IMMEDIATE transactions serialise writers instead) and backed
by database constraints, so no interleaving of requests across processes can overbook a session.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from prisons.models import BlockedDate, Prison, VisitSession
from prisons.services import sessions_generate
from prisons.window_cache import window_changed
from visits.errors import AlreadyProcessed, HoldLost, InvalidChange, NotAllowed, SessionUnavailable
from visits.handoff import PLACE_FREED, PUSH_TO_NOMIS, after_commit
from visits.models import (
    ACTIVE_STATES,
    HOLD_MINUTES,
    PLACE_TAKING_STATES,
    Channel,
    EventType,
    FlagReason,
    Language,
    MessageKind,
    Visit,
    VisitEvent,
    VisitFlag,
    Visitor,
    VisitPreference,
    VisitState,
    WaitingListEntry,
    WaitingState,
)
from visits.outbox import queue_mailbox_message, queue_messages
from visits.rules import MAX_PREFERENCES, PartyMember, can_lead_a_visit, remand_week_full

REFERENCE_ALPHABET = "bcdfghjkmnpqrstvwxz"  # no vowels (no words), no l (looks like 1 and I)
STAFF_CANCEL_DAYS_AFTER = 28


class Actor:
    """Who is making a change: a visitor, the system, or a staff user."""

    def __init__(self, *, user: AbstractBaseUser | None = None, label: str | None = None) -> None:
        self.user = user
        self.label = label or ((user.get_full_name() or user.get_username()) if user is not None else "visitor")

    @property
    def is_staff(self) -> bool:
        return self.user is not None

    @classmethod
    def visitor(cls) -> Actor:
        return cls(label="visitor")

    @classmethod
    def system(cls) -> Actor:
        return cls(label="system")


@dataclass(frozen=True)
class ContactDetails:
    email: str = ""
    phone: str = ""  # a UK mobile in E.164
    wants_email: bool = True
    wants_sms: bool = False
    language: str = Language.ENGLISH


@dataclass(frozen=True)
class PrisonerDetails:
    number: str
    first_name: str
    last_name: str
    date_of_birth: date | None = None
    location: str = ""


@dataclass(frozen=True)
class Override:
    """A staff override of a rule, with the reason that is recorded on the visit's timeline."""

    rule: str  # "capacity" or "allowance"
    reason: str


def _needs_nomis_sync(visit: Visit) -> None:
    """Mark the visit for NOMIS, and hand its push to the background after commit (nomis_sync; with the broker down
    the booking stands and the beat job pushes every visit still marked)."""
    Visit.objects.filter(pk=visit.pk).update(nomis_sync_needed=True)
    visit.nomis_sync_needed = True
    after_commit(PUSH_TO_NOMIS, visit.pk)


def place_may_have_freed(session_id: int) -> None:
    """A place in this session may have come free: once the caller's transaction commits, offer it to the session's
    waiting list (waiting_list, through visits.handoff; with the broker down, the minute's sweep). Nothing is queued
    when nobody is waiting."""
    if not WaitingListEntry.objects.filter(session_id=session_id, state=WaitingState.WAITING).exists():
        return
    after_commit(PLACE_FREED, session_id)


def new_reference() -> str:
    """A short, unambiguous reference such as ``bc-df-gh-jk``."""
    letters = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return "-".join(letters[i : i + 2] for i in range(0, 8, 2))


def _record(
    visit: Visit,
    type: str,
    actor: Actor,
    *,
    channel: str | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> VisitEvent:
    """Record what happened to a visit. Every change of a visit's state comes through here, so here the prison's
    shared window is told too: the next date picker there shows the change (prisons.window_cache)."""
    window_changed(visit.prison_id)
    return VisitEvent.objects.create(
        visit=visit,
        type=type,
        actor=actor.user,
        actor_label=actor.label,
        channel=channel or visit.channel,
        reason=reason,
        data=data or {},
    )


def _lock_days(prison_day_pairs: Sequence[tuple[int, date]]) -> dict[int, VisitSession]:
    """Lock every session of each (prison, date), in one order everywhere so that two changes never deadlock."""
    condition = Q()
    for prison_id, day in sorted(set(prison_day_pairs), key=lambda pair: (pair[1], pair[0])):
        condition |= Q(prison_id=prison_id, date=day)
    sessions = VisitSession.objects.select_for_update().filter(condition).order_by("date", "prison_id", "id")
    return {s.id: s for s in sessions}


def _expire_stale_holds(now: datetime, **filters: Any) -> int:
    """Mark holds that have run out as expired, each with its event; rows another process is expiring are
    skipped, so no hold is expired (or recorded) twice."""
    stale = list(
        Visit.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(state=VisitState.RESERVED, hold_expires_at__lte=now, **filters)
        .order_by()
        .only("id", "channel")
    )
    if stale:
        Visit.objects.filter(id__in=[v.id for v in stale]).update(state=VisitState.EXPIRED, updated_at=now)
        VisitEvent.objects.bulk_create(
            VisitEvent(visit=v, type=EventType.EXPIRED, actor_label="system", channel=v.channel) for v in stale
        )
    return len(stale)


def _places_taken(session: VisitSession, *, closed: bool, now: datetime, excluding: Visit | None = None) -> int:
    taken = Visit.objects.filter(session=session, closed=closed, state__in=PLACE_TAKING_STATES).exclude(
        state=VisitState.RESERVED, hold_expires_at__lte=now
    )
    if excluding is not None:
        taken = taken.exclude(id=excluding.id)
    return taken.count()


# A hold staff took over capacity (with its reason recorded) stays over capacity when it is confirmed.
STAFF_OVERBOOKING = Override("capacity", "Overbooked by staff when the place was held")


def _take_place(
    *,
    session: VisitSession,
    prisoner_number: str,
    closed: bool,
    now: datetime,
    non_associations: Sequence[str],
    moving: Visit | None = None,
    override: Override | None = None,
    weekly_limit: int | None = None,
) -> bool:
    """Check, under the day's locks, that the session can take this prisoner's visit. Returns whether it is an
    overbooking (allowed only with a capacity override); raises SessionUnavailable otherwise. ``weekly_limit``: a
    remand prisoner's visits a week, counted afresh at every prison over the session's week."""
    if session.blocked or session.removed:
        raise SessionUnavailable(code="blocked")
    same_prisoner = Visit.objects.filter(
        session=session, prisoner_number=prisoner_number, state__in=ACTIVE_STATES
    ).exclude(state=VisitState.RESERVED, hold_expires_at__lte=now)
    if moving is not None:
        same_prisoner = same_prisoner.exclude(id=moving.id)
    if same_prisoner.exists():
        raise SessionUnavailable(gettext("The prisoner already has a visit at this time"), code="already_booked")
    if non_associations and (
        Visit.objects.filter(
            prison_id=session.prison_id,
            session__date=session.date,
            prisoner_number__in=non_associations,
            state__in=ACTIVE_STATES,
        )
        .exclude(state=VisitState.RESERVED, hold_expires_at__lte=now)
        .exists()
    ):
        raise SessionUnavailable(code="non_association")
    if weekly_limit is not None:
        monday = session.date - timedelta(days=session.date.weekday())
        that_week = Visit.objects.filter(
            prisoner_number=prisoner_number,
            session__date__range=(monday, monday + timedelta(days=6)),
            state__in=ACTIVE_STATES,
        ).exclude(state=VisitState.RESERVED, hold_expires_at__lte=now)
        if moving is not None:
            that_week = that_week.exclude(id=moving.id)
        if remand_week_full(weekly_limit, that_week.count()):
            raise SessionUnavailable(code="weekly_limit")
    capacity = session.closed_capacity if closed else session.open_capacity
    if _places_taken(session, closed=closed, now=now, excluding=moving) < capacity:
        return False
    if override is not None and override.rule == "capacity":
        return True
    raise SessionUnavailable(code="full")


@transaction.atomic
def visit_reserve(
    *,
    session: VisitSession,
    prisoner: PrisonerDetails,
    party: Sequence[PartyMember],
    closed: bool,
    channel: str = Channel.ONLINE,
    actor: Actor | None = None,
    non_associations: Sequence[str] = (),
    visitor_contact_ids: Sequence[int | None] = (),
    override: Override | None = None,
    allowance_override: Override | None = None,
    weekly_limit: int | None = None,
    now: datetime | None = None,
) -> Visit:
    """Hold a place in a session for 10 minutes while the visitor finishes; the hold counts against capacity, and
    against a remand prisoner's ``weekly_limit`` (visits a week).

    Staff may override the capacity rule (``override``) and, having seen the prisoner has no allowance left, the
    allowance rule (``allowance_override``); each override is recorded with its reason."""
    now = now or timezone.now()
    actor = actor or Actor.visitor()
    if (override is not None or allowance_override is not None) and not actor.is_staff:
        raise NotAllowed("Only staff can override the booking rules")
    sessions = _lock_days([(session.prison_id, session.date)])
    session = sessions[session.id]
    _expire_stale_holds(now, session_id__in=list(sessions))
    overbooked = _take_place(
        session=session,
        prisoner_number=prisoner.number,
        closed=closed,
        now=now,
        non_associations=non_associations,
        override=override,
        weekly_limit=weekly_limit,
    )
    visit = _create_with_unique_reference(
        prison_id=session.prison_id,
        session=session,
        closed=closed,
        state=VisitState.RESERVED,
        hold_expires_at=now + timedelta(minutes=HOLD_MINUTES),
        prisoner_number=prisoner.number.upper(),
        prisoner_first_name=prisoner.first_name,
        prisoner_last_name=prisoner.last_name,
        prisoner_date_of_birth=prisoner.date_of_birth,
        prisoner_location=prisoner.location,
        channel=channel,
        booked_by=actor.user,
        overbooked=overbooked,
    )
    _visitors_create(visit, party, visitor_contact_ids)
    _record(visit, EventType.RESERVED, actor, data={"session_id": session.id})
    if overbooked and override is not None:
        _record(visit, EventType.OVERRIDE, actor, reason=override.reason, data={"rule": "capacity"})
    if allowance_override is not None:
        _record(visit, EventType.OVERRIDE, actor, reason=allowance_override.reason, data={"rule": "allowance"})
    return visit


def _visitors_create(visit: Visit, party: Sequence[PartyMember], contact_ids: Sequence[int | None]) -> None:
    """The visit's visitors, the lead first, each with the approved-list contact they matched (if any)."""
    Visitor.objects.bulk_create(
        Visitor(
            visit=visit,
            position=i,
            first_name=m.first_name,
            last_name=m.last_name,
            date_of_birth=m.date_of_birth,
            nomis_contact_id=contact_ids[i] if i < len(contact_ids) else None,
        )
        for i, m in enumerate(party)
    )


def _create_with_unique_reference(**fields: Any) -> Visit:
    for _ in range(5):
        try:
            with transaction.atomic():
                return Visit.objects.create(reference=new_reference(), **fields)
        except IntegrityError as error:
            if "reference" not in str(error).lower():
                raise SessionUnavailable(
                    "The prisoner already has a visit at this time", code="already_booked"
                ) from error
    raise RuntimeError("Could not find a free visit reference after 5 tries")


def _locked_visit(visit: Visit, *, expected: Sequence[str]) -> Visit:
    locked = Visit.objects.select_for_update(of=("self",)).get(pk=visit.pk)
    if locked.state not in expected:
        raise AlreadyProcessed()
    return locked


def _confirm_hold(visit: Visit, now: datetime, non_associations: Sequence[str]) -> Visit:
    """Lock the day, check the held place can still be taken, and return the visit locked.

    A live hold is checked as a new one would be, because the session may have changed since it was taken: blocked,
    removed from the timetable, or its capacity cut below the places already held. A hold that ran out takes its
    place again if it is still free. Either way, a place that cannot be had is lost: the visitor chooses again."""
    sessions = _lock_days([(visit.prison_id, visit.session.date)])
    visit = _locked_visit(visit, expected=[VisitState.RESERVED, VisitState.EXPIRED])
    try:
        _take_place(
            session=sessions[visit.session_id],
            prisoner_number=visit.prisoner_number,
            closed=visit.closed,
            now=now,
            non_associations=non_associations,
            moving=visit,
            override=STAFF_OVERBOOKING if visit.overbooked else None,  # staff took it over capacity, on record
        )
    except SessionUnavailable as error:
        raise HoldLost() from error
    return visit


def _apply_contact(visit: Visit, contact: ContactDetails, support_needs: Sequence[str], support_details: str) -> None:
    visit.contact_email, visit.contact_phone = contact.email, contact.phone
    visit.wants_email, visit.wants_sms, visit.language = contact.wants_email, contact.wants_sms, contact.language
    visit.support_needs, visit.support_details = list(support_needs), support_details


@transaction.atomic
def visit_book(
    *,
    visit: Visit,
    contact: ContactDetails,
    support_needs: Sequence[str] = (),
    support_details: str = "",
    actor: Actor | None = None,
    non_associations: Sequence[str] = (),
    now: datetime | None = None,
) -> Visit:
    """Turn a hold into a booked visit: instant confirmation."""
    now = now or timezone.now()
    actor = actor or Actor.visitor()
    visit = _confirm_hold(visit, now, non_associations)
    _apply_contact(visit, contact, support_needs, support_details)
    visit.state, visit.hold_expires_at = VisitState.BOOKED, None
    visit.save()
    _record(visit, EventType.BOOKED, actor)
    queue_messages(visit, "booked")
    _needs_nomis_sync(visit)
    return visit


@transaction.atomic
def visit_request(
    *,
    visit: Visit,
    contact: ContactDetails,
    preferences: Sequence[VisitSession] = (),
    reasons: Sequence[str] = (),
    support_needs: Sequence[str] = (),
    support_details: str = "",
    actor: Actor | None = None,
    non_associations: Sequence[str] = (),
    now: datetime | None = None,
) -> Visit:
    """Turn a hold into a request for staff to review: the held session is the first preference, then up to two
    more in order. The first keeps its place while the request waits."""
    now = now or timezone.now()
    actor = actor or Actor.visitor()
    others = [s for s in preferences if s.id != visit.session_id]
    if len(others) > MAX_PREFERENCES - 1 or len({s.id for s in others}) != len(others):
        raise InvalidChange(gettext("Choose up to %(count)s different times") % {"count": MAX_PREFERENCES})
    if any(s.prison_id != visit.prison_id for s in others):
        raise InvalidChange(gettext("Every time must be at the same prison"))
    visit = _confirm_hold(visit, now, non_associations)
    _apply_contact(visit, contact, support_needs, support_details)
    visit.state, visit.hold_expires_at = VisitState.REQUESTED, None
    visit.save()
    VisitPreference.objects.bulk_create(
        VisitPreference(visit=visit, rank=rank, session_id=session_id)
        for rank, session_id in enumerate([visit.session_id, *[s.id for s in others]], start=1)
    )
    _record(visit, EventType.REQUESTED, actor, data={"reasons": list(reasons)})
    queue_messages(visit, "requested")
    queue_mailbox_message(visit, MessageKind.PRISON_NEW_REQUEST)
    return visit


@transaction.atomic
def visit_cancel(*, visit: Visit, reason: str, actor: Actor, now: datetime | None = None) -> Visit:
    """Cancel a booked visit: by the visitor before it starts, by staff until 28 days after, or by the system."""
    now = now or timezone.now()
    if not reason.strip():
        raise InvalidChange(gettext("Enter a reason for cancelling"))
    visit = _locked_visit(visit, expected=[VisitState.BOOKED])
    starts = visit_starts_at(visit)
    if actor.label == "visitor" and now >= starts:
        raise NotAllowed(gettext("The visit has already started, so it cannot be cancelled online. Phone the prison."))
    if actor.is_staff and now > starts + timedelta(days=STAFF_CANCEL_DAYS_AFTER):
        raise NotAllowed(f"Visits can only be cancelled up to {STAFF_CANCEL_DAYS_AFTER} days after they happen")
    visit.state = VisitState.CANCELLED
    visit.save(update_fields=["state", "updated_at"])
    _record(visit, EventType.CANCELLED, actor, reason=reason)
    if visit.nomis_visit_id or visit.nomis_sync_needed:
        _needs_nomis_sync(visit)
    if starts > now:
        queue_messages(
            visit, "cancelled_by_visitor" if actor.label == "visitor" else "cancelled_by_prison", reason=reason
        )
    if actor.label == "visitor":  # staff know of their own cancellations
        queue_mailbox_message(visit, MessageKind.PRISON_VISITOR_CANCELLED)
    place_may_have_freed(visit.session_id)
    return visit


@transaction.atomic
def cancellation_acknowledge(*, visit: Visit, actor: Actor) -> Visit:
    """Staff have seen a visitor's cancellation (and dealt with it in NOMIS if need be): it leaves their list."""
    visit = _locked_visit(visit, expected=[VisitState.CANCELLED])
    if visit.cancellation_seen_at is not None:
        raise AlreadyProcessed("Someone has already marked this cancellation as seen")
    visit.cancellation_seen_at = timezone.now()
    visit.save(update_fields=["cancellation_seen_at", "updated_at"])
    _record(visit, EventType.CANCELLATION_SEEN, actor)
    return visit


@transaction.atomic
def request_withdraw(*, visit: Visit, actor: Actor | None = None, reason: str = "") -> Visit:
    """The visitor withdraws a request that has not been decided."""
    actor = actor or Actor.visitor()
    visit = _locked_visit(visit, expected=[VisitState.REQUESTED])
    visit.state = VisitState.WITHDRAWN
    visit.save(update_fields=["state", "updated_at"])
    _record(visit, EventType.WITHDRAWN, actor, reason=reason)
    place_may_have_freed(visit.session_id)
    return visit


def _secure_place(
    visit: Visit,
    sessions: dict[int, VisitSession],
    session: VisitSession,
    *,
    actor: Actor,
    now: datetime,
    non_associations: Sequence[str],
    override: Override | None,
) -> bool:
    """Under the day locks, take a place in ``session`` for a visit moving there; record a capacity override.
    Returns whether it is an overbooking."""
    _expire_stale_holds(now, session_id__in=list(sessions))
    overbooked = _take_place(
        session=sessions[session.id],
        prisoner_number=visit.prisoner_number,
        closed=visit.closed,
        now=now,
        non_associations=non_associations,
        moving=visit,
        override=override,
    )
    if overbooked and override is not None:
        _record(visit, EventType.OVERRIDE, actor, reason=override.reason, data={"rule": "capacity"})
    return overbooked


@transaction.atomic
def visit_change(
    *,
    visit: Visit,
    session: VisitSession,
    actor: Actor,
    reason: str = "",
    non_associations: Sequence[str] = (),
    override: Override | None = None,
    now: datetime | None = None,
) -> Visit:
    """Move a booked visit to another session. Atomic: the old place is released only once the new one is
    secured, in the same transaction."""
    now = now or timezone.now()
    if override is not None and not actor.is_staff:
        raise NotAllowed("Only staff can override the booking rules")
    if session.prison_id != visit.prison_id:
        raise InvalidChange(gettext("The new time must be at the same prison"))
    old = VisitSession.objects.get(pk=visit.session_id)
    sessions = _lock_days([(old.prison_id, old.date), (session.prison_id, session.date)])
    visit = _locked_visit(visit, expected=[VisitState.BOOKED])
    if actor.label == "visitor" and now >= visit_starts_at(visit):
        raise NotAllowed(gettext("The visit has already started, so it cannot be changed online. Phone the prison."))
    if session.id == visit.session_id:
        raise InvalidChange(gettext("Choose a different time"))
    if not can_lead_a_visit([v.date_of_birth for v in visit.visitors.filter(refused=False)], on=session.date):
        raise InvalidChange(gettext("On that day no visitor would be 18 or over, so the visit could not go ahead"))
    overbooked = _secure_place(
        visit, sessions, session, actor=actor, now=now, non_associations=non_associations, override=override
    )
    visit.session, visit.overbooked = sessions[session.id], overbooked
    visit.save(update_fields=["session", "overbooked", "updated_at"])
    _record(
        visit, EventType.CHANGED, actor, reason=reason, data={"from_session_id": old.id, "to_session_id": session.id}
    )
    queue_messages(visit, "changed", previous_session=old)
    _needs_nomis_sync(visit)
    place_may_have_freed(old.id)
    return visit


@transaction.atomic
def request_approve(
    *,
    visit: Visit,
    session: VisitSession,
    actor: Actor,
    non_associations: Sequence[str] = (),
    override: Override | None = None,
    now: datetime | None = None,
) -> Visit:
    """Approve a request into one of its preferences; the visit is then booked."""
    now = now or timezone.now()
    preferred = set(VisitPreference.objects.filter(visit=visit).values_list("session_id", flat=True))
    if session.id not in preferred:
        raise InvalidChange("Choose one of the times the visitor asked for")
    old = VisitSession.objects.get(pk=visit.session_id)
    sessions = _lock_days([(old.prison_id, old.date), (session.prison_id, session.date)])
    visit = _locked_visit(visit, expected=[VisitState.REQUESTED])
    visitors = list(visit.visitors.all())
    undecided = [f"{v.first_name} {v.last_name}" for v in visitors if v.needs_decision]
    if undecided:
        raise InvalidChange(
            f"Approve or refuse each visitor who is not on the approved list first: {', '.join(undecided)}"
        )
    if not can_lead_a_visit([v.date_of_birth for v in visitors if not v.refused], on=session.date):
        raise InvalidChange("The visit cannot go ahead without a visitor aged 18 or over: reject it instead")
    overbooked = _secure_place(
        visit, sessions, session, actor=actor, now=now, non_associations=non_associations, override=override
    )
    visit.session, visit.state, visit.overbooked = sessions[session.id], VisitState.BOOKED, overbooked
    visit.save(update_fields=["session", "state", "overbooked", "updated_at"])
    _record(visit, EventType.APPROVED, actor, data={"session_id": session.id})
    queue_messages(visit, "approved")
    _needs_nomis_sync(visit)
    if old.id != session.id:  # approved into another of its times: the first one's place is free
        place_may_have_freed(old.id)
    return visit


class RejectionReason:
    NO_ALLOWANCE = "no_allowance"
    SLOTS_UNAVAILABLE = "slots_unavailable"
    VISITOR_NOT_APPROVED = "visitor_not_approved"
    VISITOR_BANNED = "visitor_banned"
    PRISONER_MOVED = "prisoner_moved"
    PRISONER_RELEASED = "prisoner_released"
    OTHER = "other"

    ALL = (
        NO_ALLOWANCE,
        SLOTS_UNAVAILABLE,
        VISITOR_NOT_APPROVED,
        VISITOR_BANNED,
        PRISONER_MOVED,
        PRISONER_RELEASED,
        OTHER,
    )


@transaction.atomic
def request_reject(
    *,
    visit: Visit,
    reasons: Sequence[str],
    actor: Actor,
    allowance_renews_on: date | None = None,
    other_reason: str = "",
    message: str = "",
) -> Visit:
    """Reject a request with reasons. "No allowance" needs the date it renews; "other" needs the words. A message
    from the prison, if given, is added to what the visitor is told."""
    if not reasons or any(r not in RejectionReason.ALL for r in reasons):
        raise InvalidChange("Select a reason for rejecting the request")
    if RejectionReason.NO_ALLOWANCE in reasons and allowance_renews_on is None:
        raise InvalidChange("Enter the date the prisoner's visiting allowance renews")
    if RejectionReason.OTHER in reasons and not other_reason.strip():
        raise InvalidChange("Enter the reason for rejecting the request")
    visit = _locked_visit(visit, expected=[VisitState.REQUESTED])
    visit.state = VisitState.REJECTED
    visit.rejection_reasons = list(reasons)
    visit.save(update_fields=["state", "rejection_reasons", "updated_at"])
    data: dict[str, Any] = {"reasons": list(reasons)}
    if allowance_renews_on:
        data["allowance_renews_on"] = allowance_renews_on.isoformat()
    if message.strip():
        data["message"] = message.strip()
    _record(visit, EventType.REJECTED, actor, reason=other_reason, data=data)
    queue_messages(
        visit,
        "rejected",
        reasons=list(reasons),
        allowance_renews_on=allowance_renews_on,
        other_reason=other_reason,
        message=message,
    )
    place_may_have_freed(visit.session_id)
    return visit


# Why a visitor is refused, as the rejection the visit gets when it cannot go ahead without them.
REFUSAL_KINDS = (RejectionReason.VISITOR_BANNED, RejectionReason.VISITOR_NOT_APPROVED, RejectionReason.OTHER)


@transaction.atomic
def visitor_refuse(
    *, visit: Visit, visitor: Visitor, reason: str, actor: Actor, kind: str = RejectionReason.OTHER
) -> Visit:
    """Refuse one visitor (banned, not on the approved list, or another reason). The visit goes ahead for the others
    unless it cannot: without its lead visitor, or without anyone old enough to lead it, a request is rejected and a
    booked visit cancelled (and the visitor told), with the reason."""
    if kind not in REFUSAL_KINDS:
        raise InvalidChange("Select why you are refusing this visitor")
    if kind == RejectionReason.OTHER and not reason.strip():
        raise InvalidChange("Enter a reason for refusing the visitor")
    visit = _locked_visit(visit, expected=[VisitState.BOOKED, VisitState.REQUESTED])
    visitor = Visitor.objects.select_for_update().get(pk=visitor.pk, visit=visit)
    if visitor.refused:
        raise AlreadyProcessed("This visitor has already been refused")
    words = reason.strip() or REFUSAL_WORDS[kind]
    visitor.refused, visitor.refusal_reason, visitor.approved_for_visit = True, words[:200], False
    visitor.save(update_fields=["refused", "refusal_reason", "approved_for_visit"])
    _record(visit, EventType.VISITOR_REFUSED, actor, reason=words, data={"visitor_id": visitor.id, "kind": kind})
    left = [v.date_of_birth for v in visit.visitors.filter(refused=False)]
    if visitor.is_lead or not can_lead_a_visit(left, on=visit.session.date):
        without = "its lead visitor" if visitor.is_lead else "a visitor aged 18 or over"
        if visit.state == VisitState.REQUESTED:
            other = f"{visitor.first_name} {visitor.last_name}: {words}" if kind == RejectionReason.OTHER else ""
            return request_reject(visit=visit, reasons=[kind], actor=actor, other_reason=other)
        return visit_cancel(visit=visit, reason=f"The visit cannot go ahead without {without}: {words}", actor=actor)
    return visit


REFUSAL_WORDS = {
    RejectionReason.VISITOR_BANNED: "Banned from visiting",
    RejectionReason.VISITOR_NOT_APPROVED: "Not on the prisoner's approved visitor list",
    RejectionReason.OTHER: "",
}


@transaction.atomic
def visitor_approve(*, visit: Visit, visitor: Visitor, actor: Actor) -> Visit:
    """Approve, for this visit only, a visitor who is not on the prisoner's approved list."""
    visit = _locked_visit(visit, expected=[VisitState.REQUESTED])
    visitor = Visitor.objects.select_for_update().get(pk=visitor.pk, visit=visit)
    if visitor.refused or visitor.approved_for_visit:
        raise AlreadyProcessed("This visitor has already been dealt with")
    visitor.approved_for_visit = True
    visitor.save(update_fields=["approved_for_visit"])
    _record(visit, EventType.VISITOR_APPROVED, actor, data={"visitor_id": visitor.id})
    return visit


@transaction.atomic
def visit_record_attendance(*, visit: Visit, attended: bool, actor: Actor, now: datetime | None = None) -> Visit:
    """Record that a booked visit happened, or that the visitors did not come."""
    now = now or timezone.now()
    visit = _locked_visit(visit, expected=[VisitState.BOOKED])
    if timezone.localdate(now) < visit.session.date:
        raise NotAllowed("You can only record attendance on or after the day of the visit")
    visit.state = VisitState.ATTENDED if attended else VisitState.NO_SHOW
    visit.save(update_fields=["state", "updated_at"])
    _record(visit, EventType.ATTENDED if attended else EventType.NO_SHOW, actor)
    return visit


@transaction.atomic
def hold_release(
    *, visit: Visit, actor: Actor | None = None, reason: str = "Released: the visitor changed an answer"
) -> None:
    """Let a hold go before it runs out: the visitor changed an answer the hold depended on (or left the waiting
    list whose offer it was)."""
    locked = (
        Visit.objects.select_for_update(of=("self",)).filter(pk=visit.pk, state=VisitState.RESERVED).order_by().first()
    )
    if locked is not None:
        locked.state = VisitState.EXPIRED
        locked.save(update_fields=["state", "updated_at"])
        _record(locked, EventType.EXPIRED, actor or Actor.visitor(), reason=reason)
        place_may_have_freed(locked.session_id)


@transaction.atomic
def hold_visitors_change(
    *,
    visit: Visit,
    party: Sequence[PartyMember],
    visitor_contact_ids: Sequence[int | None] = (),
    actor: Actor | None = None,
    now: datetime | None = None,
) -> bool:
    """The visitor changed who is visiting, and the new party still fits the time held: the hold keeps its place
    and takes the new visitors. False (nothing changed) when the hold is no longer live."""
    now = now or timezone.now()
    locked = (
        Visit.objects.select_for_update(of=("self",))
        .filter(pk=visit.pk, state=VisitState.RESERVED, hold_expires_at__gt=now)
        .order_by()
        .first()
    )
    if locked is None:
        return False
    Visitor.objects.filter(visit=locked).delete()
    _visitors_create(locked, party, visitor_contact_ids)
    _record(locked, EventType.CHANGED, actor or Actor.visitor(), reason="Visitors changed while held")
    return True


@transaction.atomic
def holds_expire(*, now: datetime | None = None) -> int:
    """Mark every hold that has run out as expired (a tidy-up: an expired hold stops counting at once anyway)."""
    return _expire_stale_holds(now or timezone.now())


def visit_starts_at(visit: Visit) -> datetime:
    session = visit.session
    return timezone.make_aware(datetime.combine(session.date, session.start_time))


@transaction.atomic
def visit_flag(*, visit: Visit, reason: str, detail: str = "", actor: Actor | None = None) -> VisitFlag | None:
    """Flag a booked or requested visit for staff review; an open flag for the same reason is not repeated."""
    actor = actor or Actor.system()
    if visit.state not in (VisitState.BOOKED, VisitState.REQUESTED):
        return None
    if VisitFlag.objects.filter(visit=visit, reason=reason, cleared_at__isnull=True).exists():
        return None
    flag = VisitFlag.objects.create(visit=visit, reason=reason, detail=detail)
    _record(visit, EventType.FLAGGED, actor, reason=detail, data={"flag": reason})
    return flag


@transaction.atomic
def flag_clear(*, flag: VisitFlag, resolution: str, actor: Actor, now: datetime | None = None) -> VisitFlag:
    """Clear a flag, saying what was done (the visit kept, changed or cancelled)."""
    if not resolution.strip():
        raise InvalidChange("Enter what you did about this")
    locked = VisitFlag.objects.select_for_update().get(pk=flag.pk)
    if locked.cleared_at is not None:
        raise AlreadyProcessed("This flag has already been cleared")
    locked.cleared_at, locked.cleared_by, locked.resolution = now or timezone.now(), actor.user, resolution
    locked.save(update_fields=["cleared_at", "cleared_by", "resolution"])
    _record(locked.visit, EventType.FLAG_CLEARED, actor, reason=resolution, data={"flag": locked.reason})
    return locked


def visits_affected_by_block(
    *, prison_id: int, day: date, start_time: time | None = None, now: datetime | None = None
) -> list[Visit]:
    """The visits that blocking this date (or one session on it) would hit: booked, requested, and held by someone
    booking now (whose booking will then fail, and who will be asked to choose another time)."""
    live_hold = Q(state=VisitState.RESERVED, hold_expires_at__gt=now or timezone.now())
    visits = Visit.objects.filter(prison_id=prison_id, session__date=day).filter(
        Q(state__in=[VisitState.BOOKED, VisitState.REQUESTED]) | live_hold
    )
    if start_time is not None:
        visits = visits.filter(session__start_time=start_time)
    return list(visits.select_related("session").order_by("session__start_time", "prisoner_last_name"))


@transaction.atomic
def sessions_block(
    *,
    prison: Prison,
    day: date,
    start_time: time | None = None,
    reason: str,
    cancel_visits: bool,
    actor: Actor,
    now: datetime | None = None,
) -> tuple[BlockedDate, list[Visit]]:
    """Block a date or one session: the visits it hits are cancelled (and told) or flagged for review, as the staff
    member chose; the sessions are regenerated at once."""
    if not reason.strip():
        raise InvalidChange("Enter a reason for blocking")
    block, created = BlockedDate.objects.get_or_create(
        prison=prison,
        date=day,
        start_time=start_time,
        defaults={"reason": reason, "changed_by": actor.user, "changed_at": now or timezone.now()},
    )
    if not created:
        raise InvalidChange("This is already blocked")
    affected = visits_affected_by_block(prison_id=prison.id, day=day, start_time=start_time, now=now)
    for visit in affected:
        if visit.state == VisitState.RESERVED:
            continue  # someone booking now: their booking fails on the blocked session, and they choose again
        if cancel_visits and visit.state == VisitState.BOOKED:
            visit_cancel(visit=visit, reason=reason, actor=actor, now=now)
        elif cancel_visits:
            request_reject(visit=visit, reasons=[RejectionReason.SLOTS_UNAVAILABLE], actor=actor)
        else:
            visit_flag(visit=visit, reason=FlagReason.DATE_BLOCKED, detail=reason, actor=actor)
    sessions_generate(today=timezone.localdate(now), prisons=[prison])
    return block, affected


@transaction.atomic
def sessions_unblock(*, block: BlockedDate) -> None:
    """Remove a block; the sessions come back at once."""
    prison = block.prison
    block.delete()
    sessions_generate(today=timezone.localdate(), prisons=[prison])
