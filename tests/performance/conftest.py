"""Twelve weeks of visits at Rochester (enough to be shown) and Cardiff (too few), played through the booking
service with the clock moved, then counted on Monday 23 November 2026."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import count

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone

from prisons.models import Prison, VisitSession
from tests.factories import MARY, details, make_prison, make_prisoner, make_session
from visits.models import Channel, JourneyCount, Visit
from visits.services import (
    Actor,
    ContactDetails,
    request_approve,
    visit_book,
    visit_cancel,
    visit_record_attendance,
    visit_request,
    visit_reserve,
)

ZONE = timezone.get_current_timezone()
TODAY = date(2026, 11, 23)  # a Monday: the 12 complete weeks are 31 August to 22 November
WEEK_OF_2_NOVEMBER = 9  # its index among the 12 weeks
WEEK_OF_9_NOVEMBER = 10
CONTACT = ContactDetails(email="mary.harris@example.com", phone="+447700900123")
_numbers = count(1)


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZONE)


def reserve(session: VisitSession, **kwargs: object) -> Visit:
    prisoner = make_prisoner(f"A{next(_numbers):04d}PF")
    kwargs.setdefault("visitor_contact_ids", (1,))  # on the approved list: a request can be approved as it is
    return visit_reserve(session=session, prisoner=details(prisoner), party=[MARY], closed=False, **kwargs)


@dataclass
class Seeded:
    rochester: Prison
    cardiff: Prison
    tenth: VisitSession


def seed_twelve_weeks(busy: date = date(2026, 11, 2)) -> Seeded:
    """What happened, by the clock, in the week of ``busy`` (a Monday) and the next, as dated here for the default:

    Monday 2 November, Rochester: 9 online bookings and 1 by phone, 2 online requests (the first for 10 November
    then 12 November, the second the other way round); a visitor cancels a booking, the prison cancels the phone
    one. Cardiff: 2 online bookings. Thursday 5 November: the first request approved for its first choice (3
    working days). Monday 9 November: the second approved for its second choice (5 working days). 10 November: one
    booking attended, one not, the first request's visit attended. Journeys started on 3 November: 20 at
    Rochester (12 completed), 5 at Cardiff (2 completed). Monday 23 November (then, this week): one more online
    booking and 3 journeys, in a week not yet over.
    """

    def day(n: int) -> date:
        return busy + timedelta(days=n)

    rochester = make_prison()
    cardiff = make_prison("cardiff", "CFI", name="Cardiff")
    staff = Actor(user=User.objects.create_user("clerk", first_name="Kim", last_name="Clerk"))
    tenth = make_session(rochester, day(8), open_capacity=30, closed_capacity=2)
    twelfth = make_session(rochester, day(10), open_capacity=10, closed_capacity=0)
    cardiff_day = make_session(cardiff, day(9), open_capacity=10, closed_capacity=0)
    later = make_session(rochester, day(28), open_capacity=10, closed_capacity=0)
    with time_machine.travel(at(busy), tick=False) as clock:
        online = [visit_book(visit=reserve(tenth), contact=CONTACT) for _ in range(9)]
        by_phone = visit_book(visit=reserve(tenth, channel=Channel.PHONE, actor=staff), contact=CONTACT, actor=staff)
        first = visit_request(visit=reserve(tenth), contact=CONTACT, preferences=[twelfth])
        second = visit_request(visit=reserve(twelfth), contact=CONTACT, preferences=[tenth])
        for _ in range(2):
            visit_book(visit=reserve(cardiff_day), contact=CONTACT)
        visit_cancel(visit=online[8], reason="Someone is ill", actor=Actor.visitor())
        visit_cancel(visit=by_phone, reason="Staff shortage", actor=staff)
        clock.move_to(at(day(3)))
        request_approve(visit=first, session=tenth, actor=staff)
        clock.move_to(at(day(7)))
        request_approve(visit=second, session=tenth, actor=staff)
        clock.move_to(at(day(8), 17))
        visit_record_attendance(visit=online[0], attended=True, actor=staff)
        visit_record_attendance(visit=online[1], attended=False, actor=staff)
        visit_record_attendance(visit=first, attended=True, actor=staff)
        clock.move_to(at(day(21), 9))
        visit_book(visit=reserve(later), contact=CONTACT)
    JourneyCount.objects.create(prison=rochester, day=day(1), started=20, completed=12)
    JourneyCount.objects.create(prison=cardiff, day=day(1), started=5, completed=2)
    JourneyCount.objects.create(prison=rochester, day=day(21), started=3, completed=1)  # this week: not yet shown
    return Seeded(rochester=rochester, cardiff=cardiff, tenth=tenth)


@pytest.fixture
def twelve_weeks(db: None) -> Iterator[Seeded]:
    seeded = seed_twelve_weeks()
    with time_machine.travel(at(TODAY, 9), tick=False):
        yield seeded


def add_more_visits(prison: Prison, session: VisitSession, how_many: int) -> None:
    """More of the same, on 2 November: for showing that the queries do not grow with the visits."""
    with time_machine.travel(at(date(2026, 11, 2), 12), tick=False):
        for n in range(how_many):
            visit = visit_book(visit=reserve(session), contact=CONTACT)
            if n % 3 == 0:
                visit_cancel(visit=visit, reason="Changed plans", actor=Actor.visitor())
