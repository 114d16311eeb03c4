"""A full session's waiting list: joining, offers in join order one at a time, lapsing, leaving, the end of the list,
and its messages (waiting_list.services)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone

from tests.factories import MARY, details, make_prison, make_prisoner, make_session
from visits.errors import InvalidChange, NotAllowed, SessionUnavailable
from visits.models import (
    OFFER_MINUTES,
    FakeNotifyMessage,
    OutboxMessage,
    Visit,
    VisitState,
    WaitingListEntry,
    WaitingState,
)
from visits.services import (
    Actor,
    ContactDetails,
    request_withdraw,
    visit_book,
    visit_cancel,
    visit_change,
    visit_request,
    visit_reserve,
)
from waiting_list.services import (
    LEAVE,
    OFFER,
    SALT,
    entry_for_token,
    offered_hold,
    waiting_list_join,
    waiting_list_leave,
    waiting_list_offer,
    waiting_lists_sweep,
    waiting_token,
)

pytestmark = pytest.mark.django_db
DAY = timezone.localdate() + timedelta(days=7)


def contact(n: int, **fields: object) -> ContactDetails:
    return ContactDetails(email=f"waiting{n}@example.com", **fields)  # type: ignore[arg-type]


def book(session, number: str) -> Visit:  # type: ignore[no-untyped-def]
    hold = visit_reserve(session=session, prisoner=details(make_prisoner(number)), party=[MARY], closed=False)
    return visit_book(visit=hold, contact=ContactDetails(email=f"{number.lower()}@example.com"))


def join(session, n: int, **fields: object) -> WaitingListEntry:  # type: ignore[no-untyped-def]
    return waiting_list_join(
        session=session,
        closed=False,
        prisoner=details(make_prisoner(f"W{n:04d}AA")),
        party=[MARY],
        contact=contact(n, **fields),
    )


@pytest.fixture
def full(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """A session with 2 places, both booked, and 3 people waiting in order."""
    session = make_session(make_prison(phone="0300 060 6603"), DAY, open_capacity=2)
    with django_capture_on_commit_callbacks(execute=True):
        booked = [book(session, "B0001AA"), book(session, "B0002AA")]
        waiting = [join(session, n) for n in range(3)]
    return session, booked, waiting


def linked_entries(body: str) -> list[int]:
    """The entries a message's waiting-list links are for (a signed token carries its time, so compare what it
    opens)."""
    tokens = re.findall(r"/waiting-list/([^/\s]+)", body)
    return [entry_for_token(token, purposes=[OFFER, LEAVE]).pk for token in tokens]  # type: ignore[union-attr]


def states(entries: list[WaitingListEntry]) -> list[str]:
    return [WaitingListEntry.objects.get(pk=e.pk).state for e in entries]


def test_joining_needs_a_full_session_and_once_per_prisoner(full, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    session, _, waiting = full
    with pytest.raises(InvalidChange):
        join(session, 0)  # the same prisoner again
    roomy = make_session(session.prison, DAY, start=session.start_time.replace(hour=9), open_capacity=5)
    with pytest.raises(SessionUnavailable):
        join(roomy, 9)  # a place is free: book it
    far = make_session(session.prison, DAY + timedelta(days=60), open_capacity=0)
    with pytest.raises(NotAllowed):
        join(far, 9)  # outside the bookable window
    # Each joiner is told, with the link to leave; the message is about no visit.
    joined = OutboxMessage.objects.filter(kind="waiting_joined")
    assert joined.count() == 3 and not joined.filter(visit__isnull=False).exists()
    fake = FakeNotifyMessage.objects.get(template_name="waiting_joined.email.en", recipient="waiting0@example.com")
    assert linked_entries(fake.body) == [waiting[0].pk] and "((" not in fake.body


def test_a_cancellation_offers_its_place_to_the_first_to_join_only(full, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    session, booked, waiting = full
    with django_capture_on_commit_callbacks(execute=True):
        visit_cancel(visit=booked[0], reason="ill", actor=Actor.visitor())
    assert states(waiting) == [WaitingState.OFFERED, WaitingState.WAITING, WaitingState.WAITING]
    first = WaitingListEntry.objects.get(pk=waiting[0].pk)
    hold = offered_hold(first)
    assert hold is not None and hold.state == VisitState.RESERVED and hold.prisoner_number == "W0000AA"
    assert hold.hold_expires_at - timezone.now() > timedelta(minutes=OFFER_MINUTES - 1)
    offer = FakeNotifyMessage.objects.get(template_name="place_offered.email.en")
    assert offer.recipient == "waiting0@example.com" and set(linked_entries(offer.body)) == {first.pk}
    # The held place counts: the session is full again, so nothing more is offered however often it runs.
    assert waiting_list_offer(session_id=session.id) == []
    with pytest.raises(SessionUnavailable):
        book(session, "X0001AA")
    # Booking it ends their wait.
    with django_capture_on_commit_callbacks(execute=True):
        visit_book(visit=hold, contact=contact(0))
    waiting_lists_sweep()
    assert states(waiting)[0] == WaitingState.BOOKED


def test_an_offer_not_taken_in_30_minutes_goes_to_the_next(full, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    _, booked, waiting = full
    with django_capture_on_commit_callbacks(execute=True):
        visit_cancel(visit=booked[1], reason="ill", actor=Actor.visitor())
    later = timezone.now() + timedelta(minutes=OFFER_MINUTES + 1)
    assert offered_hold(WaitingListEntry.objects.get(pk=waiting[0].pk), now=later) is None
    with django_capture_on_commit_callbacks(execute=True):
        assert waiting_lists_sweep(now=later) == 1
    assert states(waiting) == [WaitingState.LAPSED, WaitingState.OFFERED, WaitingState.WAITING]
    assert Visit.objects.filter(state=VisitState.RESERVED, hold_expires_at__gt=later).count() == 1


def test_leaving_during_an_offer_passes_the_place_on(full, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    _, booked, waiting = full
    with django_capture_on_commit_callbacks(execute=True):
        visit_cancel(visit=booked[0], reason="ill", actor=Actor.visitor())
    with django_capture_on_commit_callbacks(execute=True):
        waiting_list_leave(entry=waiting[0])
    assert states(waiting) == [WaitingState.LEFT, WaitingState.OFFERED, WaitingState.WAITING]
    with pytest.raises(NotAllowed):
        waiting_list_leave(entry=waiting[0])
    assert entry_for_token(waiting_token(waiting[2])).pk == waiting[2].pk  # type: ignore[union-attr]
    assert entry_for_token("not-a-token") is None


def test_a_link_carries_no_sequential_id_and_opens_only_what_its_message_is_for(full) -> None:  # type: ignore[no-untyped-def]
    """Issue 26, item 2: the link's signed payload is a random key and a purpose, never the entry's id; the link to
    leave (in the message saying they joined) does not open the offer page, which books."""
    _, _, waiting = full
    payloads = [signing.loads(waiting_token(entry, LEAVE), salt=SALT) for entry in waiting]
    assert all(set(p) == {"k", "p"} and p["p"] == LEAVE for p in payloads)
    keys = [p["k"] for p in payloads]
    assert len(set(keys)) == 3 and all(len(k) >= 20 for k in keys)
    assert not any(str(entry.pk) == key for entry, key in zip(waiting, keys, strict=True))
    leave, offer = waiting_token(waiting[0], LEAVE), waiting_token(waiting[0], OFFER)
    assert entry_for_token(leave) is None  # the offer's purpose by default
    assert entry_for_token(leave, purposes=[LEAVE]).pk == waiting[0].pk  # type: ignore[union-attr]
    assert entry_for_token(offer).pk == waiting[0].pk  # type: ignore[union-attr]
    # A token of the old shape, with the entry's id, opens nothing.
    assert entry_for_token(signing.dumps({"w": waiting[0].pk}, salt=SALT)) is None


def test_a_link_expires_when_its_session_can_no_longer_be_booked(full) -> None:  # type: ignore[no-untyped-def]
    session, _, waiting = full
    token = waiting_token(waiting[0], OFFER)
    assert entry_for_token(token, today=timezone.localdate()) is not None
    # The notice edge passes the session: the link is no good, whatever the entry's state.
    assert entry_for_token(token, today=session.date - timedelta(days=1)) is None
    assert entry_for_token(token, today=session.date) is None
    session.blocked = True
    session.save(update_fields=["blocked"])
    assert entry_for_token(token) is None


def test_every_way_a_place_frees_offers_it(full, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    session, booked, waiting = full
    other = make_session(session.prison, DAY, start=session.start_time.replace(hour=9), open_capacity=5)
    with django_capture_on_commit_callbacks(execute=True):
        visit_change(visit=booked[0], session=other, actor=Actor.visitor())  # moved away
    assert states(waiting)[0] == WaitingState.OFFERED
    # A request withdrawn frees its held place too.
    session.open_capacity = 3
    session.save()
    with django_capture_on_commit_callbacks(execute=True):
        waiting_lists_sweep()  # capacity raised
    assert states(waiting)[1] == WaitingState.OFFERED
    hold = offered_hold(WaitingListEntry.objects.get(pk=waiting[1].pk))
    with django_capture_on_commit_callbacks(execute=True):
        request = visit_request(visit=hold, contact=contact(1))  # type: ignore[arg-type]
        request_withdraw(visit=request)
    assert states(waiting)[2] == WaitingState.OFFERED


def test_the_list_ends_when_the_session_can_no_longer_be_booked(full, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    _, booked, waiting = full
    with django_capture_on_commit_callbacks(execute=True):
        visit_cancel(visit=booked[0], reason="ill", actor=Actor.visitor())
    hold = offered_hold(WaitingListEntry.objects.get(pk=waiting[0].pk))
    with django_capture_on_commit_callbacks(execute=True):
        waiting_lists_sweep(now=timezone.now() + timedelta(days=7))  # the day has come
    # The offer had run out long before; the others' list ends with the session.
    assert states(waiting) == [WaitingState.LAPSED, WaitingState.ENDED, WaitingState.ENDED]
    assert Visit.objects.get(pk=hold.pk).state == VisitState.EXPIRED  # type: ignore[union-attr]


def test_welsh_messages_are_in_welsh(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    session = make_session(make_prison(name_cy="Carchar Rochester"), DAY, open_capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        visit = book(session, "B0001AA")
        join(session, 0, language="cy", phone="+447700900123", wants_sms=True)
        visit_cancel(visit=visit, reason="ill", actor=Actor.visitor())
    names = set(FakeNotifyMessage.objects.values_list("template_name", flat=True))
    assert {
        "waiting_joined.email.cy",
        "waiting_joined.sms.cy",
        "place_offered.email.cy",
        "place_offered.sms.cy",
    } <= names
    text = FakeNotifyMessage.objects.get(template_name="place_offered.sms.cy").body
    assert "Carchar Rochester" in text and "Dydd " in text
