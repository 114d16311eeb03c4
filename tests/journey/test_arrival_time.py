"""How long before a visit to arrive is one value, the prison's own, on the confirmation page and in every message
that says it (issue 15, item 18)."""

from __future__ import annotations

import pytest
from django.test import Client

from notifications.gateway import render
from prisons.models import Prison
from tests.journey.journey_support import book_visit
from visits.models import OutboxMessage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rochester_at_nine")]


def test_the_page_and_the_email_say_the_same_arrival_time(client: Client) -> None:
    Prison.objects.filter(slug="rochester").update(arrive_minutes_before=40)
    visit = book_visit(client)
    page = client.get("/confirmation").content.decode()
    assert "Arrive at least 40 minutes before the visit starts." in page
    email = OutboxMessage.objects.get(visit=visit, kind="booked", channel="email")
    _subject, body = render("booked.email.en", email.personalisation)
    assert "Arrive at least 40 minutes before the visit starts." in body
    assert "45" not in body.split("Arrive at least", 1)[1][:12] and "30 minutes" not in body
