"""The accordion date picker: the bookable days grouped by week, each day a GOV.UK details section that opens to
its sessions as radios. It is plain HTML (``<details>``), so it works without JavaScript.

A day's radios are rendered by the official ``govukRadios`` macro, each day in a ``govukDetails``
(``journey/picker-day.html``), through the rendering cache (``common.govuk.jinja.kept_markup``): most visitors to a
prison see the same days with the same times.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time, timedelta

from django.utils.translation import gettext as _
from markupsafe import Markup

from common.govuk.jinja import govuk_date, govuk_time, kept_markup, render_macro, shared_environment
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
    full: tuple[SessionAvailability, ...] = ()  # fully booked sessions that pass the filters: their waiting lists

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
    waiting_lists: bool = False,
) -> list[Week]:
    """Every day from first to last, grouped into weeks starting on Monday, each with the sessions on offer.
    ``held``: the session the visitor holds, offered again (the prisoner's own visit there is the hold itself).
    ``waiting_lists``: each day also lists its fully booked sessions, whose waiting lists can be joined."""
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
            full = tuple(i for i in items if i.unbookable == Unbookable.FULL) if waiting_lists else ()
            weeks.setdefault(day - timedelta(days=day.weekday()), []).append(Day(day, options, why, full))
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
    """The radios for one day's sessions, through the official govukRadios macro (the first bookable day's first
    radio has the id "session", which the error summary links to)."""
    params = {
        "name": "session",
        "idPrefix": "session" if first_bookable else f"session-{day.date.isoformat()}",
        "fieldset": {
            "legend": {
                "text": _("Times on %(day)s") % {"day": govuk_date(day.date, with_weekday=True)},
                "classes": "govuk-visually-hidden",
            }
        },
        "items": [
            {
                "value": str(item.session.id),
                "text": _("%(start)s to %(end)s")
                % {"start": govuk_time(item.session.start_time), "end": govuk_time(item.session.end_time)},
                "checked": item.session.id == selected,
            }
            for item in day.options
        ],
        "classes": "govuk-radios--small",
    }
    if error:
        params["errorMessage"] = {"text": error, "visuallyHiddenText": _("Error")}
    return render_macro("govukRadios", params)


@dataclass(frozen=True)
class Picker:
    """The picker for one view: its weeks, the time chosen (if it is on offer), the error and the day shown open."""

    weeks: list[Week]
    selected: int | None
    error: str | None
    open_day: date | None
    joined: frozenset[int] = frozenset()  # the sessions whose waiting lists this journey has joined

    @property
    def has_bookable(self) -> bool:
        return any(day.bookable for week in self.weeks for day in week.days)

    @property
    def has_full(self) -> bool:
        """Whether any day shows a fully booked session whose waiting list can be joined."""
        return any(day.full for week in self.weeks for day in week.days)

    @property
    def first_bookable(self) -> date | None:
        return _first_bookable(self.weeks)

    def days_html(self) -> Markup:
        """The weeks and their days, as the official macros render them (``journey/picker-days.html``), through the
        rendering cache: the key holds everything the markup depends on, and most visitors to a prison see the same
        days with the same times. Each day is kept on its own too (``day_html``): a visitor whose prisoner already
        has a visit in the window sees one day unlike the others', and only that day is rendered afresh."""
        key = (
            "picker-days",
            tuple((week.starts, tuple(_day_key(day) for day in week.days)) for week in self.weeks),
            self.selected,
            self.error,
            self.open_day,
            tuple(sorted(self.joined)),
        )
        return kept_markup(key, self._render_days)

    def _render_days(self) -> str:
        template = shared_environment().get_template("journey/picker-days.html")
        return template.render(weeks=self.weeks, day_html=self.day_html)

    def day_html(self, day: Day) -> Markup:
        """One day (``journey/picker-day.html``), through the rendering cache: its key holds the day and what of the
        picker shows on it (the time chosen, the error, whether it is open, the waiting lists joined)."""
        on_first = day.date == self.first_bookable
        offered_ids = {o.session.id for o in day.options}
        selected = self.selected if self.selected in offered_ids else None
        error = self.error if on_first else None
        open_ = day.date == self.open_day
        joined = frozenset(self.joined & {f.session.id for f in day.full})
        key = ("picker-day", _day_key(day), selected, error, on_first, open_, tuple(sorted(joined)))

        def render() -> str:
            radios = day_radios(day, selected=selected, first_bookable=on_first, error=error) if day.options else ""
            template = shared_environment().get_template("journey/picker-day.html")
            return template.render(day=day, radios=radios, open=open_, joined=joined)

        return kept_markup(key, render)


def _day_key(day: Day) -> tuple[object, ...]:
    """Everything of a day that its markup shows."""
    return (
        day.date,
        day.why_not,
        tuple((o.session.id, o.session.start_time, o.session.end_time) for o in day.options),
        tuple((f.session.id, f.session.start_time, f.session.end_time) for f in day.full),
    )


def build_picker(
    availability: list[SessionAvailability],
    *,
    first: date,
    last: date,
    filters: Filters,
    exclude: Iterable[int] = (),
    selected: int | None = None,
    selected_day: date | None = None,
    held: int | None = None,
    error: str | None = None,
    waiting_lists: bool = False,
    joined: Iterable[int] = (),
) -> Picker:
    """The picker's weeks from first to last. The error, if any, is shown on the first bookable day, whose first
    radio the error summary links to; the day shown open is the chosen time's, or with an error the first bookable
    one."""
    weeks = build_weeks(
        availability, first=first, last=last, filters=filters, exclude=exclude, held=held, waiting_lists=waiting_lists
    )
    offered_ids = {o.session.id for week in weeks for day in week.days for o in day.options}
    shown_open = selected_day if selected_day is not None else (_first_bookable(weeks) if error else None)
    return Picker(weeks, selected if selected in offered_ids else None, error, shown_open, frozenset(joined))


def _first_bookable(weeks: list[Week]) -> date | None:
    return next((day.date for week in weeks for day in week.days if day.bookable), None)
