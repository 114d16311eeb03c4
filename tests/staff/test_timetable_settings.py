"""The timetable settings page: a visits admin sets, changes or clears the prison's visits mailbox, with a GOV.UK
error for an address that is not one; the Django admin edits it too."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from prisons.models import Prison
from staff.roles import VISITS_ADMIN, VISITS_TEAM
from tests.staff.test_console import staff_client

pytestmark = pytest.mark.django_db
HINT = "We&#39;ll email this address about each new request and each visitor&#39;s cancellation."


def test_a_visits_admin_sets_and_clears_the_mailbox(rochester: Prison) -> None:
    client = staff_client(rochester, VISITS_ADMIN)
    assert "Not set: no emails about requests and cancellations" in client.get("/staff/rochester/timetable").text
    page = client.get("/staff/rochester/timetable/settings").text
    assert "Visits mailbox (optional)" in page and HINT in page and "Leave empty to turn this off." in page

    response = client.post("/staff/rochester/timetable/settings", {"visits_mailbox": " visits@rochester.example "})
    assert response.status_code == 302 and response["Location"] == "/staff/rochester/timetable"
    rochester.refresh_from_db()
    assert rochester.visits_mailbox == "visits@rochester.example"
    timetable = client.get("/staff/rochester/timetable").text
    assert "Settings saved" in timetable and "visits@rochester.example" in timetable

    client.post("/staff/rochester/timetable/settings", {"visits_mailbox": ""})
    rochester.refresh_from_db()
    assert rochester.visits_mailbox == ""  # off again


def test_an_address_that_is_not_one_gets_a_govuk_error(rochester: Prison) -> None:
    client = staff_client(rochester, VISITS_ADMIN)
    response = client.post("/staff/rochester/timetable/settings", {"visits_mailbox": "visits at rochester"})
    assert response.status_code == 200
    page = response.text
    assert page.count("Enter an email address in the correct format, like name@example.com") == 2  # summary, field
    assert "<title>Error: Timetable settings" in page and 'href="#visits_mailbox"' in page
    rochester.refresh_from_db()
    assert rochester.visits_mailbox == ""


def test_only_a_visits_admin_changes_the_settings(rochester: Prison) -> None:
    client = staff_client(rochester, VISITS_TEAM, name="team")
    assert client.post("/staff/rochester/timetable/settings", {"visits_mailbox": "a@example.com"}).status_code == 403
    rochester.refresh_from_db()
    assert rochester.visits_mailbox == ""


def test_the_django_admin_edits_the_mailbox(rochester: Prison) -> None:
    client = Client()
    client.force_login(User.objects.create_superuser("root"), backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(f"/django-admin/prisons/prison/{rochester.pk}/change/").text
    assert 'name="visits_mailbox"' in page
