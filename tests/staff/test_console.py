"""The staff console through the test client: booking for callers, requests, flags, blocks, timetable, sheets."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import PrisonAccess
from accounts.roles import BOOKING_CLERK, VISITS_ADMIN, VISITS_TEAM
from prisons.models import BlockedDate, Prison, VisitSession
from tests.factories import MARY, details, make_prisoner
from visits.models import EventType, OutboxMessage, Visit, VisitFlag, VisitState
from visits.services import ContactDetails, visit_book, visit_reserve

pytestmark = pytest.mark.django_db


def staff_client(prison: Prison, role: str, name: str = "staff") -> Client:
    user = User.objects.create_user(name, password="a-long-test-password")
    user.groups.set([Group.objects.get(name=role)])
    PrisonAccess.objects.create(user=user, prison=prison)
    client = Client()
    client.force_login(user)
    return client


def find_prisoner(
    client: Client, number: str = "A1001AA", last_name: str = "Walker", born: date = date(1988, 4, 12)
) -> None:
    response = client.post(
        "/staff/rochester/book",
        {
            "number": number,
            "last_name": last_name,
            "date_of_birth-day": born.day,
            "date_of_birth-month": born.month,
            "date_of_birth-year": born.year,
        },
    )
    assert response["Location"] == "/staff/rochester/book/details", response.content.decode()[:2000]


def visitor_value(client: Client, label: str) -> str:
    """The checkbox value of the approved visitor whose label contains ``label``."""
    html = client.get("/staff/rochester/book/details").content.decode()
    for match in re.finditer(r'name="visitors" type="checkbox" value="(\d+)">\s*<label[^>]*>\s*([^<]+)', html):
        if label in match[2]:
            return match[1]
    raise AssertionError(f"no visitor like {label!r}")


def a_session(prison: Prison, days: int = 6) -> VisitSession:
    return (
        VisitSession.objects.filter(prison=prison, date__gte=timezone.localdate() + timedelta(days=days), blocked=False)
        .order_by("date", "start_time")
        .first()
    )


def test_clerk_books_for_a_caller_and_the_channel_is_recorded(rochester: Prison) -> None:
    client = staff_client(rochester, BOOKING_CLERK)
    find_prisoner(client)
    session = a_session(rochester)
    response = client.post(
        "/staff/rochester/book/details",
        {"visitors": ["100101", "100103"], "session": session.id, "channel": "phone", "email": "sophie@example.com"},
    )
    visit = Visit.objects.get()
    assert response["Location"] == f"/staff/rochester/visits/{visit.reference}"
    assert (visit.state, visit.channel, visit.booked_by.username) == (VisitState.BOOKED, "phone", "staff")
    assert OutboxMessage.objects.filter(visit=visit, kind="booked").count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "Booked" in page and "staff (Phone)" in page  # the timeline: who and which channel


def test_overbooking_needs_an_explicit_reason_and_is_audited(rochester: Prison) -> None:
    session = a_session(rochester)
    VisitSession.objects.filter(pk=session.pk).update(open_capacity=0)
    client = staff_client(rochester, BOOKING_CLERK)
    find_prisoner(client)
    data = {"visitors": ["100101"], "session": session.id, "channel": "phone"}
    refused = client.post("/staff/rochester/book/details", data).content.decode()
    assert "This session is full. Tick overbook and give a reason" in refused
    no_reason = client.post("/staff/rochester/book/details", {**data, "overbook": "on"}).content.decode()
    assert "Enter why you are overbooking" in no_reason
    client.post("/staff/rochester/book/details", {**data, "overbook": "on", "overbook_reason": "Travelling far"})
    visit = Visit.objects.get()
    assert visit.overbooked and visit.events.get(type=EventType.OVERRIDE).reason == "Travelling far"


def test_no_allowance_can_be_overridden_with_a_reason(rochester: Prison) -> None:
    client = staff_client(rochester, BOOKING_CLERK)
    find_prisoner(client, "A1002AA", "Hughes", date(1979, 11, 30))
    data = {"visitors": [visitor_value(client, "(")], "session": a_session(rochester).id, "channel": "in_person"}
    assert "no visiting allowance" in client.post("/staff/rochester/book/details", data).content.decode()
    client.post(
        "/staff/rochester/book/details",
        {**data, "override_allowance": "on", "override_allowance_reason": "Compassionate visit"},
    )
    override = Visit.objects.get().events.get(type=EventType.OVERRIDE)
    assert (override.data, override.reason) == ({"rule": "allowance"}, "Compassionate visit")


def make_request(rochester: Prison) -> Visit:
    client = staff_client(rochester, BOOKING_CLERK, "requester")
    find_prisoner(client, "A1006AA", "Edwards", date(1985, 2, 28))
    banned = visitor_value(client, "Brother")
    client.post(
        "/staff/rochester/book/details",
        {"visitors": [banned], "session": a_session(rochester).id, "channel": "phone", "email": "x@example.com"},
    )
    visit = Visit.objects.get()
    assert visit.state == VisitState.REQUESTED
    return visit


def test_a_request_is_approved_once_and_the_second_clerk_is_told(rochester: Prison) -> None:
    visit = make_request(rochester)
    first, second = staff_client(rochester, VISITS_TEAM, "one"), staff_client(rochester, VISITS_TEAM, "two")
    assert visit.reference in first.get("/staff/rochester/requests").content.decode()
    session_id = visit.preferences.get().session_id
    response = first.post(
        f"/staff/rochester/requests/{visit.reference}", {"action": "approve", "approve-session": session_id}
    )
    assert response["Location"] == "/staff/rochester/requests"
    again = second.post(
        f"/staff/rochester/requests/{visit.reference}",
        {"action": "approve", "approve-session": session_id},
        follow=True,
    )
    assert "already been processed by someone else" in again.content.decode()
    visit.refresh_from_db()
    assert visit.state == VisitState.BOOKED


def test_reject_needs_the_renewal_date_for_no_allowance(rochester: Prison) -> None:
    visit = make_request(rochester)
    client = staff_client(rochester, VISITS_TEAM, "team")
    page = client.post(
        f"/staff/rochester/requests/{visit.reference}", {"action": "reject", "reject-reasons": ["no_allowance"]}
    ).content.decode()
    assert "Enter the date the allowance renews" in page
    renews = timezone.localdate() + timedelta(days=10)
    client.post(
        f"/staff/rochester/requests/{visit.reference}",
        {
            "action": "reject",
            "reject-reasons": ["no_allowance"],
            "reject-renews_on-day": renews.day,
            "reject-renews_on-month": renews.month,
            "reject-renews_on-year": renews.year,
        },
    )
    visit.refresh_from_db()
    assert visit.state == VisitState.REJECTED


def test_text_for_a_reason_not_ticked_is_not_dropped_silently(rochester: Prison) -> None:
    """Issue 26, item 10: "Other reason" typed without ticking "Another reason" (or a renewal date without its
    reason) is an error asking for the tick, and nothing is rejected until it is answered."""
    visit = make_request(rochester)
    client = staff_client(rochester, VISITS_TEAM, "team")
    renews = timezone.localdate() + timedelta(days=10)
    response = client.post(
        f"/staff/rochester/requests/{visit.reference}",
        {
            "action": "reject",
            "reject-reasons": ["visitor_banned"],
            "reject-other_reason": "The visits hall is closed for repairs",
            "reject-renews_on-day": renews.day,
            "reject-renews_on-month": renews.month,
            "reject-renews_on-year": renews.year,
        },
    )
    page = response.content.decode()
    assert "Select ‘Another reason’ to give the other reason, or delete the other reason" in page
    assert "Select ‘The prisoner has no visiting allowance left’ to give the date it renews, or delete the date" in page
    assert 'class="govuk-error-summary' in page
    visit.refresh_from_db()
    assert visit.state == VisitState.REQUESTED
    client.post(
        f"/staff/rochester/requests/{visit.reference}",
        {"action": "reject", "reject-reasons": ["visitor_banned", "other"], "reject-other_reason": "Repairs"},
    )
    visit.refresh_from_db()
    assert visit.state == VisitState.REJECTED


def test_blocking_a_date_shows_the_visits_first_then_flags_them(rochester: Prison) -> None:
    client = staff_client(rochester, BOOKING_CLERK, "clerk")
    find_prisoner(client)
    session = a_session(rochester)
    client.post("/staff/rochester/book/details", {"visitors": ["100101"], "session": session.id, "channel": "phone"})
    visit = Visit.objects.get()
    team = staff_client(rochester, VISITS_TEAM, "team")
    data = {
        "date-day": session.date.day,
        "date-month": session.date.month,
        "date-year": session.date.year,
        "reason": "Staff training",
        "visits": "flag",
    }
    preview = team.post("/staff/rochester/blocks", data).content.decode()
    assert "1 visit will be affected" in preview and visit.reference in preview
    assert not BlockedDate.objects.filter(prison=rochester, date=session.date).exists()  # nothing yet
    team.post("/staff/rochester/blocks", {**data, "confirm": "yes"})
    assert VisitFlag.objects.get(visit=visit).reason == "date_blocked"
    assert VisitSession.objects.get(pk=session.pk).blocked
    assert visit.reference in team.get("/staff/rochester/flagged").content.decode()
    team.post(f"/staff/rochester/visits/{visit.reference}/keep", {"resolution": "Family visit in the chapel"})
    assert VisitFlag.objects.get(visit=visit).cleared_at is not None


def test_timetable_change_that_strands_visits_says_so_first(rochester: Prison) -> None:
    clerk = staff_client(rochester, BOOKING_CLERK, "clerk")
    find_prisoner(clerk)
    session = VisitSession.objects.filter(
        prison=rochester, template__isnull=False, blocked=False, date__gte=timezone.localdate() + timedelta(days=5)
    ).first()
    clerk.post("/staff/rochester/book/details", {"visitors": ["100101"], "session": session.id, "channel": "phone"})
    admin = staff_client(rochester, VISITS_ADMIN, "admin")
    template = session.template
    end = session.date - timedelta(days=1)
    data = {
        "weekday": template.weekday,
        "start_time": "14:00",
        "end_time": "15:45",
        "valid_from-day": template.valid_from.day,
        "valid_from-month": template.valid_from.month,
        "valid_from-year": template.valid_from.year,
        "valid_to-day": end.day,
        "valid_to-month": end.month,
        "valid_to-year": end.year,
        "every_n_weeks": 1,
        "open_capacity": 20,
        "closed_capacity": 2,
    }
    if session.start_time != time(14):
        data["start_time"], data["end_time"] = session.start_time.strftime("%H:%M"), "23:00"
    warning = admin.post(f"/staff/rochester/timetable/{template.id}", data).content.decode()
    assert "without a session" in warning
    admin.post(f"/staff/rochester/timetable/{template.id}", {**data, "confirm": "yes"})
    session.refresh_from_db()
    assert session.removed and session.needs_review


def test_visit_sheet_and_lists_make_a_fixed_number_of_queries(rochester: Prison) -> None:
    session = a_session(rochester)
    client = staff_client(rochester, VISITS_TEAM, "team")
    url = f"/staff/rochester/sheet?date={session.date.isoformat()}"
    client.get("/staff/rochester/")  # the session's idle expiry is renewed now, not during the measured requests
    counts = []
    for extra in (1, 8):
        for n in range(extra):
            visit_book(
                visit=visit_reserve(
                    session=session,
                    prisoner=details(make_prisoner(f"Q{len(counts)}{n:03d}QQ")),
                    party=[MARY],
                    closed=False,
                ),
                contact=ContactDetails(),
            )
        with CaptureQueriesContext(connection) as queries:
            for path in (
                url,
                f"/staff/rochester/visits?date={session.date.isoformat()}",
                "/staff/rochester/requests",
                "/staff/rochester/flagged",
                "/staff/rochester/",
                "/staff/rochester/search?q=Harris",
            ):
                assert client.get(path).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    csv = client.get(url + "&format=csv").content.decode()
    assert csv.count("\n") == 1 + 9 and "Mary Harris" in csv


def test_a_clerk_chooses_open_or_closed_for_a_prisoner_with_a_closed_visits_restriction(rochester: Prison) -> None:
    client = staff_client(rochester, BOOKING_CLERK)
    find_prisoner(client, "A1003AA", "Bennett", date(1992, 1, 21))  # closed visits only, no end date
    page = client.get("/staff/rochester/book/details").content.decode()
    assert "Open or closed visit?" in page
    assert "Marcus Bennett has a closed visits restriction, with no end date." in page
    assert re.search(r'value="closed"\s+checked', page)  # closed chosen unless the clerk changes it
    visitor = visitor_value(client, "Jade Bennett")
    session = a_session(rochester)
    base = {"visitors": [visitor], "session": session.id, "channel": "phone", "email": "jade@example.com"}
    assert client.post("/staff/rochester/book/details", {**base, "visit_type": "closed"}).status_code == 302
    closed = Visit.objects.get()
    assert (closed.closed, closed.state) == (True, VisitState.BOOKED)  # decided by the clerk: no request waits
    closed.delete()
    find_prisoner(client, "A1003AA", "Bennett", date(1992, 1, 21))
    assert client.post("/staff/rochester/book/details", {**base, "visit_type": "open"}).status_code == 302
    assert Visit.objects.get().closed is False
