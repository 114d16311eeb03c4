"""What the public dashboard's figures reveal, read as anyone can read them (the page, its charts' tables, the CSV):
a prison hidden for having too few visits cannot be worked out by taking the prisons shown from the figures for
England and Wales; every published count is rounded to the nearest 5 and every percentage is worked out from the
rounded counts and only of 50 or more, in the page and the CSV alike (docs/performance-dashboard.md states the rule;
tests/performance/test_publication.py tests the code that applies it)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from django.test import Client

from performance.charts import figure_charts
from performance.figures import MINIMUM_VISITS, Period, weekly_figures
from tests.performance.conftest import Seeded
from tests.performance.test_dashboard import chart_tables
from visits.models import JourneyCount

pytestmark = pytest.mark.django_db
PERIOD = Period(first=date(2026, 8, 31))
# The rule, as the page and docs/performance-dashboard.md state it (test_publication.py: the code's own constants).
ROUND_TO = 5
MINIMUM_FOR_PERCENTAGE = 50

Key = tuple[str, str, str]  # a chart's id, a column's heading, a week ("2 Nov 2026")
# Each CSV column, as the chart tables head it (two tables give the bookings online and in all). requests_made is the
# CSV's alone.
CSV_COLUMNS: dict[str, tuple[str, str]] = {
    "booked_or_requested_online": ("chart-bookings", "Online"),
    "booked_or_requested_phone": ("chart-bookings", "Phone"),
    "booked_or_requested_email": ("chart-bookings", "Email"),
    "booked_or_requested_in_person": ("chart-bookings", "In person"),
    "booked_or_requested_prisoner": ("chart-bookings", "By the prisoner"),
    "booked_or_requested": ("chart-bookings", "All"),
    "digital_take_up_percent": ("chart-digital", "Online share"),
    "journeys_started": ("chart-completion", "Journeys started"),
    "journeys_completed": ("chart-completion", "Ended in a booking or request"),
    "completion_rate_percent": ("chart-completion", "Completion rate"),
    "booked_straight_away": ("chart-first-choice", "Booked straight away"),
    "requests_approved": ("chart-first-choice", "Requests approved"),
    "requests_approved_first_choice": ("chart-first-choice", "Approved for the first choice"),
    "first_choice_booked_percent": ("chart-first-choice", "First choice booked"),
    "requests_answered": ("chart-answered", "Requests answered"),
    "requests_answered_in_time": ("chart-answered", "In time"),
    "answered_in_time_percent": ("chart-answered", "Answered in time"),
    "cancelled_by_visitors": ("chart-cancellations", "By visitors"),
    "cancelled_by_prison": ("chart-cancellations", "By the prison"),
    "attended": ("chart-attendance", "Attended"),
    "did_not_attend": ("chart-attendance", "Did not attend"),
    "attendance_not_recorded": ("chart-attendance", "Not recorded"),
    "attendance_percent": ("chart-attendance", "Attendance"),
}
ALSO_IN_THE_TABLES = {
    "booked_or_requested_online": ("chart-digital", "Online"),
    "booked_or_requested": ("chart-digital", "All channels"),
}
IN_THE_TABLES = {*CSV_COLUMNS.values(), *ALSO_IN_THE_TABLES.values()}
# The columns that add up others in their row: nothing of their own to publish.
SUMS = {("chart-bookings", "All"), ("chart-digital", "All channels"), ("chart-cancellations", "All")}
# Each percentage column: the columns of its row it is the percentage of (parts over wholes).
PERCENTAGES = {
    ("chart-digital", "Online share"): (["Online"], ["All channels"]),
    ("chart-completion", "Completion rate"): (["Ended in a booking or request"], ["Journeys started"]),
    ("chart-first-choice", "First choice booked"): (
        ["Booked straight away", "Approved for the first choice"],
        ["Booked straight away", "Requests approved"],
    ),
    ("chart-answered", "Answered in time"): (["In time"], ["Requests answered"]),
    ("chart-attendance", "Attendance"): (["Attended"], ["Attended", "Did not attend"]),
}


def is_share(text: str) -> bool:
    return text == "–" or text.endswith("%")


def table_cells(tables: dict[str, list[list[str]]]) -> dict[Key, str]:
    """Every cell of every chart's table, by its chart, column and week."""
    cells = {}
    for chart, (head, *rows) in tables.items():
        for row in rows:
            for heading, text in zip(head[1:], row[1:], strict=True):
                cells[chart, heading, row[0]] = text
    return cells


def counts(cells: dict[Key, str]) -> dict[Key, int]:
    return {key: int(text.replace(",", "")) for key, text in cells.items() if not is_share(text)}


def csv_rows(client: Client) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(client.get("/performance.csv").content.decode())))


def csv_cells(rows: list[dict[str, str]]) -> dict[Key, str]:
    """The CSV's cells as the tables write them: by chart, column and week, a percentage with its sign."""
    cells = {}
    for row in rows:
        monday = date.fromisoformat(row["week_beginning"])
        week = f"{monday.day} {monday:%b %Y}"
        for column, (chart, heading) in CSV_COLUMNS.items():
            value = row[column]
            if column.endswith("_percent"):
                value = f"{value}%" if value else "–"
            cells[chart, heading, week] = value
            if column in ALSO_IN_THE_TABLES:
                cells[(*ALSO_IN_THE_TABLES[column], week)] = value
    return cells


def shown_prisons(page: str) -> list[str]:
    return [slug for slug in re.findall(r'<option value="([^"]*)"', page) if slug]


def truth(prison: object) -> dict[Key, int]:
    """A prison's exact figures, in the shape of the published tables: what an attacker would like to know."""
    charts = figure_charts(weekly_figures(period=PERIOD, prison=prison))  # type: ignore[arg-type]
    return counts(table_cells({chart.key: [chart.head, *chart.rows] for chart in charts}))


def could_stand_for(published: int) -> range:
    """The true counts that the rule the page states (to the nearest 5, halves up) publishes as ``published``: an
    attacker who knows the rule knows no more than this."""
    return range(max(0, published - 2), published + 3) if published % ROUND_TO == 0 else range(0)


def add_journeys(seeded: Seeded) -> None:
    """Enough journeys in one week, at Rochester, for a percentage to be published."""
    JourneyCount.objects.create(prison=seeded.rochester, day=date(2026, 10, 20), started=121, completed=82)


def test_a_hidden_prison_cannot_be_worked_out_by_subtraction(client: Client, twelve_weeks: Seeded) -> None:
    """The attacker: takes every prison shown from the figures for England and Wales, on the page and in the CSV,
    week by week and column by column, to find the figures of Cardiff, hidden for having 2 visits."""
    page = client.get("/performance").content.decode()
    shown = shown_prisons(page)
    assert shown == ["rochester"] and "cardiff" not in shown
    each_shown = [
        counts(table_cells(chart_tables(client.get(f"/performance?prison={slug}").content.decode()))) for slug in shown
    ]
    hidden = truth(twelve_weeks.cardiff)
    # What there is to find: Cardiff's 2 online bookings, 5 journeys (2 completed), 2 visits unrecorded.
    assert hidden["chart-bookings", "Online", "2 Nov 2026"] == 2
    assert hidden["chart-completion", "Journeys started", "2 Nov 2026"] == 5
    assert hidden["chart-attendance", "Not recorded", "9 Nov 2026"] == 2
    for source, national in (
        ("page", counts(table_cells(chart_tables(page)))),
        ("CSV", counts(csv_cells(csv_rows(client)))),
    ):
        assert national.keys() <= hidden.keys()
        # 1. Plain subtraction does not give the hidden prison's figures.
        differenced = {key: value - sum(prison[key] for prison in each_shown) for key, value in national.items()}
        found = {key: value for key, value in differenced.items() if hidden[key]}
        assert found != {key: hidden[key] for key in found}, source
        # 2. Nor does it knowing the rule: every hidden count could be any of several, the truth among them. The
        # attacker also knows a hidden prison had fewer than 10 visits booked or requested.
        for key, value in national.items():
            if key[:2] in SUMS:
                continue
            national_could_be = could_stand_for(value)
            shown_could_be = [could_stand_for(prison[key]) for prison in each_shown]
            assert national_could_be and all(shown_could_be), f"{source}: {key} is not rounded by the rule"
            low = max(0, national_could_be[0] - sum(r[-1] for r in shown_could_be))
            high = national_could_be[-1] - sum(r[0] for r in shown_could_be)
            if key[0] == "chart-bookings":
                high = min(high, MINIMUM_VISITS - 1)
            assert high - low >= 2, f"{source}: {key} is between {low} and {high}"
            assert low <= hidden[key] <= high, f"{source}: {key}"


def published_pages(client: Client) -> list[str]:
    page = client.get("/performance").content.decode()
    return [page, *(client.get(f"/performance?prison={slug}").content.decode() for slug in shown_prisons(page))]


def test_no_published_count_is_below_five(client: Client, twelve_weeks: Seeded) -> None:
    """Every count, in the summary, the charts' sentences, the charts' tables and the CSV, is a multiple of 5; every
    percentage is of at least 50, worked out from the published counts of its row (it tells nothing more)."""
    add_journeys(twelve_weeks)
    shares_shown = 0
    everything: list[dict[Key, str]] = [csv_cells(csv_rows(client))]
    for page in published_pages(client):
        everything.append(table_cells(chart_tables(page)))
        summary = re.findall(r'<dd class="govuk-summary-list__value">\s*(.*?)\s*</dd>', page, flags=re.S)
        assert len(summary) == 7
        in_sentences = re.findall(r"(\d[\d,]*) visits (?:booked or requested|cancelled) in these weeks", page)
        assert len(in_sentences) == 4  # two charts' sentences, in the page and in the charts' descriptions
        for text in summary + in_sentences:
            if not is_share(text):
                assert int(text.replace(",", "")) % ROUND_TO == 0, text
        # The period's bookings are the sum of the weeks' published bookings.
        weeks = chart_tables(page)["chart-bookings"][1:]
        assert summary[0] == f"{sum(int(row[-1].replace(',', '')) for row in weeks):,}"
    for cells in everything:
        for key, text in cells.items():
            if key[:2] in PERCENTAGES:
                parts, wholes = PERCENTAGES[key[:2]]
                part = sum(int(cells[key[0], column, key[2]].replace(",", "")) for column in parts)
                whole = sum(int(cells[key[0], column, key[2]].replace(",", "")) for column in wholes)
                if whole < MINIMUM_FOR_PERCENTAGE:
                    assert text == "–", key
                else:
                    assert text == f"{round(100 * part / whole)}%", key
                    shares_shown += 1
            else:
                assert int(text.replace(",", "")) % ROUND_TO == 0, (key, text)
    assert shares_shown >= 3  # the completion rate of 19 October: nationally, at Rochester, in the CSV


def test_the_page_and_the_csv_publish_the_same_figures(client: Client, twelve_weeks: Seeded) -> None:
    add_journeys(twelve_weeks)
    rows = csv_rows(client)
    from_csv = csv_cells(rows)
    on_the_page = table_cells(chart_tables(client.get("/performance").content.decode()))
    assert from_csv == {key: text for key, text in on_the_page.items() if key[:2] in IN_THE_TABLES}
    assert from_csv["chart-completion", "Completion rate", "19 Oct 2026"] == "67%"  # 80 of 120 (82 of 121 exactly: 68%)
    assert from_csv["chart-bookings", "Online", "2 Nov 2026"] == "15"  # 13 exactly
    assert all(int(row["requests_made"]) % ROUND_TO == 0 for row in rows)  # the CSV's own column: rounded too
    # The parts add up to the published totals: nothing more to learn from one than from the others.
    for (chart, heading, week), text in on_the_page.items():
        if (chart, heading) == ("chart-bookings", "All"):
            parts = ["Online", "Phone", "Email", "In person", "By the prisoner"]
            assert int(text) == sum(int(on_the_page[chart, part, week]) for part in parts)
