"""A visitor's cancellation is shown in the staff console, on Today and in a list, until staff mark it as seen
(issue 15, item 4): NOMIS may still hold the visit if the cancellation has not reached it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from accounts.management.commands.sync_roles import sync_roles
from accounts.roles import VISITS_TEAM
from prisons.models import Prison
from tests.journey.journey_support import book_visit, manage_path
from tests.staff.test_console import staff_client
from visits.models import EventType
from visits.services import Actor, visit_cancel

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rochester_at_nine")]


def team() -> Client:
    sync_roles()
    return staff_client(Prison.objects.get(slug="rochester"), VISITS_TEAM, "team")


def test_a_visitors_cancellation_stays_in_the_console_until_seen(client: Client) -> None:
    cancelled = book_visit(client)
    client.post(manage_path(cancelled, "/cancel"), {"reason": "other"})
    by_prison = book_visit(Client())
    visit_cancel(visit=by_prison, reason="Lockdown", actor=Actor(user=User.objects.create_user("robin")))
    staff = team()
    assert "1 visit cancelled by its visitor" in staff.get("/staff/rochester/").content.decode()
    listing = staff.get("/staff/rochester/cancellations").content.decode()
    assert cancelled.reference in listing and by_prison.reference not in listing
    seen = staff.post(f"/staff/rochester/cancellations/{cancelled.reference}/seen")
    assert seen.status_code == 302 and seen["Location"] == "/staff/rochester/cancellations"
    after = staff.get("/staff/rochester/cancellations").content.decode()
    assert f"Marked as seen: {cancelled.reference}" in after and "No cancellations to see." in after
    assert "0 visits cancelled by their visitors" in staff.get("/staff/rochester/").content.decode()
    cancelled.refresh_from_db()
    assert cancelled.cancellation_seen_at is not None
    assert cancelled.events.filter(type=EventType.CANCELLATION_SEEN).count() == 1
