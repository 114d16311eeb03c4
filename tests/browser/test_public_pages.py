"""The first public pages in a real Chromium at 375 px: GOV.UK assets load, axe finds nothing, JS on and off."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


@pytest.fixture
def prisons(prison_data_dir: Path) -> None:
    call_command("import_prisons", str(prison_data_dir), stdout=StringIO())


def failed_responses(page: Any) -> list[str]:
    failures: list[str] = []
    page.on("response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return failures


def shoot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_start_page_uses_the_govuk_template_fonts_and_has_no_violations(live_server: Any, page: Any) -> None:
    failures = failed_responses(page)
    page.goto(live_server.url + "/")
    page.wait_for_load_state("networkidle")
    assert page.title() == "Book a visit to someone in prison – Visit someone in prison – GOV.UK"
    assert page.locator(".govuk-service-navigation__service-name").inner_text() == "Visit someone in prison"
    assert page.locator(".govuk-phase-banner").is_visible()
    assert page.get_by_role("button", name="Start now").is_visible()
    font = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert "GDS Transport" in font
    assert page.evaluate("document.fonts.check('19px \"GDS Transport\"')")
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    assert failures == []
    assert axe_violations(page) == []
    shoot(page, "start")


def test_choose_a_prison_with_the_autocomplete(live_server: Any, page: Any, prisons: None) -> None:
    failures = failed_responses(page)
    page.goto(live_server.url + "/prison")
    field = page.get_by_role("combobox", name="Which prison are you visiting?")
    field.fill("Roch")
    page.get_by_role("option", name="Rochester").click()
    assert axe_violations(page) == []
    shoot(page, "choose-prison")
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    assert page.locator("h1").inner_text() == "Who are you visiting?"
    assert page.locator(".govuk-caption-l").inner_text() == "Rochester"
    assert failures == []


def test_choose_a_prison_without_javascript(live_server: Any, page_without_js: Any, prisons: None) -> None:
    page = page_without_js
    page.goto(live_server.url + "/prison")
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    assert "Enter or select the prison you are visiting" in summary.inner_text()
    assert page.title().startswith("Error: ")
    shoot(page, "choose-prison-error-no-js")
    page.get_by_label("Which prison are you visiting?").select_option(label="Cardiff")
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    assert page.locator(".govuk-caption-l").inner_text() == "Cardiff"


def test_error_summary_is_focused_and_accessible(live_server: Any, page: Any, prisons: None) -> None:
    page.goto(live_server.url + "/prison")
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    assert axe_violations(page) == []


def test_prison_page_shows_the_week_and_switches_to_welsh(live_server: Any, page: Any, prisons: None) -> None:
    page.goto(live_server.url + "/prisons/rochester")
    times = page.locator("#visiting-times").inner_text()
    assert re.search(r"2pm to 3:45pm", times)
    assert axe_violations(page) == []
    shoot(page, "prison-rochester")
    page.goto(live_server.url + "/prisons/cardiff")
    with page.expect_navigation():
        page.get_by_role("button", name="Cymraeg").click()
    assert page.locator("h1").inner_text() == "Caerdydd"
    assert page.locator("html").get_attribute("lang") == "cy"
    assert axe_violations(page) == []


@pytest.mark.parametrize(
    "path", ["/help", "/cookies", "/accessibility", "/privacy", "/prison-data-licence", "/no-such-page"]
)
def test_content_and_error_pages_have_no_violations(live_server: Any, page: Any, path: str) -> None:
    page.goto(live_server.url + path)
    assert page.locator("h1").count() == 1
    assert axe_violations(page) == []


def test_the_bad_request_page_is_a_govuk_page_with_no_violations(live_server: Any, page: Any) -> None:
    """What the service answers to a request it cannot read (here an Accept header that lists no media type: a
    browser cannot send a form in latin-1, which gets the same page)."""
    page.route("**/readyz", lambda route: route.continue_(headers={**route.request.headers, "accept": "*"}))
    response = page.goto(live_server.url + "/readyz")
    assert response.status == 400
    assert page.locator("h1").inner_text() == "Sorry, there is a problem with what your browser sent"
    assert axe_violations(page) == []
    shoot(page, "error-400")


def test_staff_sign_in_goes_to_the_prison(live_server: Any, page: Any, prisons: None, django_user_model: Any) -> None:
    call_command("seed_demo", "--force", stdout=StringIO())
    page.goto(live_server.url + "/staff/")
    assert page.locator("h1").inner_text() == "Sign in"
    assert axe_violations(page) == []
    page.get_by_label("Username").fill("rochester")
    page.get_by_label("Password").fill("visits-demo-2026")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert page.locator("h1").inner_text().startswith("Today")
    assert "Rochester" in page.locator(".app-prison-bar").inner_text()
    assert axe_violations(page) == []
    shoot(page, "staff-today")
