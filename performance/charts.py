"""The weekly figures drawn as charts: SVG made on the server by pygal, each with a table of the same numbers.

pygal lays the chart out (scales, axes, bars, lines, legend). What it adds for its interactive mode goes: even with
``js=[]`` it writes an inline ``<script>`` (its config) and an inline ``<style>``, which the Content Security Policy
blocks and the page does not need, plus a tooltip layer, a ``<desc>`` with each point's coordinates and a ``<title>``
on each axis label. The chart is then an image (``role="img"``) named by a ``<title>`` and described by a ``<desc>``
of its own, styled by ``static/css/charts.css``; its numbers are in a GOV.UK table beside it, for screen readers and
for anyone who prefers them.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import pygal
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from markupsafe import Markup

from performance.figures import CHANNELS, Week, WeeklyFigures
from visits.models import Channel
from visits.rules import REQUEST_ANSWER_DAYS

SVG = "http://www.w3.org/2000/svg"
WIDTH, HEIGHT = 480, 300  # the viewBox: the chart scales to its column (static/css/charts.css)
FONT_SIZE = 18  # what charts.css sets, so that pygal leaves room for the labels
# The channels as a visitor reads them (visits.models.Channel's own labels are the staff console's, in English).
CHANNEL_NAMES = {
    Channel.ONLINE: gettext_noop("Online"),
    Channel.PHONE: gettext_noop("Phone"),
    Channel.EMAIL: gettext_noop("Email"),
    Channel.IN_PERSON: gettext_noop("In person"),
    Channel.PRISONER: gettext_noop("By the prisoner"),
}

INTERACTIVE_CLASSES = frozenset({"reactive", "tooltip-trigger", "activate-serie"})  # for pygal's script only

ET.register_namespace("", SVG)


@dataclass(frozen=True)
class Chart:
    """One chart: its heading, what it shows in a sentence, the SVG, and its numbers as a table."""

    key: str  # unique on the page: the ids of its title and description
    title: str
    summary: str
    svg: Markup
    head: list[str]
    rows: list[list[str]]
    legend: list[str]  # the series' names, in their colours' order (shown under the chart when there are several)


def week_label(monday: date) -> str:
    """'2 Nov': the short label under a week's bar."""
    return date_format(monday, "j M")


def _count(value: int) -> str:
    return f"{value:,}"


def _share(value: int | None) -> str:
    return "–" if value is None else f"{value}%"


def _rate(total: Week, share: int | None, sentence: str, **values: object) -> str:
    """A sentence about a percentage, or that there was nothing to count (or, in published figures, too little to
    give a percentage of: performance.figures.MINIMUM_FOR_PERCENTAGE)."""
    if share is None:
        if total.published:
            return _("There were too few in these weeks to give a percentage.")
        return _("There was nothing to count in these weeks.")
    return sentence % {"share": f"{share}%", **values}


def _style() -> pygal.style.Style:
    size = FONT_SIZE
    return pygal.style.Style(
        font_family="inherit",
        label_font_size=size,
        major_label_font_size=size,
        legend_font_size=size,
        value_font_size=size,
        title_font_size=size,
        no_data_font_size=size + 4,
    )


def _config(**options: object) -> dict[str, object]:
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "style": _style(),
        "explicit_size": False,  # a viewBox only: the page's CSS sizes it
        "disable_xml_declaration": True,
        "js": [],
        "css": [],
        "no_prefix": True,
        "pretty_print": False,
        "show_minor_x_labels": False,
        "x_labels_major_every": 2,  # twelve weeks' labels do not fit side by side at a phone's width
        "truncate_label": -1,
        "truncate_legend": -1,
        "margin": 8,
        "spacing": 8,
        "print_values": False,
        "show_legend": False,  # the legend is HTML under the chart (templates/performance/chart.html): it wraps
        "no_data_text": _("No figures for these weeks"),
        **options,
    }


def _clean(svg: str, *, key: str, title: str, description: str) -> Markup:
    """pygal's SVG as an accessible, script-free, style-free image (see the module's docstring)."""
    root = ET.fromstring(svg)
    for parent in list(root.iter()):
        for child in list(parent):
            tag = child.tag.removeprefix(f"{{{SVG}}}")
            classes = (child.get("class") or "").split()
            if tag in ("defs", "script", "style", "title", "desc") or "tooltip-overlay" in classes:
                parent.remove(child)
    for element in root.iter():
        element.attrib.pop("style", None)
        element.attrib.pop("id", None)
        classes = [c for c in (element.get("class") or "").split() if c not in INTERACTIVE_CLASSES]
        if classes:
            element.set("class", " ".join(classes))
        else:
            element.attrib.pop("class", None)
    root.set("class", "app-chart__svg")
    root.set("role", "img")
    root.set("aria-labelledby", f"{key}-title {key}-desc")
    heading = ET.Element(f"{{{SVG}}}title", id=f"{key}-title")
    heading.text = title
    desc = ET.Element(f"{{{SVG}}}desc", id=f"{key}-desc")
    desc.text = description
    root.insert(0, desc)
    root.insert(0, heading)
    return Markup(ET.tostring(root, encoding="unicode"))


def _description(figures: WeeklyFigures, summary: str) -> str:
    period = figures.period
    return " ".join(
        [
            summary,
            _("Weekly figures from %(first)s to %(last)s; the table gives each week's numbers.")
            % {"first": date_format(period.first, "j F Y"), "last": date_format(period.last, "j F Y")},
        ]
    )


def _draw(
    chart_class: Callable[..., pygal.graph.graph.Graph],
    figures: WeeklyFigures,
    *,
    key: str,
    title: str,
    summary: str,
    series: Sequence[tuple[str, list[int | None]]],
    head: list[str],
    columns: Sequence[Callable[[Week], str]],
    **options: object,
) -> Chart:
    chart = chart_class(**_config(**options))
    chart.x_labels = [week_label(week.first) for week in figures.weeks]
    for name, values in series:
        chart.add(name, values)
    svg = _clean(chart.render(is_unicode=True), key=key, title=title, description=_description(figures, summary))
    # Short months in the tables, as GOV.UK's style allows where space is tight (a phone's width).
    rows = [[date_format(week.first, "j M Y"), *(column(week) for column in columns)] for week in figures.weeks]
    legend = [name for name, _values in series] if len(series) > 1 else []
    return Chart(key=key, title=title, summary=summary, svg=svg, head=head, rows=rows, legend=legend)


def _percentages(**options: object) -> dict[str, object]:
    return {
        "range": (0, 100),
        "y_labels": [0, 25, 50, 75, 100],
        "value_formatter": lambda value: f"{value:.0f}%",
        "allow_interruptions": True,  # a week with nothing to count is a gap in the line, not a zero
        "dots_size": 4,
        **options,
    }


def _counts(**options: object) -> dict[str, object]:
    return {
        "value_formatter": lambda value: f"{value:,.0f}",
        "min_scale": 2,
        "max_scale": 6,
        **options,
    }


def figure_charts(figures: WeeklyFigures) -> list[Chart]:
    """The charts of the weekly figures, in the order the pages show them."""
    total = figures.total
    week = _("Week beginning")
    channels = [(channel, _(CHANNEL_NAMES[channel])) for channel in CHANNELS]

    bookings = _draw(
        pygal.StackedBar,
        figures,
        key="chart-bookings",
        title=_("Visits booked or requested, by how they were booked"),
        summary=_("%(count)s visits booked or requested in these weeks.") % {"count": _count(total.made)},
        series=[(name, [w.made_by_channel.get(channel, 0) for w in figures.weeks]) for channel, name in channels],
        head=[week, *(name for _channel, name in channels), _("All")],
        columns=[
            *(lambda w, channel=channel: _count(w.made_by_channel.get(channel, 0)) for channel, _name in channels),
            lambda w: _count(w.made),
        ],
        **_counts(),
    )
    digital = _draw(
        pygal.Line,
        figures,
        key="chart-digital",
        title=_("Digital take-up: visits booked or requested online"),
        summary=_rate(
            total, total.digital_share, _("%(share)s of visits were booked or requested online in these weeks.")
        ),
        series=[(_("Online"), [w.digital_share for w in figures.weeks])],
        head=[week, _("Online"), _("All channels"), _("Online share")],
        columns=[lambda w: _count(w.online), lambda w: _count(w.made), lambda w: _share(w.digital_share)],
        **_percentages(),
    )
    completion = _draw(
        pygal.Line,
        figures,
        key="chart-completion",
        title=_("Completion rate: online journeys that ended in a booking or request"),
        summary=_rate(
            total,
            total.completion_share,
            _("%(share)s of the online journeys started in these weeks ended in a booking or request."),
        ),
        series=[(_("Completed"), [w.completion_share for w in figures.weeks])],
        head=[week, _("Journeys started"), _("Ended in a booking or request"), _("Completion rate")],
        columns=[lambda w: _count(w.started), lambda w: _count(w.completed), lambda w: _share(w.completion_share)],
        **_percentages(),
    )
    first_choice = _draw(
        pygal.Line,
        figures,
        key="chart-first-choice",
        title=_("First choice booked"),
        summary=_rate(
            total,
            total.first_choice_share,
            _("%(share)s of the visits confirmed in these weeks were for the time the visitor chose first."),
        ),
        series=[(_("First choice"), [w.first_choice_share for w in figures.weeks])],
        head=[
            week,
            _("Booked straight away"),
            _("Requests approved"),
            _("Approved for the first choice"),
            _("First choice booked"),
        ],
        columns=[
            lambda w: _count(w.booked),
            lambda w: _count(w.approved),
            lambda w: _count(w.approved_first_choice),
            lambda w: _share(w.first_choice_share),
        ],
        **_percentages(),
    )
    answered = _draw(
        pygal.Line,
        figures,
        key="chart-answered",
        title=_("Requests answered within %(days)s working days") % {"days": REQUEST_ANSWER_DAYS},
        summary=_rate(
            total,
            total.answered_in_time_share,
            _("%(share)s of the requests prisons answered in these weeks were answered within %(days)s working days."),
            days=REQUEST_ANSWER_DAYS,
        ),
        series=[(_("In time"), [w.answered_in_time_share for w in figures.weeks])],
        head=[week, _("Requests answered"), _("In time"), _("Answered in time")],
        columns=[
            lambda w: _count(w.answered),
            lambda w: _count(w.answered_in_time),
            lambda w: _share(w.answered_in_time_share),
        ],
        **_percentages(),
    )
    cancellations = _draw(
        pygal.StackedBar,
        figures,
        key="chart-cancellations",
        title=_("Cancellations"),
        summary=_("%(count)s visits cancelled in these weeks.") % {"count": _count(total.cancelled)},
        series=[
            (_("By visitors"), [w.cancelled_by_visitors for w in figures.weeks]),
            (_("By the prison"), [w.cancelled_by_prison for w in figures.weeks]),
        ],
        head=[week, _("By visitors"), _("By the prison"), _("All")],
        columns=[
            lambda w: _count(w.cancelled_by_visitors),
            lambda w: _count(w.cancelled_by_prison),
            lambda w: _count(w.cancelled),
        ],
        **_counts(),
    )
    attendance = _draw(
        pygal.Line,
        figures,
        key="chart-attendance",
        title=_("Attendance"),
        summary=_rate(
            total,
            total.attendance_share,
            _("Visitors came to %(share)s of the visits in these weeks whose attendance was recorded."),
        ),
        series=[(_("Attended"), [w.attendance_share for w in figures.weeks])],
        head=[week, _("Attended"), _("Did not attend"), _("Not recorded"), _("Attendance")],
        columns=[
            lambda w: _count(w.attended),
            lambda w: _count(w.no_shows),
            lambda w: _count(w.not_recorded),
            lambda w: _share(w.attendance_share),
        ],
        **_percentages(),
    )
    return [bookings, digital, completion, first_choice, answered, cancellations, attendance]
