"""The benchmarks' history loader writes rows the models accept (it inserts with SQL of its own, so a new column
without a default would break `make bench` without this)."""

from __future__ import annotations

from datetime import date, datetime

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
