"""Generating visit sessions from timetables: idempotent, regenerated on change, never dropping booked ones."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from prisons.models import BlockedDate, DateSpecificSession, Prison, SessionTemplate, VisitSession
from prisons.services import sessions_generate

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)  # a Monday


@pytest.fixture
def prison() -> Prison:
    prison = Prison.objects.create(slug="rochester", code="RCI", name="Rochester", enabled=True)
    for weekday in range(7):
        SessionTemplate.objects.create(
            prison=prison, weekday=weekday, start_time=time(14), end_time=time(15, 45), valid_from=date(2026, 1, 5)
        )
    SessionTemplate.objects.create(
        prison=prison,
        weekday=5,
        start_time=time(9, 15),
        end_time=time(10, 45),
        valid_from=date(2026, 1, 5),
        every_n_weeks=2,
    )
    return prison


def sessions(prison: Prison) -> list[tuple[date, time]]:
    return list(VisitSession.objects.filter(prison=prison).values_list("date", "start_time"))


def book_into(session: VisitSession) -> None:
    from visits.models import Visit, VisitState

    Visit.objects.create(
        reference=f"aa-aa-aa-{session.id:02d}"[:11],
        prison=session.prison,
        session=session,
        state=VisitState.BOOKED,
        prisoner_number="A1234BC",
        prisoner_first_name="A",
        prisoner_last_name="B",
    )


def test_generates_29_days_with_fortnightly_saturdays(prison: Prison) -> None:
    result = sessions_generate(today=TODAY, prisons=[prison])
    got = sessions(prison)
    assert result.created == len(got) == 29 + 2  # every day at 2pm, and Saturday mornings on alternate weeks
    # Weeks count from the anchor (Monday 5 January 2026): 28 November is week 46, 5 December week 47.
    assert (date(2026, 11, 28), time(9, 15)) in got
    assert (date(2026, 12, 5), time(9, 15)) not in got
    assert (date(2026, 12, 12), time(9, 15)) in got
    assert max(d for d, _ in got) == TODAY + timedelta(days=28)


def test_generation_is_idempotent_in_a_fixed_number_of_queries(prison: Prison, django_assert_max_num_queries) -> None:
    sessions_generate(today=TODAY, prisons=[prison])
    before = list(VisitSession.objects.values_list("id", "date", "start_time"))
    with django_assert_max_num_queries(8):
        result = sessions_generate(today=TODAY, prisons=[prison])
    assert (result.created, result.updated, result.deleted) == (0, 0, 0)
    assert list(VisitSession.objects.values_list("id", "date", "start_time")) == before


def test_query_count_does_not_grow_with_the_number_of_prisons(django_assert_max_num_queries) -> None:
    prisons = []
    for n in range(12):
        p = Prison.objects.create(slug=f"p{n}", code=f"P{n:02d}"[:3], name=f"Prison {n}")
        SessionTemplate.objects.create(
            prison=p, weekday=n % 7, start_time=time(14), end_time=time(16), valid_from=TODAY
        )
        prisons.append(p)
    with django_assert_max_num_queries(12):
        result = sessions_generate(today=TODAY, prisons=prisons)
    assert result.created == VisitSession.objects.count() > 12


def test_blocks_and_date_specific_sessions(prison: Prison) -> None:
    BlockedDate.objects.create(prison=prison, date=date(2026, 11, 25))
    BlockedDate.objects.create(prison=prison, date=date(2026, 12, 12), start_time=time(9, 15))
    DateSpecificSession.objects.create(
        prison=prison, date=date(2026, 12, 14), start_time=time(10), end_time=time(11, 30)
    )
    sessions_generate(today=TODAY, prisons=[prison])
    by_key = {(s.date, s.start_time): s for s in VisitSession.objects.filter(prison=prison)}
    assert by_key[(date(2026, 11, 25), time(14))].blocked
    assert by_key[(date(2026, 12, 12), time(9, 15))].blocked and not by_key[(date(2026, 12, 12), time(14))].blocked
    assert (date(2026, 12, 14), time(14)) not in by_key
    assert by_key[(date(2026, 12, 14), time(10))].template_id is None


def test_a_change_updates_sessions_in_place(prison: Prison) -> None:
    sessions_generate(today=TODAY, prisons=[prison])
    monday = VisitSession.objects.get(prison=prison, date=date(2026, 11, 30))
    SessionTemplate.objects.filter(prison=prison, weekday=0).update(open_capacity=12, end_time=time(16))
    result = sessions_generate(today=TODAY, prisons=[prison])
    monday.refresh_from_db()
    assert (monday.open_capacity, monday.end_time, monday.needs_review) == (12, time(16), False)
    assert result.updated == 5  # the five Mondays in the window


def test_a_removed_session_without_visits_is_deleted_with_visits_is_kept_for_review(prison: Prison) -> None:
    sessions_generate(today=TODAY, prisons=[prison])
    tuesdays = VisitSession.objects.filter(prison=prison, date__week_day=3).order_by("date")  # Tuesday
    booked = tuesdays[1]
    book_into(booked)
    SessionTemplate.objects.filter(prison=prison, weekday=1).update(valid_to=TODAY)
    result = sessions_generate(today=TODAY, prisons=[prison])
    booked.refresh_from_db()
    assert booked.removed and booked.needs_review and not booked.bookable
    assert result.kept_for_review == [booked.id]
    # Every later Tuesday had no visits and is gone; the booked one stays.
    assert list(VisitSession.objects.filter(prison=prison, date__week_day=3).values_list("date", flat=True)) == [
        booked.date
    ]
    assert sessions_generate(today=TODAY, prisons=[prison]).kept_for_review == []  # not flagged twice


def test_blocking_a_session_with_visits_marks_it_for_review(prison: Prison) -> None:
    sessions_generate(today=TODAY, prisons=[prison])
    session = VisitSession.objects.get(prison=prison, date=date(2026, 12, 1))
    book_into(session)
    BlockedDate.objects.create(prison=prison, date=date(2026, 12, 1))
    result = sessions_generate(today=TODAY, prisons=[prison])
    session.refresh_from_db()
    assert session.blocked and session.needs_review and result.kept_for_review == [session.id]


def test_past_sessions_are_never_touched(prison: Prison) -> None:
    sessions_generate(today=TODAY, prisons=[prison])
    SessionTemplate.objects.filter(prison=prison).delete()
    sessions_generate(today=TODAY + timedelta(days=3), prisons=[prison])
    assert sorted({d for d, _ in sessions(prison)}) == [TODAY, TODAY + timedelta(days=1), TODAY + timedelta(days=2)]


def test_the_beat_task_generates_for_every_prison(prison: Prison) -> None:
    from housekeeping.tasks import generate_sessions_for_all_prisons

    outcome = generate_sessions_for_all_prisons.delay().get()
    assert outcome["created"] == VisitSession.objects.count() > 0
