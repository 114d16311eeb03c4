"""Session recurrence as pure functions (no database), and the prison page's week built from it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

import pytest

from prisons.timetable import sessions_between, sessions_on, template_runs_on


@dataclass
class Template:
    weekday: int
    start_time: time
    end_time: time
    valid_from: date
    valid_to: date | None = None
    every_n_weeks: int = 1
    open_capacity: int = 20
    closed_capacity: int = 2
    id: int | None = 1
    locations: tuple[str, ...] = ()
    incentive_levels: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


@dataclass
class Specific:
    date: date
    start_time: time
    end_time: time
    open_capacity: int = 10
    closed_capacity: int = 1


@dataclass
class Block:
    date: date
    start_time: time | None = None


MONDAY = date(2026, 11, 23)
AFTERNOON = (time(14), time(15, 45))


def test_weekly_template_runs_on_its_weekday_from_valid_from() -> None:
    t = Template(0, *AFTERNOON, valid_from=date(2026, 11, 16))
    assert template_runs_on(t, MONDAY)
    assert not template_runs_on(t, date(2026, 11, 24))  # Tuesday
    assert not template_runs_on(t, date(2026, 11, 9))  # before valid_from


def test_fortnightly_template_is_anchored_at_valid_from() -> None:
    t = Template(0, *AFTERNOON, valid_from=date(2026, 11, 16), every_n_weeks=2)
    assert template_runs_on(t, date(2026, 11, 16))
    assert not template_runs_on(t, date(2026, 11, 23))
    assert template_runs_on(t, date(2026, 11, 30))


def test_valid_to_is_the_last_date() -> None:
    t = Template(0, *AFTERNOON, valid_from=date(2026, 11, 2), valid_to=MONDAY)
    assert template_runs_on(t, MONDAY)
    assert not template_runs_on(t, date(2026, 11, 30))


def test_date_specific_sessions_replace_the_weekly_pattern() -> None:
    t = Template(0, *AFTERNOON, valid_from=date(2026, 1, 5))
    special = Specific(MONDAY, time(10), time(11))
    slots = sessions_on(MONDAY, [t], [special])
    assert [(s.start_time, s.end_time, s.template_id) for s in slots] == [(time(10), time(11), None)]


@pytest.mark.parametrize(
    ("blocks", "expected"),
    [([], [time(9, 15), time(14)]), ([Block(MONDAY)], []), ([Block(MONDAY, time(9, 15))], [time(14)])],
)
def test_blocks_mark_a_day_or_one_session(blocks: list[Block], expected: list[time]) -> None:
    templates = [
        Template(0, *AFTERNOON, valid_from=date(2026, 1, 5)),
        Template(0, time(9, 15), time(10, 45), valid_from=date(2026, 1, 5), id=2),
    ]
    slots = sessions_on(MONDAY, templates, [], blocks)
    assert [s.start_time for s in slots] == [time(9, 15), time(14)]  # blocked sessions are kept, marked
    assert [s.start_time for s in slots if not s.blocked] == expected


def test_sessions_between_covers_every_date_inclusive() -> None:
    t = Template(5, time(9, 15), time(10, 45), valid_from=date(2026, 1, 3), locations=("A",))
    days = sessions_between(MONDAY, date(2026, 11, 29), [t])
    assert days[date(2026, 11, 28)][0].locations == ("A",)
    assert list(days) == [date(2026, 11, d) for d in range(23, 30)]
    assert [d for d, slots in days.items() if slots] == [date(2026, 11, 28)]
