"""Hostile input in addresses and forms gets a 404 or a GOV.UK error, never a server error (issue 13, item 6):
NUL bytes in a staff URL's reference and in search terms, dates at the ends of the calendar, and names and
reasons with control characters or bidirectional overrides. Run on PostgreSQL too, which refuses NUL in text."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.test import Client, RequestFactory
from django.utils import timezone

from accounts.roles import VISITS_ADMIN, VISITS_TEAM
from prisons.models import Prison, VisitSession
from tests.factories import MARY, details, make_prisoner
from tests.journey.journey_support import read_page
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


# --- Issue 31, item 5: the causes of the server errors a crawl found ------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "error", "href"),
    [
        ({"reason": "", "visits": "flag"}, "Enter a reason", "#reason"),
        ({"reason": "Training", "visits": ""}, "Select what should happen to visits already booked", "#visits"),
        ({"reason": "Training", "visits": "flag", "start_time": "25:99"}, None, "#start_time"),
    ],
)
def test_block_dates_with_a_valid_date_and_another_answer_wrong_shows_the_error(
    rochester: Prison, answers: dict[str, str], error: str | None, href: str
) -> None:
    """The error summary looked for the date's first box in error, and the date had none: an IndexError, 74 of the
    127 server errors of the crawl."""
    client = staff_client(rochester, VISITS_TEAM)
    day = timezone.localdate() + timedelta(days=10)
    data = {"date-day": day.day, "date-month": day.month, "date-year": day.year, **answers}
    response = client.post("/staff/rochester/blocks", data)
    assert response.status_code in (200, 400)
    page = read_page(response.content.decode())
    assert page.title.startswith("Error: ") and [h for h, _ in page.summary] == [href], page.summary
    assert error is None or (href, error) in page.summary


@pytest.mark.parametrize("username", ["\x00", "mary\x00", "x" * 100_000])
@pytest.mark.parametrize("path", ["/staff/sign-in", "/django-admin/login/"])
def test_a_username_with_a_nul_byte_or_too_long_is_refused_on_either_sign_in(path: str, username: str) -> None:
    """On PostgreSQL a NUL byte reached the database (the sign-in's lock, django-axes's failure count) and failed
    there; the Django admin's form does not check the length, and axes keeps 255 characters."""
    response = Client().post(path, {"username": username, "password": "a-long-test-password"})
    assert response.status_code == 200
    assert not User.objects.filter(username__startswith="mary").exists()


def test_django_axes_is_never_given_a_nul_byte_or_an_overlong_username(rf: RequestFactory) -> None:
    """The general guard (AXES_USERNAME_CALLABLE): whatever form calls authenticate(), axes counts the failure
    against a username the database takes."""
    for username in ("a\x00b", "y" * 1000):
        request = rf.post("/staff/sign-in", {"username": username, "password": "x"})
        assert authenticate(request, username=username, password="wrong password") is None
    attempts = {a.username for a in AccessAttempt.objects.all()}
    assert attempts == {"a\ufffdb", "y" * 255}


@pytest.mark.parametrize("weeks", ["²", "٣", "-1", "99999999999999999999", "9" * 10_000, "", "4.0"])
def test_the_figures_page_ignores_a_period_that_is_not_one_of_its_own(rochester: Prison, weeks: str) -> None:
    client = staff_client(rochester, VISITS_TEAM)
    response = client.get("/staff/rochester/performance", {"weeks": weeks})
    assert response.status_code == 200
    assert 'value="4" checked' in response.content.decode()


@pytest.mark.parametrize("resume", ["²", "٣", "-1", "99999999999999999999", "", "x"])
def test_resuming_a_pause_that_is_not_a_number_is_not_found(rochester: Prison, resume: str) -> None:
    client = staff_client(rochester, VISITS_ADMIN)
    response = client.post("/staff/rochester/pause-booking", {"resume": resume})
    assert response.status_code == 404 and "Page not found" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "date__year=9999",
        "date__year=99999999999",
        "date__year=2026&date__month=12&date__day=99999999999",
        "date__year=9999&date__month=12&date__day=31",
        "date__year=2026&date__month=13",
        "date__year=²",
        "date__iso_year=99999999999",
        "date__year__gt=99999999999",
        "date__year__in=2026,99999999999",
    ],
)
@pytest.mark.parametrize("model", ["blockeddate", "visitsession", "datespecificsession"])
def test_django_admin_date_filters_with_a_year_no_date_has_are_not_found(
    rochester: Prison, model: str, query: str
) -> None:
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="a-long-test-password"))
    response = client.get(f"/django-admin/prisons/{model}/?{query}")
    assert response.status_code == 404 and "Page not found" in response.content.decode()


@pytest.mark.parametrize(
    "query", ["", "date__year=2026", "date__year=2026&date__month=12&date__day=24", "date__year=1"]
)
def test_django_admin_date_filters_within_the_calendar_still_work(rochester: Prison, query: str) -> None:
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="a-long-test-password"))
    assert client.get(f"/django-admin/prisons/blockeddate/?{query}").status_code == 200
    assert client.get(f"/django-admin/prisons/sessiontemplate/?valid_from__{query or 'isnull=True'}").status_code in (
        200,
        302,  # a lookup the admin refuses itself: it redirects with ?e=1
    )
