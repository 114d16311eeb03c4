"""A full session's waiting list: joining it, leaving it, and offering the places that free up.

When a place frees in a session (a cancellation, a withdrawn or rejected request, a hold that ran out or was let go,
a visit moved away, the capacity raised), ``waiting_list_offer`` offers it to the people waiting, in the order they
joined: each offer is a hold of the place (a reserved visit, counted against capacity like any other) kept for
``OFFER_MINUTES``, and one message, by the channels they chose, with a link to it. It runs under the day's session
locks that every booking takes, so a place is never offered twice nor taken by someone else meanwhile; an offer
not taken in time lapses and its place goes to the next person. The booking itself is the journey's: the link
re-checks the prisoner in NOMIS and opens check your answers on the held place (journey.views.waiting).

Services write (``waiting_list_<verb>``), each transactional and queuing its messages through the outbox; the
tasks call ``waiting_list_offer`` after a change commits (``visits.services.place_may_have_freed``) and once a
minute for every live list (``waiting_lists_sweep``), which also ends the lists of sessions that can no longer be
booked.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from common.govuk.jinja import govuk_time
from prisons.models import VisitSession
from visits.errors import InvalidChange, NotAllowed, SessionUnavailable
from visits.handoff import SEND_MESSAGES, after_commit
from visits.models import (
    LIVE_WAITING_STATES,
    OFFER_MINUTES,
    Channel,
    OutboxMessage,
    Visit,
    VisitState,
    WaitingListEntry,
    WaitingState,
)
from visits.outbox import WORDS, describe_session, message_recipients
from visits.rules import PartyMember
from visits.services import (
    Actor,
    ContactDetails,
    PrisonerDetails,
    _expire_stale_holds,
    _lock_days,
    _places_taken,
    hold_release,
    visit_reserve,
)

logger = logging.getLogger(__name__)
SALT = "visits.waiting-list"
# The messages of a waiting list (settings.NOTIFY_MESSAGE_KINDS), about no visit yet: joining it, a place offered.
MESSAGE_KINDS = ("waiting_joined", "place_offered")


# Links ----------------------------------------------------------------------------------------------------------


# What a link may do: the offer link (the place-offered message) opens the place held and books it; the leave link
# (in every message, and on the offer page) only takes them off the list.
OFFER, LEAVE = "offer", "leave"


def waiting_token(entry: WaitingListEntry, purpose: str = OFFER) -> str:
    """The signed link of one waiting-list entry, for one purpose. It carries the entry's random key, never its id."""
    return signing.dumps({"k": entry.key, "p": purpose}, salt=SALT)


def entry_for_token(
    token: str, *, purposes: Sequence[str] = (OFFER,), today: date | None = None
) -> WaitingListEntry | None:
    """The waiting-list entry a link is for, or None if the link is bad, is not for one of these purposes, or has
    expired: a link lasts as long as its session can be booked online."""
    try:
        payload = signing.loads(token, salt=SALT)
        key, purpose = payload["k"], payload["p"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if purpose not in purposes or not isinstance(key, str):
        return None
    entry = WaitingListEntry.objects.select_related("session__prison", "prison", "offer").filter(key=key).first()
    if entry is None or not list_open_for(entry.session, today=today or timezone.localdate()):
        return None
    return entry


def _absolute(name: str, entry: WaitingListEntry, purpose: str) -> str:
    return settings.SERVICE_BASE_URL.rstrip("/") + reverse(name, args=[waiting_token(entry, purpose)])


# Messages -------------------------------------------------------------------------------------------------------


def _personalisation(entry: WaitingListEntry, kind: str) -> dict[str, Any]:

    language = "cy" if entry.language == "cy" else "en"
    with translation.override(language):
        values = {
            "prison": (entry.prison.name_cy if language == "cy" else "") or entry.prison.name,
            "prison_phone": entry.prison.phone,
            "visit_date_and_time": describe_session(entry.session),
            "visit_type": WORDS[language]["closed" if entry.closed else "open"],
            "prisoner": f"{entry.prisoner_first_name} {entry.prisoner_last_name}",
            "visitors": ", ".join(f"{m['first_name']} {m['last_name']}" for m in entry.party),
            "leave_link": _absolute("visits:waiting-leave", entry, LEAVE),
        }
        if kind == "place_offered":
            expires = timezone.localtime(entry.offer.hold_expires_at)  # type: ignore[union-attr]
            values["offer_link"] = _absolute("visits:waiting-offer", entry, OFFER)
            values["offer_minutes"] = str(OFFER_MINUTES)
            values["offer_expires_at"] = govuk_time(expires.time())
    return values


def _queue(entry: WaitingListEntry, kind: str) -> list[OutboxMessage]:
    """Write the message to the outbox, by the channels they chose; sent once the transaction commits."""
    values = _personalisation(entry, kind)
    messages = OutboxMessage.objects.bulk_create(
        OutboxMessage(waiting=entry, kind=kind, channel=channel, recipient=recipient, personalisation=values)
        for channel, recipient in message_recipients(entry)
    )
    ids = [m.pk for m in messages]
    after_commit(SEND_MESSAGES, ids)
    return messages


# Joining and leaving --------------------------------------------------------------------------------------------


def list_open_for(session: VisitSession, *, today: date) -> bool:
    """Whether the session's waiting list takes people, and offers places: only while the session can still be
    booked online (inside its prison's bookable window), so an offer never falls inside the notice period."""
    first, last = session.prison.bookable_window(today)
    return first <= session.date <= last and not session.blocked and not session.removed


@transaction.atomic
def waiting_list_join(
    *,
    session: VisitSession,
    closed: bool,
    prisoner: PrisonerDetails,
    party: Sequence[PartyMember],
    contact: ContactDetails,
    visitor_contact_ids: Sequence[int | None] = (),
    support: dict[str, Any] | None = None,
    non_associations: Sequence[str] = (),
    now: datetime | None = None,
) -> WaitingListEntry:
    """Join a full session's waiting list for this prisoner and party; they are told they are on it, with a link to
    leave. Raises InvalidChange when the session has a place free (book it instead) or cannot be booked."""
    now = now or timezone.now()
    if not (contact.email or contact.phone):
        raise InvalidChange(translation.gettext("Select how you want to be told if a place comes up"))
    sessions = _lock_days([(session.prison_id, session.date)])
    session = sessions[session.id]
    if not list_open_for(session, today=timezone.localdate(now)):
        raise NotAllowed(translation.gettext("This time can no longer be booked online"))
    _expire_stale_holds(now, session_id__in=list(sessions))
    capacity = session.closed_capacity if closed else session.open_capacity
    if _places_taken(session, closed=closed, now=now) < capacity:
        raise SessionUnavailable(translation.gettext("A place is free at this time: choose it to book"), code="free")
    fields = {
        "prison_id": session.prison_id,
        "session": session,
        "closed": closed,
        "prisoner_number": prisoner.number.upper(),
        "prisoner_first_name": prisoner.first_name,
        "prisoner_last_name": prisoner.last_name,
        "prisoner_date_of_birth": prisoner.date_of_birth,
        "prisoner_location": prisoner.location,
        "party": [
            {"first_name": m.first_name, "last_name": m.last_name, "date_of_birth": m.date_of_birth.isoformat()}
            for m in party
        ],
        "visitor_contact_ids": list(visitor_contact_ids),
        "support": support or {"needs": [], "details": ""},
        "non_associations": list(non_associations),
        "contact_email": contact.email,
        "contact_phone": contact.phone,
        "wants_email": contact.wants_email,
        "wants_sms": contact.wants_sms,
        "language": contact.language,
    }
    try:
        with transaction.atomic():
            entry = WaitingListEntry.objects.create(**fields)
    except IntegrityError as error:
        raise InvalidChange(
            translation.gettext("You are already on the waiting list for this time"), code="already_waiting"
        ) from error
    entry.session = session
    _queue(entry, "waiting_joined")
    return entry


@transaction.atomic
def waiting_list_leave(*, entry: WaitingListEntry, now: datetime | None = None) -> WaitingListEntry:
    """Leave the waiting list (by the link in its messages). A place offered to them goes to the next person."""
    now = now or timezone.now()
    entry = WaitingListEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.state not in LIVE_WAITING_STATES:
        raise NotAllowed(translation.gettext("You are no longer on the waiting list for this time"))
    offer = entry.offer if entry.state == WaitingState.OFFERED else None
    _end(entry, WaitingState.LEFT, now)
    if offer is not None and offer.state == VisitState.RESERVED:
        hold_release(visit=offer, actor=Actor.system(), reason="Released: they left the waiting list")
    return entry


def _end(entry: WaitingListEntry, state: str, now: datetime, reason: str = "") -> None:
    entry.state, entry.ended_at, entry.end_reason = state, now, reason
    entry.save(update_fields=["state", "ended_at", "end_reason"])


# Offering -------------------------------------------------------------------------------------------------------


@transaction.atomic
def waiting_list_offer(*, session_id: int, now: datetime | None = None) -> list[WaitingListEntry]:
    """Offer each free place in the session to the next person waiting, one place to one person, in the order they
    joined; first close the offers that were not taken in time. Returns the entries offered a place now.

    Under the day's session locks, as every booking is: nobody else can take or count a place meanwhile, and two
    of these running at once offer each place once."""
    now = now or timezone.now()
    session = VisitSession.objects.select_related("prison").get(pk=session_id)
    sessions = _lock_days([(session.prison_id, session.date)])
    _expire_stale_holds(now, session_id__in=list(sessions))
    _close_offers(session_id, now)
    session = sessions[session_id]
    live = WaitingListEntry.objects.select_for_update().filter(session_id=session_id, state__in=LIVE_WAITING_STATES)
    if not list_open_for(session, today=timezone.localdate(now)):
        for entry in live:
            _end(entry, WaitingState.ENDED, now, "session no longer bookable")
            offer = entry.offer
            if offer is not None and offer.state == VisitState.RESERVED:
                hold_release(visit=offer, actor=Actor.system(), reason="Released: the session can no longer be booked")
        return []
    offered: list[WaitingListEntry] = []
    for closed in (False, True):
        capacity = session.closed_capacity if closed else session.open_capacity
        free = capacity - _places_taken(session, closed=closed, now=now)
        waiting = live.filter(state=WaitingState.WAITING, closed=closed).order_by("joined_at", "id")
        for entry in waiting:
            if free <= 0:
                break
            if _offer(entry, session, now):
                offered.append(entry)
                free -= 1
    return offered


def _close_offers(session_id: int, now: datetime) -> None:
    """Offers whose hold became a visit are booked; those whose hold ran out or was let go have lapsed."""
    offers = WaitingListEntry.objects.select_for_update(of=("self",)).filter(
        session_id=session_id, state=WaitingState.OFFERED
    )
    for entry in offers.select_related("offer"):
        hold = entry.offer
        if hold is None or hold.state in (VisitState.EXPIRED, VisitState.CANCELLED):
            _end(entry, WaitingState.LAPSED, now)
        elif hold.state != VisitState.RESERVED:
            _end(entry, WaitingState.BOOKED, now)


def _offer(entry: WaitingListEntry, session: VisitSession, now: datetime) -> bool:
    """Hold the place for this person for OFFER_MINUTES and tell them. False, and their entry ended, when the
    session cannot take their visit any more (the prisoner has one there now, or a non-association)."""
    try:
        with transaction.atomic():
            hold = visit_reserve(
                session=session,
                closed=entry.closed,
                prisoner=PrisonerDetails(
                    entry.prisoner_number,
                    entry.prisoner_first_name,
                    entry.prisoner_last_name,
                    entry.prisoner_date_of_birth,
                    entry.prisoner_location,
                ),
                party=[
                    PartyMember(m["first_name"], m["last_name"], date.fromisoformat(m["date_of_birth"]))
                    for m in entry.party
                ],
                channel=Channel.ONLINE,
                actor=Actor(label="waiting list"),
                non_associations=entry.non_associations,
                visitor_contact_ids=entry.visitor_contact_ids,
                now=now,
            )
    except SessionUnavailable as error:
        _end(entry, WaitingState.ENDED, now, error.code)
        return False
    hold.hold_expires_at = now + timedelta(minutes=OFFER_MINUTES)
    hold.contact_email, hold.contact_phone = entry.contact_email, entry.contact_phone
    hold.wants_email, hold.wants_sms, hold.language = entry.wants_email, entry.wants_sms, entry.language
    hold.save(
        update_fields=[
            "hold_expires_at",
            "contact_email",
            "contact_phone",
            "wants_email",
            "wants_sms",
            "language",
            "updated_at",
        ]
    )
    entry.state, entry.offer, entry.offered_at = WaitingState.OFFERED, hold, now
    entry.save(update_fields=["state", "offer", "offered_at"])
    _queue(entry, "place_offered")
    return True


def waiting_lists_sweep(*, now: datetime | None = None) -> int:
    """Offer the places freed without a change to say so (a hold that ran out, an offer not taken, capacity raised
    in the timetable) and end the lists of sessions that can no longer be booked: every live list, once a minute.
    Returns how many places were offered."""
    now = now or timezone.now()
    session_ids = (
        WaitingListEntry.objects.filter(state__in=LIVE_WAITING_STATES)
        .values_list("session_id", flat=True)
        .distinct()
        .order_by()
    )
    offered = 0
    for session_id in list(session_ids):
        try:
            offered += len(waiting_list_offer(session_id=session_id, now=now))
        except Exception:  # one session's trouble must not stop the others' offers
            logger.exception("Offering the places of session %s failed; the next sweep tries again", session_id)
    return offered


def offered_hold(entry: WaitingListEntry, *, now: datetime | None = None) -> Visit | None:
    """The hold of the place offered to this person, while it is still theirs (not run out, left or booked)."""
    now = now or timezone.now()
    hold = entry.offer
    if entry.state != WaitingState.OFFERED or hold is None or hold.state != VisitState.RESERVED:
        return None
    return hold if hold.hold_expires_at and hold.hold_expires_at > now else None


@transaction.atomic
def waiting_list_refuse(*, entry: WaitingListEntry, reason: str, now: datetime | None = None) -> None:
    """The rules checked again when the offer was opened say the visit cannot happen (no allowance left, a ban,
    released): the entry ends and its place goes to the next person."""
    now = now or timezone.now()
    entry = WaitingListEntry.objects.select_for_update(of=("self",)).select_related("offer").get(pk=entry.pk)
    if entry.state not in LIVE_WAITING_STATES:
        return
    offer = entry.offer if entry.state == WaitingState.OFFERED else None
    _end(entry, WaitingState.ENDED, now, reason)
    if offer is not None and offer.state == VisitState.RESERVED:
        hold_release(visit=offer, actor=Actor.system(), reason=f"Released: {reason}")
