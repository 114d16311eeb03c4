"""The availability selector: every session of the window, bookable or not and why, in a fixed number of queries."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from prisons.nomis.interface import LegalStatus, Unavailability, UnavailableReason
from tests.factories import MARY, details, make_context, make_prison, make_prisoner, make_session
from visits.models import Visit, VisitState
from visits.selectors import Unbookable, sessions_available
from visits.services import ContactDetails, visit_book, visit_reserve

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(datetime(2026, 11, 23, 10, 0))
FIRST, LAST = date(2026, 11, 27), date(2026, 12, 21)


@pytest.fixture
def prison():  # type: ignore[no-untyped-def]
    prison = make_prison()
    day = FIRST
    while day <= LAST:
        make_session(prison, day, time(9, 30))
        make_session(prison, day, time(14))
        day += timedelta(days=1)
    return prison


def book(session, number: str) -> Visit:  # type: ignore[no-untyped-def]
    visit = visit_reserve(session=session, prisoner=details(make_prisoner(number)), party=[MARY], closed=False, now=NOW)
    return visit_book(visit=visit, contact=ContactDetails(email="a@example.com"), now=NOW)


def availability(prison, context=None, **kwargs):  # type: ignore[no-untyped-def]
    return sessions_available(
        prison=prison,
        prisoner=context or make_context(),
        closed=kwargs.pop("closed", False),
        from_date=FIRST,
        to_date=LAST,
        now=NOW,
        **kwargs,
    )


def test_every_session_of_the_window_in_four_queries(prison, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    context = make_context(non_associations=("B2222BB",))
    with django_assert_num_queries(4):
        result = availability(prison, context)
    assert len(result) == 2 * 25
    assert all(a.bookable and a.places_left == 20 for a in result)


def test_query_count_does_not_grow_with_history(prison, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    for n, session in enumerate(prison.visit_sessions.all()[:30]):
        book(session, f"C{n:04d}CC")
    with django_assert_num_queries(3):  # no non-associations: one query fewer
        availability(prison)


def test_reasons_a_session_cannot_be_booked(prison) -> None:  # type: ignore[no-untyped-def]
    sessions = list(prison.visit_sessions.order_by("date", "start_time"))
    s = {(x.date, x.start_time): x for x in sessions}
    full = s[(date(2026, 12, 1), time(14))]
    full.open_capacity = 1
    full.save()
    book(full, "C0001CC")
    blocked = s[(date(2026, 12, 2), time(14))]
    blocked.blocked = True
    blocked.save()
    limited = s[(date(2026, 12, 3), time(14))]
    limited.locations = ["B"]
    limited.save()
    book(s[(date(2026, 12, 4), time(9, 30))], "A1234BC")  # the prisoner's own visit
    book(s[(date(2026, 12, 5), time(9, 30))], "B2222BB")  # a non-associated prisoner's visit that day
    context = make_context(
        non_associations=("B2222BB",), unavailable=(Unavailability(date(2026, 12, 7), UnavailableReason.COURT),)
    )
    why = {(a.session.date, a.session.start_time): a.unbookable for a in availability(prison, context)}
    assert why[(date(2026, 12, 1), time(14))] == Unbookable.FULL
    assert why[(date(2026, 12, 2), time(14))] == Unbookable.BLOCKED
    assert why[(date(2026, 12, 3), time(14))] == Unbookable.NOT_ELIGIBLE
    assert why[(date(2026, 12, 4), time(9, 30))] == Unbookable.ALREADY_BOOKED
    assert why[(date(2026, 12, 5), time(14))] == Unbookable.NON_ASSOCIATION  # the whole day
    assert why[(date(2026, 12, 7), time(9, 30))] == Unbookable.PRISONER_UNAVAILABLE
    assert why[(date(2026, 12, 8), time(9, 30))] is None


def test_closed_visits_count_closed_places(prison) -> None:  # type: ignore[no-untyped-def]
    result = availability(prison, closed=True)
    assert {a.places_left for a in result} == {2}


def test_expired_holds_do_not_count(prison) -> None:  # type: ignore[no-untyped-def]
    session = prison.visit_sessions.first()
    visit_reserve(
        session=session,
        prisoner=details(make_prisoner("C0001CC")),
        party=[MARY],
        closed=False,
        now=NOW - timedelta(minutes=11),
    )
    first = next(a for a in availability(prison) if a.session.id == session.id)
    assert first.places_left == 20


@pytest.mark.parametrize("shared", [False, True], ids=["read afresh", "shared read"])
def test_remand_weekly_limit_and_no_allowance(prison, settings, shared) -> None:  # type: ignore[no-untyped-def]
    settings.SHARED_READS_SECONDS = 5
    remand = make_context(make_prisoner(legal_status=LegalStatus.REMAND), remand_per_week=1)
    book(prison.visit_sessions.get(date=date(2026, 11, 30), start_time=time(14)), "A1234BC")  # Monday
    why = {(a.session.date, a.session.start_time): a.unbookable for a in availability(prison, remand, shared=shared)}
    assert why[(date(2026, 12, 2), time(9, 30))] == Unbookable.WEEKLY_LIMIT  # same week
    assert why[(date(2026, 12, 7), time(9, 30))] is None  # next week
    no_allowance = availability(prison, make_context(vos=0), shared=shared)
    assert {a.unbookable for a in no_allowance} == {Unbookable.NO_ALLOWANCE}


@pytest.mark.parametrize("shared", [False, True], ids=["read afresh", "shared read"])
def test_the_weekly_limit_counts_the_days_of_the_first_and_last_weeks_outside_the_window(  # type: ignore[no-untyped-def]
    prison, settings, shared
) -> None:
    settings.SHARED_READS_SECONDS = 5
    remand = make_context(make_prisoner(legal_status=LegalStatus.REMAND), remand_per_week=1)
    book(make_session(prison, FIRST - timedelta(days=2), time(9, 30)), "A1234BC")  # the Wednesday before the window
    book(make_session(prison, LAST + timedelta(days=2), time(9, 30)), "A1234BC")  # the Wednesday after it
    why = {a.session.date: a.unbookable for a in availability(prison, remand, shared=shared)}
    assert min(why) == FIRST and max(why) == LAST  # the window's sessions only
    assert why[FIRST] == why[LAST] == Unbookable.WEEKLY_LIMIT  # Friday 27 November, Monday 21 December
    assert why[FIRST + timedelta(days=3)] is None  # the Monday after the first week


def test_a_kept_window_answers_the_non_associations_and_the_weekly_limit_without_a_query(  # type: ignore[no-untyped-def]
    prison, settings, django_assert_num_queries
) -> None:
    settings.SHARED_READS_SECONDS = 5
    book(prison.visit_sessions.get(date=date(2026, 12, 2), start_time=time(14)), "B2222BB")
    availability(prison, shared=True)  # the first visitor reads the window and keeps it
    remand = make_context(
        make_prisoner(legal_status=LegalStatus.REMAND), remand_per_week=3, non_associations=("B2222BB",)
    )
    with django_assert_num_queries(0):
        why = {a.session.date: a.unbookable for a in availability(prison, remand, shared=True)}
    assert why[date(2026, 12, 2)] == Unbookable.NON_ASSOCIATION and why[date(2026, 12, 3)] is None


def test_cancelled_and_past_visits_free_their_place(prison) -> None:  # type: ignore[no-untyped-def]
    session = prison.visit_sessions.first()
    visit = book(session, "C0001CC")
    Visit.objects.filter(id=visit.id).update(state=VisitState.CANCELLED)
    assert next(a for a in availability(prison) if a.session.id == session.id).places_left == 20
