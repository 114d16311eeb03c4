"""A staff page links only to pages its reader's role may open, and a page they may not open is an expected answer,
not an error in the logs: the clerk's Today page linked to the requests and the flagged visits,
which a clerk may not open (44 forbidden pages in one crawl, each logged with its traceback)."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from html import unescape

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from accounts.roles import BOOKING_CLERK, ROLES, VISITS_ADMIN, VISITS_TEAM
from prisons.models import Prison, VisitSession
from staff.access import may_open
from tests.factories import MARY, TOM, book_for, details, make_prisoner
from tests.staff.test_authorisation import staff_patterns
from tests.staff.test_console import staff_client
from visits.models import Visit
from visits.services import Actor, ContactDetails, visit_cancel, visit_flag, visit_request, visit_reserve

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy(rochester: Prison) -> dict[str, Visit]:
    """A day's worth of work at Rochester: a booked visit, a request, a flagged visit and a visitor's cancellation."""
    sessions = list(
        VisitSession.objects.filter(prison=rochester, date__gte=timezone.localdate() + timedelta(days=6)).order_by(
            "date", "start_time"
        )
    )
    booked = book_for(sessions[0], make_prisoner("A7101AA"))
    hold = visit_reserve(
        session=sessions[1], prisoner=details(make_prisoner("A7102AA")), party=[MARY, TOM], closed=False
    )
    requested = visit_request(visit=hold, contact=ContactDetails(email="mary@example.com"), preferences=[sessions[2]])
    flagged = book_for(sessions[3], make_prisoner("A7103AA"))
    visit_flag(visit=flagged, reason="prisoner_moved", detail="Moved wing")
    cancelled = book_for(sessions[4], make_prisoner("A7104AA"))
    visit_cancel(visit=cancelled, reason="Someone is ill", actor=Actor.visitor())
    return {"booked": booked, "requested": requested, "flagged": flagged, "cancelled": cancelled}


def links(html: str) -> set[str]:
    """Every address the page links to or posts a form to."""
    found = re.findall(r'<a [^>]*href="([^"]+)"', html) + re.findall(r'<form [^>]*action="([^"]+)"', html)
    return {unescape(href).split("#")[0] for href in found}


def test_the_clerks_today_page_shows_the_counts_but_links_only_to_what_a_clerk_may_open(
    rochester: Prison, busy: dict[str, Visit]
) -> None:
    clerk = staff_client(rochester, BOOKING_CLERK, "clerk")
    page = clerk.get("/staff/rochester/").content.decode()
    assert re.search(r"\d+ requests? waiting", page) and re.search(r"\d+ flagged visits?", page)
    assert "/staff/rochester/requests" not in links(page)
    assert "/staff/rochester/flagged" not in links(page)
    assert {"/staff/rochester/cancellations", "/staff/rochester/not-in-nomis"} <= links(page)

    team = staff_client(rochester, VISITS_TEAM, "team")
    page = team.get("/staff/rochester/").content.decode()
    assert {"/staff/rochester/requests", "/staff/rochester/flagged"} <= links(page)


@pytest.mark.parametrize("role", ROLES)
def test_no_staff_page_links_a_role_to_a_page_it_may_not_open(
    rochester: Prison, busy: dict[str, Visit], role: str
) -> None:
    """Every page the role may open, with every visit's page: each link and form on it (the navigation, the counts,
    the buttons) opens for the role, never "You do not have permission"."""
    client = staff_client(rochester, role, "someone")
    user = User.objects.get(username="someone")
    pages = {"/staff/rochester/"}
    for pattern in staff_patterns():
        if may_open(user, f"staff:{pattern.name}") and not pattern.pattern.converters.keys() - {"prison"}:
            pages.add(reverse(f"staff:{pattern.name}", kwargs={"prison": "rochester"}))
    for visit in busy.values():
        pages.add(f"/staff/rochester/visits/{visit.reference}")
    forbidden = []
    for page in sorted(pages):
        response = client.get(page)
        assert response.status_code in (200, 302), (page, response.status_code)
        for link in links(response.content.decode()):
            if link.startswith("/staff/rochester/") and client.get(link).status_code == 403:
                forbidden.append((page, link))
    assert not forbidden, forbidden


def test_may_open_asks_the_permission_the_view_declares(rochester: Prison) -> None:
    staff_client(rochester, BOOKING_CLERK, "clerk")
    staff_client(rochester, VISITS_ADMIN, "admin")
    clerk, admin = User.objects.get(username="clerk"), User.objects.get(username="admin")
    assert may_open(clerk, "staff:today") and may_open(clerk, "staff:book") and may_open(clerk, "staff:home")
    assert not may_open(clerk, "staff:requests") and not may_open(clerk, "staff:flagged")
    assert may_open(admin, "staff:requests") and may_open(admin, "staff:timetable")
    with pytest.raises(KeyError):
        may_open(admin, "staff:no-such-page")


def test_a_page_the_role_may_not_open_is_one_warning_line_without_a_traceback(
    rochester: Prison, caplog: pytest.LogCaptureFixture
) -> None:
    clerk = staff_client(rochester, BOOKING_CLERK, "clerk")
    with caplog.at_level(logging.DEBUG):
        response = clerk.get("/staff/rochester/requests")
    assert response.status_code == 403 and "You do not have permission" in response.content.decode()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged for an expected 403"
    forbidden = [r for r in caplog.records if r.name == "django.request"]
    assert len(forbidden) == 1 and forbidden[0].levelno in (logging.INFO, logging.WARNING), caplog.text
    assert forbidden[0].getMessage() == "Forbidden: /staff/rochester/requests"
