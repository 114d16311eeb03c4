"""The rule the public figures go through (performance.figures.published_figures, Week.for_publication): counts
rounded to the nearest 5, percentages of the rounded counts and only of 50 or more, every count of a Week covered
(found by looking at the class, so that a count added later is covered without changing these tests)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

import pytest

from performance.figures import (
    MINIMUM_FOR_PERCENTAGE,
    ROUND_TO,
    Period,
    Week,
    published_figures,
    rounded,
    weekly_figures,
)
from tests.performance import test_disclosure
from tests.performance.conftest import WEEK_OF_2_NOVEMBER, Seeded


def test_rounding_to_the_nearest_five() -> None:
    assert (ROUND_TO, MINIMUM_FOR_PERCENTAGE) == (5, 50)
    assert [rounded(n) for n in range(14)] == [0, 0, 0, 5, 5, 5, 5, 5, 10, 10, 10, 10, 10, 15]
    assert rounded(1_234) == 1_235 and rounded(1_232) == 1_230


def test_every_count_of_a_published_week_is_rounded() -> None:
    """Found by looking at the class, so that a count added to Week is checked without changing this test."""
    number = iter(range(1, 1000))
    exact = Week(first=date(2026, 11, 2))
    for f in fields(Week):
        if f.type == "int":
            setattr(exact, f.name, next(number) * 7)
    exact.made_by_channel = {channel: next(number) * 7 for channel in exact.made_by_channel}
    week = exact.for_publication()
    assert week.published and week.first == exact.first
    properties = [name for name in dir(Week) if isinstance(getattr(Week, name), property)]
    values = {name: getattr(week, name) for name in [f.name for f in fields(Week)] + properties}
    numbers = {name: value for name, value in values.items() if type(value) is int}
    assert "made" in numbers and "not_recorded" in numbers and "digital_share" in numbers
    for name, value in numbers.items():
        if name.endswith("_share"):
            continue
        assert value % ROUND_TO == 0, name
    assert all(n % ROUND_TO == 0 for n in week.made_by_channel.values())
    # Percentages come from the rounded counts.
    assert week.digital_share == round(100 * week.online / week.made)
    assert week.attendance_share == round(100 * week.attended / (week.attended + week.no_shows))


def test_a_published_week_gives_no_percentage_of_fewer_than_fifty() -> None:
    exact = Week(first=date(2026, 11, 2), started=52, completed=51, attended=47, no_shows=1, answered=3)
    assert (exact.completion_share, exact.attendance_share, exact.answered_in_time_share) == (98, 98, 0)
    week = exact.for_publication()
    assert (week.started, week.completed, week.completion_share) == (50, 50, 100)
    assert (week.attended, week.no_shows, week.attendance_share) == (45, 0, None)  # of 45: too few
    assert (week.answered, week.answered_in_time_share) == (5, None)
    assert Week(first=date(2026, 11, 2)).for_publication().digital_share is None  # nothing at all: the same


def test_a_count_of_a_kind_not_known_is_not_published() -> None:
    @dataclass
    class WithANote(Week):
        note: str = "three visitors from Leeds"

    with pytest.raises(TypeError, match="note"):
        WithANote(first=date(2026, 11, 2)).for_publication()


@pytest.mark.django_db
def test_published_figures_are_the_exact_ones_rounded(twelve_weeks: Seeded) -> None:
    period = Period(first=date(2026, 8, 31))
    exact = weekly_figures(period=period, prison=twelve_weeks.cardiff)
    published = published_figures(period=period, prison=twelve_weeks.cardiff)
    assert not exact.published and published.published and published.total.published
    assert [week.for_publication() for week in exact.weeks] == published.weeks
    assert (exact.weeks[WEEK_OF_2_NOVEMBER].online, published.weeks[WEEK_OF_2_NOVEMBER].online) == (2, 0)
    # The period's figures add up the rounded weeks: a total tells nothing the weeks do not.
    assert published.total.made == sum(week.made for week in published.weeks)


def test_the_tests_state_the_rule_the_code_applies() -> None:
    assert (test_disclosure.ROUND_TO, test_disclosure.MINIMUM_FOR_PERCENTAGE) == (ROUND_TO, MINIMUM_FOR_PERCENTAGE)
