"""NOMIS sync and the lifecycle jobs, against the NOMIS stub with its fault injection."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from housekeeping.tasks import anonymise_old_visits, auto_reject_unanswered_requests
from nomis_sync.tasks import poll_nomis_events, push_unsynced_visits
from prisons.models import Prison, VisitSession
from prisons.nomis.interface import EventType, RestrictionType
from prisons.nomis.stub.models import RecordedVisit
from prisons.nomis.stub.seed import stub_seed
from prisons.nomis.stub.services import event_fire
from prisons.services import sessions_generate
from staff.selectors import visits_unsynced as visits_unsynced_for_staff
from tests.factories import details
from visits.lifecycle import visits_anonymise
from visits.models import OutboxMessage, ProcessedNomisEvent, Visit, VisitFlag, VisitState
from visits.rules import PartyMember
from visits.selectors import prisoner_context
from visits.services import ContactDetails, visit_book, visit_change, visit_request, visit_reserve

pytestmark = pytest.mark.django_db
SOPHIE = PartyMember("Sophie", "Walker", date(1990, 7, 3))
CONTACT = ContactDetails(email="sophie.walker@example.com", phone="+447700900456", wants_sms=True)


@pytest.fixture
def rochester(tmp_path, prison_data_dir) -> Prison:  # type: ignore[no-untyped-def]
    (tmp_path / "RCI-rochester.yml").write_text((prison_data_dir / "RCI-rochester.yml").read_text())
    call_command("import_prisons", str(tmp_path), stdout=StringIO())
    stub_seed(seed=1, per_prison=3, today=timezone.localdate())
    sessions_generate(today=timezone.localdate())
    return Prison.objects.get(slug="rochester")


def session_in(prison: Prison, days: int) -> VisitSession:
    return (
        VisitSession.objects.filter(prison=prison, date__gte=timezone.localdate() + timedelta(days=days), blocked=False)
        .order_by("date", "start_time")
        .first()
    )


def book(prison: Prison, number: str = "A1001AA", days: int = 6, capture=None, context=None) -> Visit:  # type: ignore[no-untyped-def]
    context = context or prisoner_context(
        number, first=timezone.localdate(), last=timezone.localdate() + timedelta(days=28)
    )
    with capture(execute=True):
        hold = visit_reserve(
            session=session_in(prison, days),
            prisoner=details(context.prisoner),
            party=[SOPHIE],
            closed=False,
            visitor_contact_ids=[100101],
        )
        return visit_book(visit=hold, contact=CONTACT)


def test_bookings_succeed_while_nomis_is_down_and_sync_once_it_is_back(
    rochester: Prison,
    settings,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    window = {"first": timezone.localdate(), "last": timezone.localdate() + timedelta(days=28)}
    facts = [prisoner_context("A1001AA", **window), prisoner_context("A1005AA", **window)]  # the journey's look-ups
    settings.NOMIS_STUB_DOWN = True  # then NOMIS goes down before the visitors confirm
    visits = [
        book(rochester, "A1001AA", 6, django_capture_on_commit_callbacks, facts[0]),
        book(rochester, "A1005AA", 8, django_capture_on_commit_callbacks, facts[1]),
    ]
    for visit in visits:
        visit.refresh_from_db()
        assert visit.state == VisitState.BOOKED and visit.nomis_sync_needed and visit.nomis_sync_attempts == 1
    assert RecordedVisit.objects.count() == 0
    assert [v.id for v in visits_unsynced_for_staff(prison=rochester)] == [v.id for v in visits]  # staff see them
    assert push_unsynced_visits() == 0  # still down: nothing pushed, nothing lost
    settings.NOMIS_STUB_DOWN = False
    assert push_unsynced_visits() == 2
    assert push_unsynced_visits() == 0  # none twice
    assert visits_unsynced_for_staff(prison=rochester) == []
    assert RecordedVisit.objects.count() == 2
    for visit in visits:
        visit.refresh_from_db()
        recorded = RecordedVisit.objects.get(pk=visit.nomis_visit_id)
        assert (recorded.prisoner_number, recorded.visitor_contact_ids) == (visit.prisoner_number, [100101])
        assert not visit.nomis_sync_needed


def test_a_change_moves_the_nomis_record_and_a_cancellation_cancels_it(
    rochester: Prison,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    from visits.services import Actor, visit_cancel

    visit = book(rochester, capture=django_capture_on_commit_callbacks)
    first_record = visit.nomis_visit_id if visit.nomis_visit_id else Visit.objects.get(pk=visit.pk).nomis_visit_id
    with django_capture_on_commit_callbacks(execute=True):
        visit_change(visit=visit, session=session_in(rochester, 10), actor=Actor.visitor())
    visit.refresh_from_db()
    assert RecordedVisit.objects.get(pk=first_record).status == "cancelled"
    assert RecordedVisit.objects.get(pk=visit.nomis_visit_id).status == "booked"
    with django_capture_on_commit_callbacks(execute=True):
        visit_cancel(visit=visit, reason="Ill", actor=Actor.visitor())
    assert RecordedVisit.objects.get(pk=visit.nomis_visit_id).status == "cancelled"
    assert RecordedVisit.objects.count() == 2


def test_events_are_followed_to_flags_cancellations_and_messages(
    rochester: Prison,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    released = book(rochester, "A1001AA", 6, django_capture_on_commit_callbacks)
    moved = book(rochester, "A1005AA", 7, django_capture_on_commit_callbacks)
    restricted = book(rochester, "A1009AA", 9, django_capture_on_commit_callbacks)
    event_fire(event_type=EventType.RELEASED, prisoner_number="A1001AA")
    event_fire(event_type=EventType.MOVED, prisoner_number="A1005AA", to_prison="CFI")
    event_fire(event_type=EventType.RESTRICTION_ADDED, prisoner_number="A1009AA", restriction=RestrictionType.CLOSED)
    with django_capture_on_commit_callbacks(execute=True):
        assert poll_nomis_events() >= 3
    released.refresh_from_db()
    assert released.state == VisitState.CANCELLED
    assert OutboxMessage.objects.filter(visit=released, kind="cancelled_by_prison").count() == 2  # email and SMS
    assert VisitFlag.objects.get(visit=moved).reason == "prisoner_moved"
    assert VisitFlag.objects.get(visit=restricted).reason == "restriction"


def test_replayed_events_are_acted_on_once(rochester: Prison, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    from visits.models import NomisEventCursor

    visit = book(rochester, "A1005AA", 7, django_capture_on_commit_callbacks)
    event_fire(event_type=EventType.MOVED, prisoner_number="A1005AA", to_prison="CFI")
    poll_nomis_events()
    VisitFlag.objects.all().update(cleared_at=timezone.now())  # staff kept the visit
    NomisEventCursor.objects.all().update(cursor="")  # the feed is replayed from the start
    assert poll_nomis_events() == 0
    assert VisitFlag.objects.filter(visit=visit).count() == 1
    assert ProcessedNomisEvent.objects.count() == 1


def test_unanswered_requests_are_rejected_at_the_notice_edge(
    rochester: Prison,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    context = prisoner_context("A1001AA", first=timezone.localdate(), last=timezone.localdate() + timedelta(days=28))
    hold = visit_reserve(
        session=session_in(rochester, 6), prisoner=details(context.prisoner), party=[SOPHIE], closed=False
    )
    request = visit_request(visit=hold, contact=CONTACT)
    assert auto_reject_unanswered_requests() == 0  # still time for staff
    later = datetime.combine(request.session.date - timedelta(days=1), datetime.min.time()).replace(hour=8)
    with time_machine.travel(timezone.make_aware(later), tick=False):
        assert auto_reject_unanswered_requests() == 1
    request.refresh_from_db()
    assert request.state == VisitState.REJECTED
    assert OutboxMessage.objects.filter(visit=request, kind="rejected").exists()


def all_text_in_our_tables() -> str:
    """Every value of every table of ours (NOMIS's stub tables are NOMIS's data, not the service's)."""
    chunks = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            if model._meta.app_label == "nomis_stub" or model._meta.proxy:
                continue
            cursor.execute(f'SELECT * FROM "{model._meta.db_table}"')
            chunks.extend(" | ".join(str(value) for value in row) for row in cursor.fetchall())
    return "\n".join(chunks)


def test_personal_data_is_gone_after_the_retention_period_and_the_counts_remain(
    rochester: Prison,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    visit = book(rochester, "A1001AA", 6, django_capture_on_commit_callbacks)
    VisitFlag.objects.create(visit=visit, reason="restriction", detail="Sophie Walker is now banned")
    personal = [
        "Sophie",
        "Walker",
        "1990-07-03",
        "sophie.walker@example.com",
        "+447700900456",
        "A1001AA",
        "Ryan",
        "1988-04-12",
    ]
    assert all(value in all_text_in_our_tables() for value in personal)
    with time_machine.travel(timezone.now() + timedelta(days=31 * 7), tick=False):
        assert anonymise_old_visits() == 1
        assert visits_anonymise() == 0  # nothing left to do; safe to run twice
    text = all_text_in_our_tables()
    assert [value for value in personal if value in text] == []
    visit.refresh_from_db()
    assert (visit.state, visit.prison_id, visit.channel) == (VisitState.BOOKED, rochester.id, "online")
    assert Visit.objects.count() == 1 and visit.visitors.count() == 1 and visit.events.count() >= 2
