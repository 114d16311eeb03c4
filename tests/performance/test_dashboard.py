"""The public dashboard at /performance, its CSV, and the staff figures page's charts: the figures (rounded to the
nearest 5 on the public page and in the CSV, exact for staff), the tables under the charts, the minimum before a
prison is shown, no personal data, bounded queries, Welsh. What the published figures reveal: test_disclosure.py."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from accounts.management.commands.sync_roles import sync_roles
from accounts.models import PrisonAccess
from accounts.roles import BOOKING_CLERK
from performance.figures import MINIMUM_VISITS
from tests.journey.test_welsh import MO_FILE, WelshWalk
from tests.performance.conftest import Seeded, add_more_visits
from visits.models import JourneyCount, Visit, Visitor

pytestmark = pytest.mark.django_db
PAGE_QUERIES = 7  # the prisons shown, the figures' five, the session


class Tables(HTMLParser):
    """Each chart's table (by the chart's id) as rows of cell texts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self._chart: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "div" and (values.get("class") or "") == "app-chart":
            self._chart = values["id"]
            self.tables[self._chart] = []
        elif tag == "tr" and self._chart:
            self.tables[self._chart].append([])
        elif tag in ("td", "th") and self._chart and self.tables[self._chart]:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._chart:
            self.tables[self._chart][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def chart_tables(html: str) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(html)
    return parser.tables


def week_row(table: list[list[str]], week: str) -> list[str]:
    return next(row for row in table if row and row[0] == week)


def test_the_national_figures_and_their_tables(client: Client, twelve_weeks: Seeded) -> None:
    """The figures of test_figures.py, rounded to the nearest 5 (0, 1 and 2 are 0), and a percentage only of 50 or
    more rounded: the seeded weeks are too small for one but for the journeys added on 19 October."""
    JourneyCount.objects.create(prison=twelve_weeks.rochester, day=date(2026, 10, 20), started=121, completed=82)
    response = client.get("/performance")
    assert response.status_code == 200
    html = response.content.decode()
    assert "England and Wales" in html
    assert "from Monday 31 August 2026 to Sunday 22 November 2026" in html
    tables = chart_tables(html)
    assert list(tables) == [
        "chart-bookings",
        "chart-digital",
        "chart-completion",
        "chart-first-choice",
        "chart-answered",
        "chart-cancellations",
        "chart-attendance",
    ]
    assert all(len(table) == 1 + 12 for table in tables.values())  # the head, then a row a week
    assert tables["chart-bookings"][0] == [
        "Week beginning",
        "Online",
        "Phone",
        "Email",
        "In person",
        "By the prisoner",
        "All",
    ]
    # Exactly: 13 online, 1 by phone; 13 of 14 online; 25 journeys, 14 completed; 1 request approved, not for its
    # first choice; 1 answered, in time; 1 cancelled by a visitor, 1 by the prison; 2 attended, 1 not, 9 unrecorded.
    assert week_row(tables["chart-bookings"], "2 Nov 2026") == ["2 Nov 2026", "15", "0", "0", "0", "0", "15"]
    assert week_row(tables["chart-digital"], "2 Nov 2026") == ["2 Nov 2026", "15", "15", "–"]
    assert week_row(tables["chart-digital"], "26 Oct 2026") == ["26 Oct 2026", "0", "0", "–"]
    assert week_row(tables["chart-completion"], "2 Nov 2026") == ["2 Nov 2026", "25", "15", "–"]
    assert week_row(tables["chart-completion"], "19 Oct 2026") == ["19 Oct 2026", "120", "80", "67%"]
    assert week_row(tables["chart-first-choice"], "9 Nov 2026") == ["9 Nov 2026", "0", "0", "0", "–"]
    assert week_row(tables["chart-answered"], "2 Nov 2026") == ["2 Nov 2026", "0", "0", "–"]
    assert week_row(tables["chart-cancellations"], "2 Nov 2026") == ["2 Nov 2026", "0", "0", "0"]
    assert week_row(tables["chart-attendance"], "9 Nov 2026") == ["9 Nov 2026", "0", "0", "10", "–"]
    # The period's totals, as the page's summary and the charts' sentences give them: the sums of the rounded weeks.
    assert "15 visits booked or requested in these weeks." in html
    assert "66% of the online journeys started in these weeks ended in a booking or request." in html  # 95 of 145
    assert html.count("There were too few in these weeks to give a percentage.") == 2 * 4  # in the page and the SVG
    assert "Every count is rounded to the nearest 5" in html


def test_each_chart_is_an_accessible_image_without_script_or_style(client: Client, twelve_weeks: Seeded) -> None:
    html = client.get("/performance").content.decode()
    svgs = re.findall(r'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart__svg".*?</svg>', html, flags=re.S)
    assert len(svgs) == 7  # the page's other SVGs are GOV.UK's (the crown, the licence logo)
    for svg in svgs:
        key = re.search(r'aria-labelledby="(chart-[a-z-]+)-title \1-desc"', svg)
        assert key, svg[:300]
        assert 'role="img"' in svg
        assert f'<title id="{key[1]}-title">' in svg and f'<desc id="{key[1]}-desc">' in svg
        assert not re.search(r"<script|<style|\sstyle=|\sid=\"\"|<desc class|tooltip", svg)
        assert svg.count("<title") == 1 and svg.count("<desc") == 1


def test_a_prison_is_shown_only_with_enough_visits(client: Client, twelve_weeks: Seeded) -> None:
    html = client.get("/performance").content.decode()
    assert f"at least {MINIMUM_VISITS} visits were booked or requested there" in html  # the page says the rule
    assert '<option value="rochester"' in html and 'value="cardiff"' not in html
    rochester = client.get("/performance?prison=rochester").content.decode()
    assert '<h2 class="govuk-heading-l">Rochester</h2>' in rochester
    # 11 of 12 online, rounded: too few for a percentage.
    assert week_row(chart_tables(rochester)["chart-digital"], "2 Nov 2026") == ["2 Nov 2026", "10", "10", "–"]
    for asked in ("cardiff", "nowhere", "<script>alert(1)</script>", "x" * 5000):
        response = client.get("/performance", {"prison": asked})
        assert response.status_code == 200
        page = response.content.decode()
        assert "We do not show figures for a prison where fewer than 10 visits" in page
        assert '<h2 class="govuk-heading-l">England and Wales</h2>' in page
        assert "<script>alert" not in page


def test_no_personal_data_on_the_page_or_in_the_csv(client: Client, twelve_weeks: Seeded) -> None:
    pages = [
        client.get("/performance").content.decode(),
        client.get("/performance?prison=rochester").content.decode(),
        client.get("/performance.csv").content.decode(),
    ]
    personal = set()
    for visit in Visit.objects.all():
        personal |= {visit.reference, visit.prisoner_number, visit.prisoner_last_name, visit.contact_email}
        personal |= {visit.contact_phone, "7700 900123", "07700"}
    for visitor in Visitor.objects.all():
        personal |= {f"{visitor.first_name} {visitor.last_name}", visitor.last_name}
    personal |= {"Kim Clerk", "Clerk"}  # staff who booked, approved and cancelled
    for text in pages:
        found = [item for item in personal if item and item in text]
        assert found == []


def test_the_national_csv(client: Client, twelve_weeks: Seeded) -> None:
    response = client.get("/performance.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="visits-performance-2026-11-22.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["week_beginning"] == "2026-08-31" and len(rows) == 12
    # Rounded as the page is (test_disclosure.py checks every cell against the page's).
    busy = next(row for row in rows if row["week_beginning"] == "2026-11-02")
    assert busy["week_ending"] == "2026-11-08"
    assert (busy["booked_or_requested_online"], busy["booked_or_requested_phone"], busy["booked_or_requested"]) == (
        "15",
        "0",
        "15",
    )
    assert (busy["digital_take_up_percent"], busy["journeys_started"], busy["completion_rate_percent"]) == (
        "",
        "25",
        "",
    )
    assert (busy["booked_straight_away"], busy["requests_made"]) == ("10", "0")  # 12 and 2
    assert (busy["cancelled_by_visitors"], busy["cancelled_by_prison"]) == ("0", "0")
    later = next(row for row in rows if row["week_beginning"] == "2026-11-09")
    assert (
        later["requests_approved"],
        later["requests_approved_first_choice"],
        later["first_choice_booked_percent"],
    ) == (
        "0",
        "0",
        "",
    )
    assert (later["attended"], later["did_not_attend"], later["attendance_not_recorded"]) == ("0", "0", "10")
    empty = rows[0]
    assert empty["digital_take_up_percent"] == "" and empty["booked_or_requested"] == "0"


def test_the_page_asks_the_same_few_queries_however_many_visits(  # type: ignore[no-untyped-def]
    client: Client, twelve_weeks: Seeded, django_assert_max_num_queries
) -> None:
    from django.core.cache import cache

    with django_assert_max_num_queries(PAGE_QUERIES):
        client.get("/performance?prison=rochester")
    add_more_visits(twelve_weeks.rochester, twelve_weeks.tenth, 15)
    cache.clear()
    with django_assert_max_num_queries(PAGE_QUERIES):
        page = client.get("/performance?prison=rochester").content.decode()
    assert week_row(chart_tables(page)["chart-bookings"], "2 Nov 2026")[-1] == "25"  # 26 online, 1 by phone
    with django_assert_max_num_queries(2):  # kept for a while: the prisons shown, the session
        client.get("/performance?prison=rochester")
    with django_assert_max_num_queries(PAGE_QUERIES):
        client.get("/performance.csv")


def test_the_page_in_welsh(client: Client, twelve_weeks: Seeded) -> None:
    if not MO_FILE.exists():
        pytest.fail("The Welsh catalogue is not compiled: run `make compilemessages`")
    walk = WelshWalk(client, same={"Rochester", "Cardiff"})
    welsh = walk.check("performance", "GET", "/performance")
    walk.check("performance, a prison", "GET", "/performance?prison=rochester")
    walk.check("performance, a prison not shown", "GET", "/performance?prison=cardiff")
    walk.assert_all_welsh()
    assert "Perfformiad y gwasanaeth" in welsh
    assert "Cymru a Lloegr" in welsh


def test_the_staff_figures_page_draws_the_same_charts(twelve_weeks: Seeded) -> None:  # type: ignore[no-untyped-def]
    sync_roles()
    clerk = User.objects.create_user("booker", password="a-long-test-password")
    clerk.groups.set([Group.objects.get(name=BOOKING_CLERK)])
    PrisonAccess.objects.create(user=clerk, prison=twelve_weeks.rochester)
    PrisonAccess.objects.create(user=clerk, prison=twelve_weeks.cardiff)
    client = Client()
    client.force_login(clerk)
    rochester = client.get("/staff/rochester/performance").content.decode()
    tables = chart_tables(rochester)
    assert len(tables) == 7
    assert week_row(tables["chart-digital"], "2 Nov 2026") == ["2 Nov 2026", "11", "12", "92%"]
    assert "From Monday 31 August 2026 to Sunday 22 November 2026" in rochester or "31 August 2026" in rochester
    # Staff see their own prison's charts whatever its number of visits: no minimum in the console.
    cardiff = chart_tables(client.get("/staff/cardiff/performance").content.decode())
    assert week_row(cardiff["chart-bookings"], "2 Nov 2026") == ["2 Nov 2026", "2", "0", "0", "0", "0", "2"]
