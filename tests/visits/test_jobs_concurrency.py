"""Two beat or worker processes running the same job at once: each event acted on once, each visit once."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from housekeeping.tasks import anonymise_old_visits
from nomis_sync.tasks import poll_nomis_events
from prisons.models import Prison
from prisons.nomis.interface import EventType
from prisons.nomis.stub.seed import stub_seed
from prisons.nomis.stub.services import event_fire
from prisons.services import sessions_generate
from tests.factories import details
from tests.nomis_sync.test_sync_and_lifecycle import SOPHIE, session_in
from tests.visits.test_concurrency import run_in_threads
from visits.models import ProcessedNomisEvent, Visit, VisitEvent, VisitFlag
from visits.selectors import prisoner_context
from visits.services import ContactDetails, visit_book, visit_reserve

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def rochester(tmp_path, prison_data_dir) -> Prison:  # type: ignore[no-untyped-def]
    (tmp_path / "RCI-rochester.yml").write_text((prison_data_dir / "RCI-rochester.yml").read_text())
    call_command("import_prisons", str(tmp_path), stdout=StringIO())
    stub_seed(seed=1, per_prison=3, today=timezone.localdate())
    sessions_generate(today=timezone.localdate())
    return Prison.objects.get(slug="rochester")


def book_each(prison: Prison, numbers: list[str]) -> list[Visit]:
    visits = []
    for n, number in enumerate(numbers):
        context = prisoner_context(number, first=timezone.localdate(), last=timezone.localdate() + timedelta(days=28))
        hold = visit_reserve(
            session=session_in(prison, 6 + n), prisoner=details(context.prisoner), party=[SOPHIE], closed=False
        )
        visits.append(visit_book(visit=hold, contact=ContactDetails(email="s@example.com")))
    return visits


def test_two_pollers_act_on_each_event_once(rochester: Prison) -> None:
    visits = book_each(rochester, ["A1001AA", "A1005AA", "A1009AA"])
    for visit in visits:
        event_fire(event_type=EventType.MOVED, prisoner_number=visit.prisoner_number, to_prison="CFI")
    results = run_in_threads(4, lambda n: poll_nomis_events())
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 3
    assert ProcessedNomisEvent.objects.count() == 3
    assert VisitFlag.objects.count() == 3


def test_two_anonymisers_each_take_different_visits(rochester: Prison) -> None:
    book_each(rochester, ["A1001AA", "A1005AA", "A1009AA"])
    with time_machine.travel(timezone.now() + timedelta(days=31 * 7), tick=False):
        results = run_in_threads(3, lambda n: anonymise_old_visits())
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 3
    assert not Visit.objects.filter(anonymised_at__isnull=True).exists()
    assert VisitEvent.objects.exclude(reason="").count() == 0
