"""Hostile input in addresses and forms gets a 404 or a GOV.UK error, never a server error (issue 13, item 6):
NUL bytes in a staff URL's reference and in search terms, dates at the ends of the calendar, and names and
reasons with control characters or bidirectional overrides. Run on PostgreSQL too, which refuses NUL in text."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from prisons.models import Prison, VisitSession
from staff.roles import VISITS_TEAM
from tests.factories import MARY, details, make_prisoner
from tests.staff.test_console import staff_client
from visits.models import Visit
from visits.services import ContactDetails, visit_book, visit_reserve

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(rochester: Prison) -> Visit:
    session = VisitSession.objects.filter(prison=rochester, date__gte=timezone.localdate() + timedelta(days=6)).first()
    hold = visit_reserve(session=session, prisoner=details(make_prisoner("A1001AA")), party=[MARY], closed=False)
    return visit_book(visit=hold, contact=ContactDetails(email="mary@example.com"))


@pytest.mark.parametrize(
    "url",
    [
        "/staff/rochester/visits/bc%00df",
        "/staff/rochester/visits/bc-df%00/cancel",
        "/staff/rochester/requests/bc%00",
        "/staff/rochester/search?q=Walker%00",
        "/staff/rochester/search?q=%00",
        "/staff/rochester/visits?date=2026-12-01%00",
        "/prisons/roch%00ester",
        "/visit/abc%00def",
        "/choose-time?weekdays=%01",
    ],
)
def test_control_characters_in_an_address_are_not_found(rochester: Prison, url: str) -> None:
    client = staff_client(rochester, VISITS_TEAM)
    response = client.get(url)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1999-12-31", "2100-01-01"])
@pytest.mark.parametrize("page", ["visits", "sheet", "sheet?format=csv&x=1"])
def test_dates_at_the_ends_of_the_calendar_are_not_found(rochester: Prison, day: str, page: str) -> None:
    client = staff_client(rochester, VISITS_TEAM)
    joiner = "&" if "?" in page else "?"
    assert client.get(f"/staff/rochester/{page}{joiner}date={day}").status_code == 404


def test_a_reason_with_a_bidirectional_override_gets_a_govuk_error(rochester: Prison, booked: Visit) -> None:
    client = staff_client(rochester, VISITS_TEAM)
    url = f"/staff/rochester/visits/{booked.reference}/cancel"
    response = client.post(url, {"reason": "Prisoner \u202eelbanavailnu"})
    assert response.status_code in (200, 400)
    page = response.content.decode()
    assert "There is a problem" in page and "must not include hidden characters" in page
    booked.refresh_from_db()
    assert booked.state == "booked"


def test_search_still_finds_a_visit_by_its_reference(rochester: Prison, booked: Visit) -> None:
    client = staff_client(rochester, VISITS_TEAM)
    assert booked.reference in client.get(f"/staff/rochester/search?q={booked.reference}").content.decode()


def test_search_finds_a_reference_typed_without_dashes_in_capitals_or_with_spaces(
    rochester: Prison, booked: Visit
) -> None:
    client = staff_client(rochester, VISITS_TEAM)
    letters = booked.reference.replace("-", "")
    spaced = " ".join(booked.reference.split("-"))
    for typed in (letters.upper(), spaced, f"  {booked.reference.upper()} ", letters):
        page = client.get("/staff/rochester/search", {"q": typed}).content.decode()
        assert f"/staff/rochester/visits/{booked.reference}" in page, typed


@pytest.mark.parametrize("fmt", ["", "&format=csv"])
def test_the_visit_sheet_refuses_a_date_past_the_retention_period(rochester: Prison, fmt: str) -> None:
    client = staff_client(rochester, VISITS_TEAM)
    old = (timezone.localdate() - timedelta(days=31 * 7)).isoformat()
    response = client.get(f"/staff/rochester/sheet?date={old}{fmt}")
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and "The date must be within the last 6 months" in page
    recent = (timezone.localdate() - timedelta(days=31 * 5)).isoformat()
    assert client.get(f"/staff/rochester/sheet?date={recent}").status_code == 200
