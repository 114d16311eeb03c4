"""Shared steps for the browser tests of the staff console (test_staff_console.py).

Staff work at desktops, so pages are driven at 1280 × 900; ``look`` runs axe there and once more at 375 px wide,
and saves a full-page screenshot at 1280: into ``docs/screenshots/`` when ``SAVE_SCREENSHOTS=1`` (to commit them),
otherwise into ``test-results/screenshots/``.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from typing import Any

from django.contrib.auth.models import Group, User

from accounts.models import PrisonAccess
from tests.browser.conftest import MOBILE, axe_violations

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / ("docs/screenshots" if os.environ.get("SAVE_SCREENSHOTS") == "1" else "test-results/screenshots")
RESULTS = ROOT / "test-results"
PASSWORD = "a-long-staff-test-password"


def make_staff(username: str, role: str, *prisons: Any) -> User:
    """A staff user in the role's group, covering these prisons."""
    user = User.objects.create_user(username, password=PASSWORD, first_name=username.title(), last_name="Tester")
    user.groups.set([Group.objects.get(name=role)])
    for prison in prisons:
        PrisonAccess.objects.create(user=user, prison=prison)
    return user


# --- Looking at pages ---------------------------------------------------------------------------------------------


def shoot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"staff-{name}.png"), full_page=True)


def look(page: Any, shot: str | None = None) -> None:
    """axe finds nothing at the desktop size and at 375 px; if named, save the page's screenshot (at 1280)."""
    violations = axe_violations(page)
    assert violations == [], (page.url, violations)
    if shot:
        shoot(page, shot)
    size = page.viewport_size
    page.set_viewport_size(MOBILE)
    try:
        violations = axe_violations(page)
        assert violations == [], ("375px", page.url, violations)
    finally:
        page.set_viewport_size(size)


def path(page: Any) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url)


def h1(page: Any) -> str:
    return " ".join(page.locator("h1").inner_text().split())


def press(page: Any, name: str, scope: Any = None) -> None:
    """Click a button (or a link styled as one) and wait for the page it leads to."""
    with page.expect_navigation():
        (scope or page).get_by_role("button", name=name, exact=True).click()


def follow(page: Any, name: str, scope: Any = None) -> None:
    with page.expect_navigation():
        (scope or page).get_by_role("link", name=name, exact=True).click()


def go(page: Any, url: str, status: int = 200) -> None:
    response = page.goto(url)
    assert response is not None and response.status == status, (url, response and response.status)


def subnav(page: Any) -> Any:
    return page.get_by_role("navigation", name="Prison navigation")


def banner(page: Any) -> str:
    return " ".join(page.locator(".govuk-notification-banner").inner_text().split())


def assert_errors(page: Any, *messages: str) -> None:
    """The page shows the GOV.UK error summary with these messages, and its title starts "Error: "."""
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible(), page.url
    text = summary.inner_text()
    for message in messages:
        assert message in text, (message, text)
    assert page.title().startswith("Error: "), page.title()


def fill_date(scope: Any, day: date) -> None:
    scope.get_by_label("Day", exact=True).fill(str(day.day))
    scope.get_by_label("Month", exact=True).fill(str(day.month))
    scope.get_by_label("Year", exact=True).fill(str(day.year))


def group(page: Any, legend: str) -> Any:
    """A fieldset, by its legend."""
    return page.get_by_role("group", name=legend, exact=True)


# --- Steps ------------------------------------------------------------------------------------------------------------


def sign_in(page: Any, base: str, username: str, password: str = PASSWORD) -> None:
    """Sign in through the real sign-in page."""
    go(page, base + "/staff/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    press(page, "Sign in")
    assert "/staff/sign-in" not in page.url, page.locator(".govuk-error-summary").all_inner_texts()


def find_prisoner(page: Any, number: str, last_name: str, born: date) -> None:
    """Book a visit, step 1: the prisoner's number, surname and date of birth."""
    page.get_by_label("Prisoner number").fill(number)
    page.get_by_label("Prisoner's last name").fill(last_name)
    fill_date(group(page, "Prisoner's date of birth"), born)
    press(page, "Find prisoner")


def tick_visitors(page: Any, *names: str) -> None:
    visitors = group(page, "Who is visiting?")
    for name in names:
        visitors.get_by_label(name).check()


def session_options(page: Any) -> list[tuple[int, str]]:
    """The sessions offered in the "Visit time" select, as (id, label)."""
    options = page.get_by_label("Visit time").locator("option")
    return [
        (int(value), options.nth(i).inner_text())
        for i in range(options.count())
        if (value := options.nth(i).get_attribute("value"))
    ]


# --- The keyboard -----------------------------------------------------------------------------------------------------

_FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return "";
  const text = e.labels && e.labels.length ? e.labels[0].textContent : (e.getAttribute("aria-label") || e.textContent);
  return text.replace(/\\s+/g, " ").trim();
}"""

_FOCUS_SHOWN = """() => {
  const style = getComputedStyle(document.activeElement);
  const yellow = "rgb(255, 221, 0)";
  return style.backgroundColor === yellow || style.outlineColor === yellow || style.boxShadow.includes(yellow);
}"""


def focused(page: Any) -> str:
    """The name of the focused element: its label, or its text."""
    return page.evaluate(_FOCUSED)


def tab_to(page: Any, name: str, *, limit: int = 60) -> None:
    """Press Tab until the element named ``name`` has the focus."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        if (current := focused(page)) == name:
            return
        seen.append(current)
    raise AssertionError(f"Tab never reached {name!r}: {seen}")


def focus_is_visible(page: Any) -> bool:
    """The focused link, button or text field shows the GOV.UK yellow focus state."""
    return page.evaluate(_FOCUS_SHOWN)
