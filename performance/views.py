"""The public performance dashboard and its national CSV: figures only, no sign-in, no personal data. Both get their
figures from ``_figures`` alone, and so through ``performance.figures.published_figures``: rounded, every one."""

from __future__ import annotations

import csv

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from performance.charts import figure_charts
from performance.figures import (
    CHANNELS,
    MINIMUM_FOR_PERCENTAGE,
    MINIMUM_VISITS,
    ROUND_TO,
    Period,
    WeeklyFigures,
    complete_weeks,
    prisons_with_figures,
    published_figures,
)
from prisons.models import Prison
from visits.rules import REQUEST_ANSWER_DAYS

# The figures are of complete weeks, so they change only as journeys and late answers are counted: each scope's are
# kept this long, so that a public page costs its queries once in a while, not on every request.
FIGURES_KEPT_SECONDS = 600


def _figures(period: Period, prison: Prison | None) -> WeeklyFigures:
    """The published (rounded) figures of the scope, kept for a while. The key names them published: a cache filled
    with exact figures by an earlier release is never read as if it were rounded."""
    key = f"performance:published:{period.first.isoformat()}:{period.weeks}:{prison.id if prison else 'national'}"
    return cache.get_or_set(key, lambda: published_figures(period=period, prison=prison), FIGURES_KEPT_SECONDS)


@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    """The last 12 weeks' figures for England and Wales, or for one prison with enough visits to show."""
    period = complete_weeks(timezone.localdate())
    prisons = prisons_with_figures(period=period)
    asked = request.GET.get("prison", "")
    prison = next((p for p in prisons if p.slug == asked), None)
    figures = _figures(period, prison)
    items = [{"value": "", "text": _("England and Wales"), "selected": prison is None}]
    items += [{"value": p.slug, "text": p.display_name, "selected": p == prison} for p in prisons]
    return render(
        request,
        "performance/dashboard.html",
        {
            "period": period,
            "figures": figures,
            "total": figures.total,
            "charts": figure_charts(figures),
            "scope_name": prison.display_name if prison else _("England and Wales"),
            "prison_items": items,
            "not_shown": bool(asked) and prison is None,
            "minimum": MINIMUM_VISITS,
            "round_to": ROUND_TO,
            "minimum_for_percentage": MINIMUM_FOR_PERCENTAGE,
            "answer_days": REQUEST_ANSWER_DAYS,
        },
    )


CSV_COLUMNS = [
    "week_beginning",
    "week_ending",
    *(f"booked_or_requested_{channel}" for channel in CHANNELS),
    "booked_or_requested",
    "digital_take_up_percent",
    "journeys_started",
    "journeys_completed",
    "completion_rate_percent",
    "booked_straight_away",
    "requests_made",
    "requests_approved",
    "requests_approved_first_choice",
    "first_choice_booked_percent",
    "requests_answered",
    "requests_answered_in_time",
    "answered_in_time_percent",
    "cancelled_by_visitors",
    "cancelled_by_prison",
    "attended",
    "did_not_attend",
    "attendance_not_recorded",
    "attendance_percent",
]


@require_safe
def national_csv(request: HttpRequest) -> HttpResponse:
    """The national figures of the last 12 weeks, a row a week, as CSV (the column names are in English): the same
    published figures as the page, rounded alike; a percentage too few to give is blank."""
    period = complete_weeks(timezone.localdate())
    figures = _figures(period, None)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="visits-performance-{period.last.isoformat()}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)

    def blank(value: int | None) -> str | int:
        return "" if value is None else value

    for week in figures.weeks:
        writer.writerow(
            [
                week.first.isoformat(),
                week.last.isoformat(),
                *(week.made_by_channel.get(channel, 0) for channel in CHANNELS),
                week.made,
                blank(week.digital_share),
                week.started,
                week.completed,
                blank(week.completion_share),
                week.booked,
                week.requested,
                week.approved,
                week.approved_first_choice,
                blank(week.first_choice_share),
                week.answered,
                week.answered_in_time,
                blank(week.answered_in_time_share),
                week.cancelled_by_visitors,
                week.cancelled_by_prison,
                week.attended,
                week.no_shows,
                week.not_recorded,
                blank(week.attendance_share),
            ]
        )
    return response
