"""The public performance dashboard in Chromium at 1280 and 375 px, with seeded figures: axe finds nothing, nothing
breaks the Content Security Policy, the charts are images with names, their tables work with JavaScript off, and
the prison chooser works without JavaScript. Screenshots: docs/screenshots/performance-1280.png and -375.png with
SAVE_SCREENSHOTS=1 (test-results/screenshots/ otherwise)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests.browser.conftest import DESKTOP, MOBILE, axe_violations, refuse_csp_violations
from tests.performance.conftest import seed_twelve_weeks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / ("docs/screenshots" if os.environ.get("SAVE_SCREENSHOTS") == "1" else "test-results/screenshots")


@pytest.fixture
def seeded() -> date:
    """The twelve weeks' visits, their busy week three weeks before this one (the live server runs in real time):
    its Monday."""
    today = timezone.localdate()
    busy = today - timedelta(days=today.weekday() + 21)
    seed_twelve_weeks(busy=busy)
    return busy


def week_cells(table: Any, monday: date) -> list[str]:
    """The texts of a week's row of a chart's table."""
    row = table.get_by_role("row").filter(has_text=f"{monday.day} {monday:%b %Y}")
    return [text.strip() for text in row.get_by_role("cell").all_inner_texts()]


def context_page(browser: Any, viewport: dict[str, int], *, javascript: bool = True) -> Iterator[Any]:
    context = browser.new_context(viewport=viewport, java_script_enabled=javascript)
    page = context.new_page()
    blocked = refuse_csp_violations(page)
    yield page
    context.close()
    assert blocked == [], blocked


@pytest.fixture
def desktop(browser: Any) -> Iterator[Any]:
    yield from context_page(browser, DESKTOP)


@pytest.fixture
def phone_without_js(browser: Any) -> Iterator[Any]:
    yield from context_page(browser, MOBILE, javascript=False)


def shoot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_the_dashboard_at_1280_and_375(live_server: Any, desktop: Any, seeded: date) -> None:
    page = desktop
    response = page.goto(live_server.url + "/performance")
    assert response is not None and response.status == 200
    assert page.locator("h1").inner_text() == "Service performance"
    charts = page.get_by_role("img")
    names = [charts.nth(i).get_attribute("aria-labelledby") for i in range(charts.count())]
    assert len([n for n in names if n and n.startswith("chart-")]) == 7
    assert page.get_by_role("img", name="Digital take-up: visits booked or requested online").is_visible()
    assert page.locator("svg script, svg style, svg [style]").count() == 0
    # Open one chart's table: its numbers are the figures, rounded (13 of 14 online: too few for a percentage).
    digital = page.locator("#chart-digital")
    digital.get_by_text("Show the figures in a table").click()
    table = digital.get_by_role("table")
    assert table.is_visible()
    assert week_cells(table, seeded) == ["15", "15", "–"]
    assert page.get_by_text("Every count is rounded to the nearest 5").is_visible()
    assert axe_violations(page) == []
    shoot(page, "performance-1280")
    page.set_viewport_size(MOBILE)
    assert axe_violations(page) == []
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= MOBILE["width"], f"the page scrolls sideways at 375 px: {width}"
    shoot(page, "performance-375")


def test_choosing_a_prison_without_javascript(live_server: Any, phone_without_js: Any, seeded: date) -> None:
    page = phone_without_js
    page.goto(live_server.url + "/performance")
    options = page.get_by_label("Show figures for").locator("option").all_inner_texts()
    assert options == ["England and Wales", "Rochester"]  # Cardiff has too few visits to be shown
    page.get_by_label("Show figures for").select_option(label="Rochester")
    with page.expect_navigation():
        page.get_by_role("button", name="Show figures").click()
    assert page.url.endswith("/performance?prison=rochester")
    assert page.locator("h2").first.inner_text() == "Rochester"
    details = page.locator("#chart-completion details")
    details.locator("summary").click()  # native <details>: opens without JavaScript
    # 12 of 20 journeys, rounded: too few for a percentage. (axe needs JavaScript: it runs in the test above.)
    assert week_cells(details.get_by_role("table"), seeded) == ["20", "10", "–"]
