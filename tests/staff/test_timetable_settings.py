"""The timetable settings page: a visits admin sets, changes or clears the prison's visits mailbox, with a GOV.UK
error for an address that is not one; the Django admin edits it too."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from accounts.roles import VISITS_ADMIN, VISITS_TEAM
from prisons.models import Prison
from tests.prisons.test_prison_identity import change_form
from tests.staff.test_console import staff_client
from visits.models import FakeNotifyMessage, OutboxMessage

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


def test_a_changed_mailbox_records_who_and_when_and_tells_the_old_address(
    rochester: Prison, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    """Issue 26, item 6: who changed the mailbox and when is recorded and shown, and the old address is told."""
    client = staff_client(rochester, VISITS_ADMIN, name="visits-admin")
    assert "Never changed" in client.get("/staff/rochester/timetable").text
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/staff/rochester/timetable/settings", {"visits_mailbox": "visits@rochester.example"})
    assert not OutboxMessage.objects.exists()  # no old address to tell
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/staff/rochester/timetable/settings", {"visits_mailbox": "someone@else.example"})
    rochester.refresh_from_db()
    assert rochester.visits_mailbox_changed_by.username == "visits-admin"  # type: ignore[union-attr]
    assert timezone.now() - rochester.visits_mailbox_changed_at < timedelta(minutes=1)  # type: ignore[operator]
    timetable = client.get("/staff/rochester/timetable").text
    assert "Mailbox last changed" in timetable and "visits-admin, " in timetable
    told = OutboxMessage.objects.get()
    assert (told.kind, told.recipient, told.prison_id) == (
        "prison_mailbox_changed",
        "visits@rochester.example",
        rochester.pk,
    )
    sent = FakeNotifyMessage.objects.get(template_name="prison_mailbox_changed.email.en")
    assert sent.recipient == "visits@rochester.example"
    assert "New visits mailbox: someone@else.example" in sent.body and "Changed by: visits-admin" in sent.body
    # Saving it unchanged records nothing and tells nobody.
    client.post("/staff/rochester/timetable/settings", {"visits_mailbox": "someone@else.example"})
    assert OutboxMessage.objects.count() == 1


def test_a_mailbox_changed_in_the_django_admin_is_recorded_and_told_too(
    rochester: Prison, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    Prison.objects.filter(pk=rochester.pk).update(visits_mailbox="visits@rochester.example")
    root = User.objects.create_superuser("root")
    client = Client()
    client.force_login(root, backend="django.contrib.auth.backends.ModelBackend")
    data = change_form(Prison.objects.get(pk=rochester.pk), visits_mailbox="")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/django-admin/prisons/prison/{rochester.pk}/change/", data)
    assert response.status_code == 302
    rochester.refresh_from_db()
    assert rochester.visits_mailbox == "" and rochester.visits_mailbox_changed_by == root
    told = OutboxMessage.objects.get(kind="prison_mailbox_changed")
    assert told.recipient == "visits@rochester.example"
    assert told.personalisation["new_mailbox"] == "none (no more emails)"
