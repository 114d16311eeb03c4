"""The benchmarks' history loader writes rows the models accept (it inserts with SQL of its own, so a new column
without a default would break `make bench` without this)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from benchmarks import history
from prisons.models import VisitSession
from tests.factories import make_prison
from visits.models import Visit

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)


def test_past_sessions_and_visits_load_as_model_rows() -> None:
    make_prison()
    now = datetime(2026, 11, 23, 9, tzinfo=timezone.get_current_timezone())
    sessions = history.past_sessions_create(today=TODAY, days=14)
    visits = history.past_visits_create(count=50, today=TODAY, now=now)
    assert sessions == VisitSession.objects.count() > 0 and visits == 50
    loaded = list(Visit.objects.all())  # every column read back through the model
    assert len(loaded) == 50 and all(v.session.date < TODAY and v.nomis_key == "" for v in loaded)
    history.visits_delete()
    assert not Visit.objects.exists()


def test_future_visits_take_a_share_of_each_session_and_some_are_live_holds() -> None:
    prison = make_prison()
    other = make_prison(slug="other", code="OTH")
    now = datetime(2026, 11, 23, 9, tzinfo=timezone.get_current_timezone())
    for target in (prison, other):
        for offset in range(1, 5):
            VisitSession.objects.create(
                prison=target,
                date=date(2026, 11, 23 + offset),
                start_time=time(14),
                end_time=time(16),
                open_capacity=20,
                closed_capacity=2,
            )
    made = history.future_visits_create(
        today=TODAY, now=now, booked_percent=40, hold_every=3, exclude_prison_ids=(other.pk,)
    )
    visits = list(Visit.objects.all())
    assert made == len(visits) > 0 and all(v.prison_id == prison.pk and not v.closed for v in visits)
    assert {v.state for v in visits} == {"booked", "reserved"}
    assert all(v.hold_expires_at == now + timedelta(minutes=120) for v in visits if v.state == "reserved")
    for session in VisitSession.objects.filter(prison=prison):
        assert 7 <= session.visits.count() <= 9  # 40% of 20, give or take one
    assert len({v.prisoner_number for v in visits}) == len(visits)
