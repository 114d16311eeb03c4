"""The weekly figures (performance.figures): correct on the seeded twelve weeks, in a fixed number of queries."""

from __future__ import annotations

from datetime import date

import pytest

from performance.figures import MINIMUM_VISITS, Period, complete_weeks, prisons_with_figures, weekly_figures
from tests.performance.conftest import (
    TODAY,
    WEEK_OF_2_NOVEMBER,
    WEEK_OF_9_NOVEMBER,
    Seeded,
    add_more_visits,
)

pytestmark = pytest.mark.django_db
PERIOD = Period(first=date(2026, 8, 31))
FIGURE_QUERIES = 5


@pytest.mark.parametrize(
    ("today", "first"),
    [
        (date(2026, 11, 23), date(2026, 8, 31)),  # a Monday: last week is complete
        (date(2026, 11, 22), date(2026, 8, 24)),  # a Sunday: this week is not over yet
        (date(2026, 11, 26), date(2026, 8, 31)),
    ],
)
def test_the_period_is_the_last_twelve_complete_weeks(today: date, first: date) -> None:
    period = complete_weeks(today)
    assert (period.first, period.weeks) == (first, 12)
    assert period.first.weekday() == 0 and period.last.weekday() == 6
    assert period.last < today and (today - period.last).days <= 7
    assert period.week_of(period.first) == 0 and period.week_of(period.last) == 11
    assert period.week_of(today) is None


def test_national_figures(twelve_weeks: Seeded, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    assert complete_weeks(TODAY) == PERIOD
    with django_assert_num_queries(FIGURE_QUERIES):
        figures = weekly_figures(period=PERIOD)
    assert [week.first for week in figures.weeks][WEEK_OF_2_NOVEMBER] == date(2026, 11, 2)
    week = figures.weeks[WEEK_OF_2_NOVEMBER]
    # Rochester's 9 + 2 online and 1 by phone, Cardiff's 2 online.
    assert week.made_by_channel == {"online": 13, "phone": 1, "email": 0, "in_person": 0, "prisoner": 0}
    assert (week.made, week.booked, week.requested, week.digital_share) == (14, 12, 2, 93)
    assert (week.started, week.completed, week.completion_share) == (25, 14, 56)
    assert (week.approved, week.approved_first_choice, week.first_choice, week.first_choice_share) == (1, 1, 13, 100)
    assert (week.answered, week.answered_in_time, week.answered_in_time_share) == (1, 1, 100)
    assert (week.cancelled_by_visitors, week.cancelled_by_prison) == (1, 1)
    later = figures.weeks[WEEK_OF_9_NOVEMBER]
    assert (later.made, later.approved, later.approved_first_choice, later.first_choice_share) == (0, 1, 0, 0)
    assert (later.answered, later.answered_in_time, later.answered_in_time_share) == (1, 0, 0)
    # The 10th at Rochester: 1 attended and 1 not of the bookings, the first request attended; the rest of its
    # bookings (8 - 2) and the second request unrecorded; Cardiff's 2 on the 11th unrecorded.
    assert (later.attended, later.no_shows, later.not_recorded, later.attendance_share) == (2, 1, 9, 67)
    total = figures.total
    assert (total.made, total.confirmed, total.first_choice_share) == (14, 14, 93)
    assert (total.answered, total.answered_in_time_share, total.cancelled) == (2, 50, 2)
    # Nothing in the other weeks, nor from this week (not over yet).
    others = [w for i, w in enumerate(figures.weeks) if i not in (WEEK_OF_2_NOVEMBER, WEEK_OF_9_NOVEMBER)]
    assert all(w.made == w.started == w.attended == w.cancelled == 0 for w in others)
    assert all(w.digital_share is None and w.completion_share is None for w in others)


def test_one_prisons_figures(twelve_weeks: Seeded, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(FIGURE_QUERIES):
        figures = weekly_figures(period=PERIOD, prison=twelve_weeks.rochester)
    week = figures.weeks[WEEK_OF_2_NOVEMBER]
    assert (week.online, week.made, week.digital_share) == (11, 12, 92)
    assert (week.started, week.completed, week.completion_share) == (20, 12, 60)
    assert figures.weeks[WEEK_OF_9_NOVEMBER].not_recorded == 7
    cardiff = weekly_figures(period=PERIOD, prison=twelve_weeks.cardiff).total
    assert (cardiff.made, cardiff.started, cardiff.completed, cardiff.cancelled) == (2, 5, 2, 0)


def test_the_queries_do_not_grow_with_the_visits(  # type: ignore[no-untyped-def]
    twelve_weeks: Seeded, django_assert_num_queries
) -> None:
    add_more_visits(twelve_weeks.rochester, twelve_weeks.tenth, 15)
    with django_assert_num_queries(FIGURE_QUERIES):
        figures = weekly_figures(period=PERIOD)
    assert figures.weeks[WEEK_OF_2_NOVEMBER].made == 14 + 15
    assert figures.weeks[WEEK_OF_2_NOVEMBER].cancelled_by_visitors == 1 + 5
    with django_assert_num_queries(1):
        assert prisons_with_figures(period=PERIOD) == [twelve_weeks.rochester]


def test_only_prisons_with_enough_visits_are_shown(twelve_weeks: Seeded) -> None:
    assert MINIMUM_VISITS == 10
    assert prisons_with_figures(period=PERIOD) == [twelve_weeks.rochester]  # Cardiff had 2
    assert prisons_with_figures(period=Period(first=date(2026, 6, 1))) == []
