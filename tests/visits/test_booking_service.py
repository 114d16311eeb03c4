"""The booking service: holds, instant bookings, requests, changes, cancellations and their events and messages."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from prisons.models import VisitSession
from tests.factories import MARY, TOM, details, make_prison, make_prisoner, make_session
from visits.errors import AlreadyProcessed, HoldLost, InvalidChange, NotAllowed, SessionUnavailable
from visits.models import EventType, OutboxMessage, Visit, VisitState
from visits.services import (
    Actor,
    ContactDetails,
    Override,
    holds_expire,
    new_reference,
    request_approve,
    request_reject,
    request_withdraw,
    visit_book,
    visit_cancel,
    visit_change,
    visit_record_attendance,
    visit_request,
    visit_reserve,
    visitor_refuse,
)

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(datetime(2026, 11, 23, 10, 0))
DAY = date(2026, 12, 1)
CONTACT = ContactDetails(email="mary@example.com", phone="+447700900123", wants_email=True, wants_sms=True)


@pytest.fixture
def prison():  # type: ignore[no-untyped-def]
    return make_prison()


@pytest.fixture
def session(prison) -> VisitSession:  # type: ignore[no-untyped-def]
    return make_session(prison, DAY, open_capacity=2, closed_capacity=1)


@pytest.fixture
def staff() -> Actor:
    return Actor(user=User.objects.create_user("clerk"))


def reserve(session: VisitSession, number: str = "A1234BC", **kwargs) -> Visit:  # type: ignore[no-untyped-def]
    kwargs.setdefault("now", NOW)
    kwargs.setdefault("visitor_contact_ids", (1, 2))  # both on the approved list
    return visit_reserve(
        session=session,
        prisoner=details(make_prisoner(number)),
        party=[MARY, TOM],
        closed=kwargs.pop("closed", False),
        **kwargs,
    )


def test_reference_is_short_and_unambiguous() -> None:
    ref = new_reference()
    assert len(ref) == 11 and ref[2] == ref[5] == ref[8] == "-"
    assert not set(ref.replace("-", "")) & set("aeioul0123456789")


def test_reserve_then_book(session: VisitSession) -> None:
    visit = reserve(session)
    assert visit.state == VisitState.RESERVED and visit.hold_expires_at == NOW + timedelta(minutes=10)
    assert [v.first_name for v in visit.visitors.all()] == ["Mary", "Tom"]
    booked = visit_book(visit=visit, contact=CONTACT, support_needs=["wheelchair"], now=NOW + timedelta(minutes=5))
    assert booked.state == VisitState.BOOKED and booked.hold_expires_at is None
    assert list(booked.events.values_list("type", flat=True)) == [EventType.RESERVED, EventType.BOOKED]
    messages = list(OutboxMessage.objects.filter(visit=booked).values_list("kind", "channel", "recipient"))
    assert messages == [("booked", "email", "mary@example.com"), ("booked", "sms", "+447700900123")]
    personalisation = OutboxMessage.objects.filter(visit=booked).first().personalisation
    assert personalisation["reference"] == booked.reference
    assert personalisation["visit_date_and_time"] == "Tuesday 1 December 2026, 2pm to 3:45pm"
    assert "/visit/" in personalisation["manage_link"]


def test_holds_count_against_capacity_until_they_expire(session: VisitSession) -> None:
    reserve(session, "A0001AA")
    reserve(session, "A0002AA")
    with pytest.raises(SessionUnavailable) as full:
        reserve(session, "A0003AA")
    assert full.value.code == "full"
    # Ten minutes later the first two holds free their places at once, without waiting for a job.
    later = NOW + timedelta(minutes=10)
    visit = reserve(session, "A0003AA", now=later)
    assert visit.state == VisitState.RESERVED
    assert Visit.objects.filter(state=VisitState.EXPIRED).count() == 2


def test_open_and_closed_places_are_counted_separately(session: VisitSession) -> None:
    reserve(session, "A0001AA", closed=True)
    with pytest.raises(SessionUnavailable):
        reserve(session, "A0002AA", closed=True)
    assert reserve(session, "A0003AA").closed is False


def test_a_confirmed_hold_never_finds_its_place_gone(session: VisitSession) -> None:
    first = reserve(session, "A0001AA")
    reserve(session, "A0002AA")
    assert visit_book(visit=first, contact=CONTACT, now=NOW + timedelta(minutes=9)).state == VisitState.BOOKED


def test_an_expired_hold_is_lost_only_if_someone_took_the_place(session: VisitSession) -> None:
    first = reserve(session, "A0001AA")
    later = NOW + timedelta(minutes=11)
    assert visit_book(visit=first, contact=CONTACT, now=later).state == VisitState.BOOKED  # place still free
    second = reserve(session, "A0002AA")
    reserve(session, "A0003AA", now=NOW + timedelta(minutes=12))  # takes the place the expired hold had
    with pytest.raises(HoldLost) as lost:
        visit_book(visit=second, contact=CONTACT, now=NOW + timedelta(minutes=12))
    assert lost.value.message == "Your visit time is no longer available. Select a new time."


def test_no_double_booking_and_no_non_associated_prisoners_on_the_same_day(prison, session: VisitSession) -> None:  # type: ignore[no-untyped-def]
    reserve(session, "A0001AA")
    with pytest.raises(SessionUnavailable) as twice:
        reserve(session, "A0001AA")
    assert twice.value.code == "already_booked"
    evening = make_session(prison, DAY, time(18))
    with pytest.raises(SessionUnavailable) as non_assoc:
        reserve(evening, "A0002AA", non_associations=["A0001AA"])
    assert non_assoc.value.code == "non_association"


def test_a_remand_prisoners_weekly_limit_is_counted_afresh_at_the_hold_at_every_prison(prison) -> None:  # type: ignore[no-untyped-def]
    monday = DAY - timedelta(days=DAY.weekday())
    reserve(make_session(prison, monday, time(14)), weekly_limit=2)
    elsewhere = make_session(make_prison("wandsworth", "WWI"), monday + timedelta(days=3))  # before a transfer, say
    reserve(elsewhere, weekly_limit=2)
    with pytest.raises(SessionUnavailable) as full:
        reserve(make_session(prison, monday + timedelta(days=5), time(9, 30)), weekly_limit=2)
    assert full.value.code == "weekly_limit"
    expired = make_session(prison, monday + timedelta(days=7), time(9, 30))
    reserve(expired, weekly_limit=1, now=NOW - timedelta(minutes=11))  # a hold that has run out counts for nothing
    assert reserve(make_session(prison, monday + timedelta(days=8)), weekly_limit=1).state == VisitState.RESERVED
    reserve(make_session(prison, monday + timedelta(days=1)))  # no limit, as for a convicted prisoner


def test_blocked_sessions_cannot_be_reserved(prison) -> None:  # type: ignore[no-untyped-def]
    blocked = make_session(prison, DAY, blocked=True)
    with pytest.raises(SessionUnavailable):
        reserve(blocked)


def test_staff_overbooking_is_explicit_and_audited(session: VisitSession, staff: Actor) -> None:
    reserve(session, "A0001AA")
    reserve(session, "A0002AA")
    with pytest.raises(NotAllowed):
        reserve(session, "A0003AA", override=Override("capacity", "Family travelling from Scotland"))
    visit = reserve(session, "A0003AA", actor=staff, override=Override("capacity", "Family travelling from Scotland"))
    assert visit.overbooked
    override = visit.events.get(type=EventType.OVERRIDE)
    assert (override.actor_label, override.reason) == ("clerk", "Family travelling from Scotland")


def test_request_with_preferences_then_approve_into_one(prison, session: VisitSession, staff: Actor) -> None:  # type: ignore[no-untyped-def]
    second = make_session(prison, DAY + timedelta(days=1))
    third = make_session(prison, DAY + timedelta(days=2))
    visit = visit_request(
        visit=reserve(session),
        contact=CONTACT,
        preferences=[session, second, third],
        reasons=["visitor_not_approved"],
        now=NOW,
    )
    assert visit.state == VisitState.REQUESTED
    assert list(visit.preferences.values_list("rank", "session_id")) == [(1, session.id), (2, second.id), (3, third.id)]
    approved = request_approve(visit=visit, session=third, actor=staff, now=NOW)
    assert (approved.state, approved.session_id) == (VisitState.BOOKED, third.id)
    with pytest.raises(AlreadyProcessed):  # a second clerk processing the same request
        request_approve(visit=visit, session=second, actor=Actor(user=User.objects.create_user("other")), now=NOW)
    assert list(OutboxMessage.objects.filter(visit=visit, channel="email").values_list("kind", flat=True)) == [
        "requested",
        "approved",
    ]


def test_request_can_have_at_most_three_preferences(prison, session: VisitSession) -> None:  # type: ignore[no-untyped-def]
    extra = [make_session(prison, DAY + timedelta(days=n)) for n in range(1, 4)]
    with pytest.raises(InvalidChange):
        visit_request(visit=reserve(session), contact=CONTACT, preferences=[session, *extra], now=NOW)


def test_reject_needs_its_details(session: VisitSession, staff: Actor) -> None:
    visit = visit_request(visit=reserve(session), contact=CONTACT, now=NOW)
    with pytest.raises(InvalidChange, match="renews"):
        request_reject(visit=visit, reasons=["no_allowance"], actor=staff)
    with pytest.raises(InvalidChange, match="Enter the reason"):
        request_reject(visit=visit, reasons=["other"], actor=staff)
    rejected = request_reject(
        visit=visit, reasons=["no_allowance"], allowance_renews_on=date(2026, 12, 10), actor=staff
    )
    assert rejected.state == VisitState.REJECTED and rejected.rejection_reasons == ["no_allowance"]
    message = OutboxMessage.objects.filter(visit=visit, kind="rejected").first()
    assert message.personalisation["allowance_renews_on"] == "2026-12-10"


def test_withdraw_a_request(session: VisitSession) -> None:
    visit = visit_request(visit=reserve(session), contact=CONTACT, now=NOW)
    assert request_withdraw(visit=visit).state == VisitState.WITHDRAWN
    with pytest.raises(AlreadyProcessed):
        request_withdraw(visit=visit)


def test_cancel_rules_by_who_and_when(session: VisitSession, staff: Actor) -> None:
    visit = visit_book(visit=reserve(session), contact=CONTACT, now=NOW)
    starts = timezone.make_aware(datetime(2026, 12, 1, 14, 0))
    with pytest.raises(NotAllowed):
        visit_cancel(visit=visit, reason="Ill", actor=Actor.visitor(), now=starts)
    with pytest.raises(InvalidChange):
        visit_cancel(visit=visit, reason=" ", actor=staff, now=NOW)
    with pytest.raises(NotAllowed):
        visit_cancel(visit=visit, reason="Late entry", actor=staff, now=starts + timedelta(days=29))
    cancelled = visit_cancel(visit=visit, reason="Late entry", actor=staff, now=starts + timedelta(days=27))
    assert cancelled.state == VisitState.CANCELLED
    assert not OutboxMessage.objects.filter(visit=visit, kind__startswith="cancelled").exists()  # after the visit


def test_visitor_cancel_before_it_starts_tells_them(session: VisitSession) -> None:
    visit = visit_book(visit=reserve(session), contact=CONTACT, now=NOW)
    visit_cancel(visit=visit, reason="Car broke down", actor=Actor.visitor(), now=NOW)
    assert OutboxMessage.objects.filter(visit=visit, kind="cancelled_by_visitor").count() == 2


def test_change_secures_the_new_place_before_releasing_the_old(prison, session: VisitSession) -> None:  # type: ignore[no-untyped-def]
    visit = visit_book(visit=reserve(session, "A0001AA"), contact=CONTACT, now=NOW)
    full = make_session(prison, DAY + timedelta(days=1), open_capacity=1)
    blocker = visit_book(visit=reserve(full, "A0002AA"), contact=CONTACT, now=NOW)
    with pytest.raises(SessionUnavailable):
        visit_change(visit=visit, session=full, actor=Actor.visitor(), now=NOW)
    visit.refresh_from_db()
    assert visit.session_id == session.id and visit.state == VisitState.BOOKED  # kept its old time
    visit_cancel(visit=blocker, reason="Cannot come", actor=Actor.visitor(), now=NOW)
    changed = visit_change(visit=visit, session=full, actor=Actor.visitor(), now=NOW)
    assert changed.session_id == full.id
    assert (
        OutboxMessage.objects.filter(visit=visit, kind="changed").first().personalisation["previous_date_and_time"]
        == "Tuesday 1 December 2026, 2pm to 3:45pm"
    )


def test_refuse_one_visitor_keeps_the_visit(session: VisitSession, staff: Actor) -> None:
    visit = visit_book(visit=reserve(session), contact=CONTACT, now=NOW)
    _mary, tom = visit.visitors.all()
    visitor_refuse(visit=visit, visitor=tom, reason="Not on the approved list", actor=staff)
    visit.refresh_from_db()
    assert visit.state == VisitState.BOOKED and visit.visitors.filter(refused=True).count() == 1


def test_refusing_the_lead_visitor_of_a_booked_visit_cancels_it(session: VisitSession, staff: Actor) -> None:
    visit = visit_book(visit=reserve(session), contact=CONTACT, now=NOW)
    mary, _tom = visit.visitors.all()
    after = visitor_refuse(visit=visit, visitor=mary, reason="", kind="visitor_banned", actor=staff)
    assert after.state == VisitState.CANCELLED
    assert "cannot go ahead without its lead visitor: Banned from visiting" in after.events.last().reason


def test_attendance_only_on_or_after_the_day(session: VisitSession, staff: Actor) -> None:
    visit = visit_book(visit=reserve(session), contact=CONTACT, now=NOW)
    with pytest.raises(NotAllowed):
        visit_record_attendance(visit=visit, attended=True, actor=staff, now=NOW)
    on_the_day = timezone.make_aware(datetime(2026, 12, 1, 16, 0))
    assert visit_record_attendance(visit=visit, attended=False, actor=staff, now=on_the_day).state == VisitState.NO_SHOW


def test_holds_expire_job_is_safe_to_run_twice(session: VisitSession) -> None:
    reserve(session, "A0001AA")
    later = NOW + timedelta(minutes=11)
    assert holds_expire(now=later) == 1
    assert holds_expire(now=later) == 0
    assert Visit.objects.get().events.filter(type=EventType.EXPIRED).count() == 1


def test_the_database_refuses_a_double_booking_whatever_the_code(session: VisitSession) -> None:
    from django.db import IntegrityError, transaction

    visit = reserve(session, "A0001AA")
    with pytest.raises(IntegrityError), transaction.atomic():
        Visit.objects.create(
            reference="zz-zz-zz-zz",
            prison=visit.prison,
            session=session,
            state=VisitState.BOOKED,
            prisoner_number="A0001AA",
            prisoner_first_name="x",
            prisoner_last_name="y",
        )
