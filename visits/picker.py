"""The accordion date picker: the bookable days grouped by week, each day a GOV.UK details section that opens to
its sessions as radios. It is plain HTML (``<details>``), so it works without JavaScript.

A day's radios are rendered by the official ``govukRadios`` macro, once for each distinct (sessions, selection)
and then reused from an in-process cache: most visitors see the same days with the same times, and the macro is
the costly part of the page. The whole picker (weeks, days, their ``govukDetails``) is likewise rendered once for
each distinct ``sections_key`` and reused by the template (see docs/govuk-rendering.md).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time, timedelta

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from markupsafe import Markup

from config.govuk.jinja import govuk_date, govuk_time, render_macro
from visits.selectors import SessionAvailability, Unbookable

MIDDAY = time(12)


@dataclass(frozen=True)
class Filters:
    days: frozenset[str] = frozenset()  # {"weekdays", "weekends"}; empty: all
    times: frozenset[str] = frozenset()  # {"morning", "afternoon"}; empty: all

    @classmethod
    def from_query(cls, query: dict[str, list[str]]) -> Filters:
        return cls(
            frozenset(query.get("days", [])) & {"weekdays", "weekends"},
            frozenset(query.get("times", [])) & {"morning", "afternoon"},
        )

    def keeps_day(self, day: date) -> bool:
        if not self.days or self.days == {"weekdays", "weekends"}:
            return True
        return ("weekends" if day.weekday() >= 5 else "weekdays") in self.days

    def keeps_time(self, start: time) -> bool:
        if not self.times or self.times == {"morning", "afternoon"}:
            return True
        return ("morning" if start < MIDDAY else "afternoon") in self.times

    @property
    def active(self) -> bool:
        return bool(self.days or self.times)


@dataclass(frozen=True)
class Day:
    date: date
    options: tuple[SessionAvailability, ...]  # bookable sessions that pass the filters
    why_not: str  # when nothing is bookable: why, in a few words

    @property
    def bookable(self) -> bool:
        return bool(self.options)


@dataclass(frozen=True)
class Week:
    starts: date
    days: tuple[Day, ...]


def build_weeks(
    availability: Iterable[SessionAvailability],
    *,
    first: date,
    last: date,
    filters: Filters,
    exclude: Iterable[int] = (),
    held: int | None = None,
) -> list[Week]:
    """Every day from first to last, grouped into weeks starting on Monday, each with the sessions on offer.
    ``held``: the session the visitor holds, offered again (the prisoner's own visit there is the hold itself)."""
    excluded = set(exclude)
    by_day: dict[date, list[SessionAvailability]] = {}
    for item in availability:
        by_day.setdefault(item.session.date, []).append(item)
    weeks: dict[date, list[Day]] = {}
    every_day = not filters.days or filters.days == {"weekdays", "weekends"}  # as keeps_day, once for all days
    every_time = not filters.times or filters.times == {"morning", "afternoon"}  # as keeps_time
    one_day = timedelta(days=1)
    day = first
    while day <= last:
        if every_day or filters.keeps_day(day):
            items = by_day.get(day, [])
            if not every_time:
                items = [i for i in items if filters.keeps_time(i.session.start_time)]
            options = tuple(i for i in items if offered(i, held) and i.session.id not in excluded)
            why = "" if options else _why_not(items, filters)
            weeks.setdefault(day - timedelta(days=day.weekday()), []).append(Day(day, options, why))
        day += one_day
    return [Week(start, tuple(days)) for start, days in weeks.items()]


def offered(item: SessionAvailability, held: int | None) -> bool:
    """Whether a session can be chosen: bookable, or the one this visitor already holds."""
    return item.unbookable is None or (item.session.id == held and item.unbookable == Unbookable.ALREADY_BOOKED)


def _why_not(items: list[SessionAvailability], filters: Filters) -> str:
    if not items:
        return _("No visits at times you can make") if filters.active else _("No visits")
    reasons = {i.unbookable_text for i in items if i.unbookable}
    return _(reasons.pop()) if len(reasons) == 1 else _("No times available")


def day_radios(day: Day, *, selected: int | None, first_bookable: bool, error: str | None) -> Markup:
    """The radios for one day's sessions, through the official govukRadios macro."""
    options = tuple(
        (item.session.id, item.session.start_time, item.session.end_time, item.closed) for item in day.options
    )
    return _render_day_radios(
        day.date,
        options,
        selected if selected in {o[0] for o in options} else None,
        first_bookable,
        error,
        get_language(),
    )


@functools.lru_cache(maxsize=4096)
def _render_day_radios(
    day: date,
    options: tuple[tuple[int, time, time, bool], ...],
    selected: int | None,
    first_bookable: bool,
    error: str | None,
    language: str,
) -> Markup:
    params = {
        "name": "session",
        # The first bookable day's first radio has the id "session", which the error summary links to.
        "idPrefix": "session" if first_bookable else f"session-{day.isoformat()}",
        "fieldset": {
            "legend": {
                "text": _("Times on %(day)s") % {"day": govuk_date(day, with_weekday=True)},
                "classes": "govuk-visually-hidden",
            }
        },
        "items": [
            {
                "value": str(session_id),
                "text": _("%(start)s to %(end)s") % {"start": govuk_time(start), "end": govuk_time(end)},
                "checked": session_id == selected,
            }
            for session_id, start, end, closed in options
        ],
        "classes": "govuk-radios--small",
    }
    if error:
        params["errorMessage"] = {"text": error, "visuallyHiddenText": _("Error")}
    return render_macro("govukRadios", params)


def picker_sections(
    availability: list[SessionAvailability],
    *,
    first: date,
    last: date,
    filters: Filters,
    exclude: Iterable[int] = (),
    selected: int | None = None,
    held: int | None = None,
    error: str | None = None,
) -> list[tuple[Week, list[tuple[Day, Markup | None]]]]:
    """The weeks of the picker, each day with its rendered radios (None for a day with nothing bookable). The error,
    if any, is shown on the first bookable day, whose first radio the error summary links to."""
    weeks = build_weeks(availability, first=first, last=last, filters=filters, exclude=exclude, held=held)
    first_bookable = next((day.date for week in weeks for day in week.days if day.bookable), None)
    return [
        (
            week,
            [
                (
                    day,
                    day_radios(
                        day,
                        selected=selected,
                        first_bookable=day.date == first_bookable,
                        error=error if day.date == first_bookable else None,
                    )
                    if day.bookable
                    else None,
                )
                for day in week.days
            ],
        )
        for week in weeks
    ]


def sections_key(
    sections: list[tuple[Week, list[tuple[Day, Markup | None]]]], *, open_day: date | None
) -> tuple[object, ...]:
    """What the picker's markup depends on, as a key to reuse it by (``cached`` in the template): each week's days,
    with why a day has nothing bookable or the day's rendered radios (which hold its sessions, the selection and
    the error), and the day shown open. The radios come from ``_render_day_radios``'s cache, so hashing them is
    hashing the same strings again (Python keeps a string's hash)."""
    return (
        open_day,
        tuple((week.starts, tuple((day.date, day.why_not, radios) for day, radios in days)) for week, days in sections),
    )


def has_bookable(sections: list[tuple[Week, list[tuple[Day, Markup | None]]]]) -> bool:
    return any(radios is not None for _, days in sections for _, radios in days)


def open_day(
    sections: list[tuple[Week, list[tuple[Day, Markup | None]]]], *, selected_day: date | None, error: str | None
) -> date | None:
    """The day section to show open: the chosen time's day, or with an error the first bookable day."""
    if selected_day is not None:
        return selected_day
    if error:
        return next((day.date for _, days in sections for day, radios in days if radios is not None), None)
    return None
