"""Session recurrence as pure functions: which sessions a prison runs on which dates.

They take the timetable rows (anything with the attributes of SessionTemplate, DateSpecificSession and
BlockedDate) and need no database, so that tests can state the rules plainly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, time, timedelta
from typing import Protocol


class TemplateLike(Protocol):
    id: int | None
    weekday: int
    start_time: time
    end_time: time
    valid_from: date
    valid_to: date | None
    every_n_weeks: int
    open_capacity: int
    closed_capacity: int
    locations: list[str]
    incentive_levels: list[str]
    categories: list[str]


class DateSpecificLike(Protocol):
    date: date
    start_time: time
    end_time: time
    open_capacity: int
    closed_capacity: int


class BlockLike(Protocol):
    date: date
    start_time: time | None


@dataclass(frozen=True)
class SessionSlot:
    """One session on one date, as the timetable says it runs."""

    date: date
    start_time: time
    end_time: time
    open_capacity: int
    closed_capacity: int
    template_id: int | None = None
    locations: tuple[str, ...] = ()
    incentive_levels: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    blocked: bool = False


def template_runs_on(template: TemplateLike, day: date) -> bool:
    """Whether a weekly template has a session on ``day``: right weekday, inside its validity, on-week."""
    if day.weekday() != template.weekday or day < template.valid_from:
        return False
    if template.valid_to is not None and day > template.valid_to:
        return False
    weeks_since_anchor = (day - template.valid_from).days // 7
    return weeks_since_anchor % template.every_n_weeks == 0


def sessions_on(
    day: date,
    templates: Iterable[TemplateLike],
    date_specific: Iterable[DateSpecificLike] = (),
    blocks: Iterable[BlockLike] = (),
) -> list[SessionSlot]:
    """The sessions on ``day`` in start order: date-specific ones replace the weekly pattern; blocked ones are
    kept and marked ``blocked`` (a whole-day block marks them all)."""
    whole_day_blocked = False
    blocked_starts = set()
    for block in blocks:
        if block.date != day:
            continue
        if block.start_time is None:
            whole_day_blocked = True
        blocked_starts.add(block.start_time)

    specific = [s for s in date_specific if s.date == day]
    if specific:
        slots = [SessionSlot(day, s.start_time, s.end_time, s.open_capacity, s.closed_capacity) for s in specific]
    else:
        slots = [
            SessionSlot(
                day,
                t.start_time,
                t.end_time,
                t.open_capacity,
                t.closed_capacity,
                t.id,
                tuple(t.locations),
                tuple(t.incentive_levels),
                tuple(t.categories),
            )
            for t in templates
            if template_runs_on(t, day)
        ]
    slots = [replace(s, blocked=True) if whole_day_blocked or s.start_time in blocked_starts else s for s in slots]
    return sorted(slots, key=lambda s: (s.start_time, s.end_time))


def sessions_between(
    first: date,
    last: date,
    templates: Iterable[TemplateLike],
    date_specific: Iterable[DateSpecificLike] = (),
    blocks: Iterable[BlockLike] = (),
) -> dict[date, list[SessionSlot]]:
    """Every date from ``first`` to ``last`` inclusive, each with its sessions (an empty list if none)."""
    templates = list(templates)
    specific_by_day: dict[date, list[DateSpecificLike]] = {}
    for s in date_specific:
        specific_by_day.setdefault(s.date, []).append(s)
    blocks_by_day: dict[date, list[BlockLike]] = {}
    for b in blocks:
        blocks_by_day.setdefault(b.date, []).append(b)
    days: dict[date, list[SessionSlot]] = {}
    day = first
    while day <= last:
        days[day] = sessions_on(day, templates, specific_by_day.get(day, ()), blocks_by_day.get(day, ()))
        day += timedelta(days=1)
    return days
