"""In the Django admin, a blocked date that has date-specific sessions, and a date blocked twice, are configuration
errors with a clear message (issue 15, item 10)."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.contrib.auth.models import User
from django.test import Client

from prisons.models import BlockedDate, DateSpecificSession
from tests.factories import make_prison

pytestmark = pytest.mark.django_db
DAY = date(2026, 12, 26)


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root"), backend="django.contrib.auth.backends.ModelBackend")
    return client


def add_block(client: Client, prison_id: int, start: str = "") -> str:
    data = {"prison": prison_id, "date": DAY.isoformat(), "start_time": start, "reason": "Staff training"}
    return client.post("/django-admin/prisons/blockeddate/add/", data).content.decode()


def test_a_date_blocked_twice_is_refused_with_a_clear_message(admin_client: Client) -> None:
    prison = make_prison()
    BlockedDate.objects.create(prison=prison, date=DAY)
    page = add_block(admin_client, prison.id)
    assert "This date is already blocked at this prison" in page
    assert BlockedDate.objects.count() == 1


def test_a_date_with_date_specific_sessions_cannot_be_blocked(admin_client: Client) -> None:
    prison = make_prison()
    DateSpecificSession.objects.create(prison=prison, date=DAY, start_time=time(14), end_time=time(16))
    page = add_block(admin_client, prison.id)
    assert "This date has date-specific sessions: change or delete those instead of blocking it" in page
    assert not BlockedDate.objects.exists()


def test_a_blocked_date_cannot_be_given_a_date_specific_session(admin_client: Client) -> None:
    prison = make_prison()
    BlockedDate.objects.create(prison=prison, date=DAY)
    data = {
        "prison": prison.id,
        "date": DAY.isoformat(),
        "start_time": "14:00",
        "end_time": "16:00",
        "open_capacity": 20,
        "closed_capacity": 2,
    }
    page = admin_client.post("/django-admin/prisons/datespecificsession/add/", data).content.decode()
    assert "This date is blocked: unblock it first to give it a date-specific session" in page
    assert not DateSpecificSession.objects.exists()
