"""A real Chromium (Debian's), driven by Playwright, and axe-core for accessibility."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import CHROMIUM

MOBILE = {"width": 375, "height": 812}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM:
        pytest.skip("needs Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A phone-sized page with JavaScript on."""
    context = browser.new_context(viewport=MOBILE)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def page_without_js(browser: Any) -> Iterator[Any]:
    """A phone-sized page with JavaScript off."""
    context = browser.new_context(viewport=MOBILE, java_script_enabled=False)
    page = context.new_page()
    yield page
    context.close()


def axe_violations(page: Any) -> list[tuple[str, str, list[Any]]]:
    """Run axe-core (WCAG 2.0, 2.1 and 2.2 A and AA rules) on the page; each violation as (rule, impact, targets)."""
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]]) for v in result.response["violations"]]
