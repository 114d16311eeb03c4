"""The performance figures page: a month at Rochester played through the booking service, then counted."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from itertools import count

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.management.commands.sync_roles import sync_roles
from accounts.models import PrisonAccess
from accounts.roles import BOOKING_CLERK
from prisons.models import Prison, VisitSession
from prisons.window import processing_days_after
from staff.selectors import performance_figures
from tests.factories import MARY, details, make_prison, make_prisoner, make_session
from visits.models import Channel, Visit
from visits.services import (
    Actor,
    ContactDetails,
    RejectionReason,
    holds_expire,
    request_approve,
    request_reject,
    request_withdraw,
    visit_book,
    visit_cancel,
    visit_record_attendance,
    visit_request,
    visit_reserve,
)

pytestmark = pytest.mark.django_db
ZONE = timezone.get_current_timezone()
TODAY = date(2026, 11, 23)  # a Monday
CONTACT = ContactDetails(email="mary@example.com")
_numbers = count(1)


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZONE)


def reserve(session: VisitSession, **kwargs: object) -> Visit:
    prisoner = make_prisoner(f"A{next(_numbers):04d}BC")
    kwargs.setdefault("visitor_contact_ids", (1,))  # on the approved list: a request can be approved as it is
    return visit_reserve(session=session, prisoner=details(prisoner), party=[MARY], closed=False, **kwargs)


@pytest.fixture
def month():  # type: ignore[no-untyped-def]
    """Rochester from Monday 2 November to today, Monday 23 November 2026."""
    sync_roles()
    prison = make_prison()
    staff = Actor(user=User.objects.create_user("clerk", first_name="Kim", last_name="Clerk"))
    tenth = make_session(prison, date(2026, 11, 10), open_capacity=20, closed_capacity=2)
    twelfth = make_session(prison, date(2026, 11, 12), open_capacity=10, closed_capacity=0)
    make_session(prison, date(2026, 11, 13), blocked=True)  # offers no places
    make_session(prison, date(2026, 11, 30))  # after today: not in the period's places
    with time_machine.travel(at(date(2026, 11, 2)), tick=False) as clock:
        attended = visit_book(visit=reserve(tenth), contact=CONTACT)
        staff_booked = visit_book(
            visit=reserve(tenth, channel=Channel.PHONE, actor=staff), contact=CONTACT, actor=staff
        )
        unrecorded = visit_book(visit=reserve(twelfth), contact=CONTACT)
        cancelled_by_visitor = visit_book(visit=reserve(tenth), contact=CONTACT)
        cancelled_by_prison = visit_book(visit=reserve(twelfth), contact=CONTACT)
        answered_in_time = visit_request(visit=reserve(tenth), contact=CONTACT)
        answered_late = visit_request(visit=reserve(twelfth), contact=CONTACT)
        withdrawn = visit_request(visit=reserve(twelfth), contact=CONTACT)
        unanswered = visit_request(visit=reserve(twelfth), contact=CONTACT)
        reserve(twelfth)  # a hold nobody finishes
        clock.move_to(at(date(2026, 11, 2), 11))
        holds_expire()
        visit_cancel(visit=cancelled_by_visitor, reason="Someone is ill", actor=Actor.visitor())
        visit_cancel(visit=cancelled_by_prison, reason="Staff shortage", actor=staff)
        request_withdraw(visit=withdrawn)
        clock.move_to(at(date(2026, 11, 5)))  # Thursday: 3 working days after Monday
        request_approve(visit=answered_in_time, session=tenth, actor=staff)
        clock.move_to(at(date(2026, 11, 9)))  # the next Monday: 5 working days
        request_reject(visit=answered_late, reasons=[RejectionReason.SLOTS_UNAVAILABLE], actor=staff)
        request_reject(visit=unanswered, reasons=[RejectionReason.SLOTS_UNAVAILABLE], actor=Actor.system())
        clock.move_to(at(date(2026, 11, 10), 17))
        visit_record_attendance(visit=attended, attended=True, actor=staff)
        visit_record_attendance(visit=staff_booked, attended=False, actor=staff)
        visit_record_attendance(visit=answered_in_time, attended=True, actor=staff)
        clock.move_to(at(TODAY, 9))
        yield prison, unrecorded


def test_a_month_counted(month) -> None:  # type: ignore[no-untyped-def]
    prison, _ = month
    with CaptureQueriesContext(connection) as queries:
        figures = performance_figures(prison=prison, first=TODAY - timedelta(days=27), last=TODAY)
    assert len(queries) == 4
    assert figures.booked_by_channel == {Channel.ONLINE: 4, Channel.PHONE: 1}
    assert (figures.booked, figures.requested, figures.instant_share) == (5, 4, 56)
    assert (figures.approved, figures.rejected_by_staff, figures.rejected_unanswered, figures.withdrawn) == (1, 1, 1, 1)
    assert (figures.answered, figures.answered_in_time, figures.answered_in_time_share) == (2, 1, 50)
    assert figures.holds_lapsed == 1
    assert (figures.cancelled_by_visitors, figures.cancelled_by_prison) == (1, 1)
    assert (figures.attended, figures.no_shows, figures.not_recorded, figures.no_show_share) == (2, 1, 1, 33)
    # Places: the 10th's attended, no-show and approved request, the 12th's unrecorded visit; 22 + 10 offered.
    assert (figures.places_used, figures.capacity, figures.capacity_share) == (4, 32, 12)


def test_a_period_before_anything_happened_is_empty_not_an_error(month) -> None:  # type: ignore[no-untyped-def]
    prison, _ = month
    figures = performance_figures(prison=prison, first=date(2026, 10, 1), last=date(2026, 10, 31))
    assert (figures.booked, figures.requested, figures.capacity) == (0, 0, 0)
    assert figures.instant_share is figures.no_show_share is figures.capacity_share is None


def test_another_prisons_visits_are_not_counted(month) -> None:  # type: ignore[no-untyped-def]
    cardiff = make_prison("cardiff", "CFI")
    figures = performance_figures(prison=cardiff, first=TODAY - timedelta(days=27), last=TODAY)
    assert (figures.booked, figures.requested, figures.attended, figures.capacity) == (0, 0, 0, 0)


def test_the_page_shows_the_figures_for_the_period_chosen(month) -> None:  # type: ignore[no-untyped-def]
    prison, _ = month
    clerk = User.objects.create_user("booker", password="a-long-test-password")
    clerk.groups.set([Group.objects.get(name=BOOKING_CLERK)])
    PrisonAccess.objects.create(user=clerk, prison=Prison.objects.get(pk=prison.pk))
    client = Client()
    client.force_login(clerk)
    page = client.get("/staff/rochester/performance").content.decode()
    assert "From Tuesday 27 October 2026 to Monday 23 November 2026." in page
    assert "5 (56%)" in page and "1 of 2 (50%)" in page and "4 of 32 (12%)" in page
    week = client.get("/staff/rochester/performance?weeks=1").content.decode()
    assert "From Tuesday 17 November 2026" in week and "0 of 0" in week
    assert "From Tuesday 27 October" in client.get("/staff/rochester/performance?weeks=nonsense").content.decode()


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (date(2026, 11, 2), date(2026, 11, 5), 3),  # Monday to Thursday
        (date(2026, 11, 6), date(2026, 11, 9), 1),  # Friday to Monday: the weekend does not count
        (date(2026, 12, 24), date(2026, 12, 29), 1),  # Christmas Day and Boxing Day (Monday 28th) are bank holidays
        (date(2026, 11, 5), date(2026, 11, 5), 0),
    ],
)
def test_processing_days_after(start: date, end: date, days: int) -> None:
    assert processing_days_after(start, end, works_weekends=False) == days
