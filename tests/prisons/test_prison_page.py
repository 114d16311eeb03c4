"""The public prison page: contact details and the coming week's visiting times."""

from __future__ import annotations

from datetime import date, time

import pytest
import time_machine
from django.test import Client

from prisons.models import BlockedDate, Prison, SessionTemplate

pytestmark = pytest.mark.django_db


@time_machine.travel(date(2026, 11, 23), tick=False)  # a Monday
def test_prison_page_shows_the_coming_week(client: Client, django_assert_max_num_queries) -> None:
    prison = Prison.objects.create(
        slug="rochester",
        code="RCI",
        name="Rochester",
        enabled=True,
        address="1 Fort Road\nRochester",
        postcode="ME1 3QS",
        phone="0300 060 6513",
    )
    for weekday in range(7):
        SessionTemplate.objects.create(
            prison=prison, weekday=weekday, start_time=time(14), end_time=time(15, 45), valid_from=date(2026, 1, 1)
        )
    SessionTemplate.objects.create(
        prison=prison, weekday=5, start_time=time(9, 15), end_time=time(10, 45), valid_from=date(2026, 1, 1)
    )
    BlockedDate.objects.create(prison=prison, date=date(2026, 11, 25))
    with django_assert_max_num_queries(5):
        html = client.get("/prisons/rochester").content.decode()
    assert "1 Fort Road, Rochester, ME1 3QS" in html
    assert 'href="tel:03000606513"' in html
    assert "Monday 23 November 2026" in html and "Sunday 29 November 2026" in html
    assert "Monday 30 November 2026" not in html
    assert html.count("2pm to 3:45pm") == 6  # seven days less the blocked Wednesday
    assert "9:15am to 10:45am" in html
    assert "No visits" in html


def test_unknown_prison_is_not_found(client: Client) -> None:
    assert client.get("/prisons/nowhere").status_code == 404
