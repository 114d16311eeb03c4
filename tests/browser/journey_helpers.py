"""Shared steps for the browser tests of the booking journey and of managing a visit.

Every helper that lands on a page runs axe on it (``look``), so a test that walks through the journey checks every
page it visits. Screenshots are full-page PNGs at 375 px: into ``docs/screenshots/`` when ``SAVE_SCREENSHOTS=1``
(to commit them), otherwise into ``test-results/screenshots/``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.test import Client

from tests.browser.conftest import axe_violations
from visits.models import Visit

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / ("docs/screenshots" if os.environ.get("SAVE_SCREENSHOTS") == "1" else "test-results/screenshots")
ROCHESTER_PHONE = "0300 060 6513"


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    born: date
    number: str = ""  # prisoners only

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


RYAN = Person("Ryan", "Walker", date(1988, 4, 12), "A1001AA")  # an ordinary convicted prisoner at Rochester
DANIEL = Person("Daniel", "Hughes", date(1979, 11, 30), "A1002AA")  # no visiting orders left
STEPHEN = Person("Stephen", "Gray", date(1970, 10, 1), "A1010AA")  # no social visits at all
SOPHIE = Person("Sophie", "Walker", date(1990, 7, 3))  # Ryan's wife, approved (contact 100101)
KAREN = Person("Karen", "Walker", date(1962, 2, 19))  # Ryan's mother, approved (contact 100102)
LILY = Person("Lily", "Walker", date(2017, 9, 25))  # Ryan's daughter, approved (contact 100103)
EMMA = Person("Emma", "Hughes", date(1981, 5, 14))  # Daniel's wife, approved
ELAINE = Person("Elaine", "Gray", date(1972, 4, 22))  # Stephen's wife, approved
DAVE = Person("Dave", "Stranger", date(1980, 1, 1))  # on nobody's approved list: the visit becomes a request
CHILD = Person("Kai", "Walker", date(2012, 1, 1))  # too young to lead a visit


# --- Looking at pages ---------------------------------------------------------------------------------------------


def shoot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def javascript_ran(page: Any) -> bool:
    """Whether the page ran its scripts: GOV.UK's template marks the body as the page starts."""
    return bool(page.evaluate("document.body.classList.contains('js-enabled')"))


def accessibility_problems(page: Any) -> list[Any]:
    """axe's violations on the page as it stands. axe cannot run in a page with JavaScript off (its run never
    settles), so such a page is checked as a copy: its current DOM, less scripts, in a page that runs axe, at the
    same size and with the same stylesheets (a <base> keeps the links working)."""
    if javascript_ran(page):
        return axe_violations(page)
    html = re.sub(r"<script\b.*?</script>", "", page.content(), flags=re.DOTALL | re.IGNORECASE)
    html = re.sub(r"(<head\b[^>]*>)", lambda m: f'{m.group(1)}<base href="{page.url}">', html, count=1)
    context = page.context.browser.new_context(viewport=page.viewport_size)
    try:
        copy = context.new_page()
        copy.set_content(html, wait_until="load")
        assert not javascript_ran(copy)
        return axe_violations(copy)
    finally:
        context.close()


# A known bug, tested on its own (test_the_date_picker_fits_a_phone_without_scrolling_sideways): GOV.UK's legend is
# display: table, so a visually hidden legend grows to its text's width and pushes the page sideways. Every other
# element must fit.
KNOWN_OVERFLOW = ".app-picker legend.govuk-visually-hidden"
OVERFLOWING = """known => {
  const width = document.documentElement.clientWidth
  return [...document.querySelectorAll('body *')]
    .filter(e => !e.closest(known))
    .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.right > width + 1 })
    .map(e => e.tagName.toLowerCase() + [...e.classList].map(c => '.' + c).join(''))
}"""


def overflowing(page: Any, *, known: str = KNOWN_OVERFLOW) -> list[str]:
    """The elements that stick out past the right edge of the screen (WCAG 1.4.10 Reflow: no sideways scrolling)."""
    return list(page.evaluate(OVERFLOWING, known or ":not(*)"))


def look(page: Any, shot: str | None = None) -> None:
    """Check the page with axe (no violations allowed) and that nothing makes it scroll sideways at 375 px and,
    if named, save its screenshot."""
    violations = accessibility_problems(page)
    assert violations == [], (page.url, violations)
    assert overflowing(page) == [], page.url
    if shot:
        shoot(page, shot)


def path(page: Any) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url)


def h1(page: Any) -> str:
    return page.locator("h1").inner_text().strip()


def press_button(page: Any, name: str = "Continue") -> None:
    """Click a button (or a link styled as one) and wait for the page it leads to."""
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


def follow_link(page: Any, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("link", name=name, exact=True).click()


def assert_errors(page: Any, *messages: str) -> None:
    """The page shows the GOV.UK error summary with these messages, and its title starts "Error: "."""
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible(), page.url
    text = summary.inner_text()
    for message in messages:
        assert message in text, (message, text)
    assert page.title().startswith("Error: "), page.title()


def fill_date(page: Any, born: date) -> None:
    page.get_by_label("Day", exact=True).fill(str(born.day))
    page.get_by_label("Month", exact=True).fill(str(born.month))
    page.get_by_label("Year", exact=True).fill(str(born.year))


# --- The keyboard --------------------------------------------------------------------------------------------------

# GOV.UK Frontend's focus colour: every focused control shows it (outline, background or box shadow).
FOCUS_VISIBLE = """() => {
  const el = document.activeElement
  if (!el || !el.matches(':focus-visible')) return false
  const yellow = 'rgb(255, 221, 0)'
  const styles = [getComputedStyle(el)]
  if (el.matches('input[type=radio], input[type=checkbox]') && el.labels.length) {
    // The input itself is transparent: the focus ring is drawn around the label's box.
    styles.push(getComputedStyle(el.labels[0], '::before'))
  }
  return styles.some(s => (s.outlineStyle !== 'none' && s.outlineColor === yellow)
    || s.boxShadow.includes(yellow) || s.backgroundColor === yellow)
}"""


def is_focused(locator: Any) -> bool:
    return bool(locator.evaluate("el => el === document.activeElement"))


def focus_is_visible(page: Any) -> bool:
    return bool(page.evaluate(FOCUS_VISIBLE))


def tab_to(page: Any, locator: Any, *, limit: int = 80) -> None:
    """Press Tab until ``locator`` has the focus, then check the focus can be seen."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if is_focused(locator):
            assert focus_is_visible(page), f"no visible focus on {locator}"
            return
    raise AssertionError(f"{limit} presses of Tab never reached {locator} on {page.url}")


def press_enter(page: Any) -> None:
    """Press Enter on the focused control and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


# --- The journey's steps, in the browser -----------------------------------------------------------------------------


def choose_prison(page: Any, name: str = "Rochester", *, js: bool = True) -> None:
    """On /prison: the autocomplete with JavaScript, the plain select without. Leaves the answer unsubmitted."""
    if js:
        field = page.get_by_role("combobox", name="Which prison are you visiting?")
        field.fill(name[:4])
        page.get_by_role("option", name=name, exact=True).click()
    else:
        page.get_by_label("Which prison are you visiting?").select_option(label=name)


def enter_prisoner(page: Any, prisoner: Person) -> None:
    page.get_by_label("First name").fill(prisoner.first_name)
    page.get_by_label("Last name").fill(prisoner.last_name)
    fill_date(page, prisoner.born)
    page.get_by_label("Prisoner number").fill(prisoner.number)


def enter_visitor(page: Any, visitor: Person) -> None:
    page.get_by_label("First name").fill(visitor.first_name)
    page.get_by_label("Last name").fill(visitor.last_name)
    fill_date(page, visitor.born)


def answer(page: Any, label: str, button: str = "Continue") -> None:
    """Choose a radio by its label and submit."""
    page.get_by_label(label, exact=True).check()
    press_button(page, button)


def picker_days(page: Any) -> Any:
    """The days of the date picker that open to times (one <details> each)."""
    return page.locator("details.app-picker__day")


def pick_time(page: Any, day: int = 0, time: int = 0) -> int:
    """Open the date picker's ``day``-th bookable day by its summary (works with JavaScript off), choose its
    ``time``-th session; returns the session's id. Leaves the answer unsubmitted."""
    details = picker_days(page).nth(day)
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    radio = details.locator("input[name=session]").nth(time)
    radio.check()
    assert details.get_attribute("open") is not None
    return int(radio.get_attribute("value"))


def give_email(page: Any, email: str) -> None:
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("Email address").fill(email)


def start_journey(page: Any, base: str, prisoner: Person, *, js: bool = True) -> None:
    """From the start page through entering the prisoner, checking each page on the way; ends on the page that
    follows (the lead visitor, or a drop-out), not yet checked."""
    page.goto(base + "/")
    look(page)
    press_button(page, "Start now")
    look(page)
    choose_prison(page, js=js)
    press_button(page)
    look(page)
    enter_prisoner(page, prisoner)
    press_button(page)


def add_party(page: Any, *visitors: Person) -> None:
    """From the lead visitor page: add the visitors, then say no more; ends on the support question, not yet
    checked."""
    look(page)
    for index, visitor in enumerate(visitors):
        if index:
            answer(page, "Yes")
            look(page)
        enter_visitor(page, visitor)
        press_button(page)
        look(page)
    answer(page, "No")


def journey_to_time(page: Any, base: str, prisoner: Person, *visitors: Person, js: bool = True) -> None:
    """From the start page to choosing a time (or the drop-out that stops the visitor first), not yet checked."""
    start_journey(page, base, prisoner, js=js)
    add_party(page, *visitors)
    look(page)
    press_button(page)  # no help or support needed


# --- Making a visit without the browser, for the manage tests ---------------------------------------------------------


def _dob(born: date) -> dict[str, str]:
    return {
        "date_of_birth-day": str(born.day),
        "date_of_birth-month": str(born.month),
        "date_of_birth-year": str(born.year),
    }


def _session_ids(html: str) -> list[int]:
    return [int(v) for v in re.findall(r'name="session" type="radio" value="(\d+)"', html)]


def visit_made_with_client(*visitors: Person, email: str = "sophie@example.com", times: int = 1) -> Visit:
    """Book (or, with a visitor not on the list, request) a visit to Ryan Walker at Rochester through Django's test
    client, as the journey tests do in the browser: the manage tests start from the visit."""
    client = Client()
    steps = [
        ("/prison", {"prison": "rochester"}, "/prisoner"),
        (
            "/prisoner",
            {"first_name": RYAN.first_name, "last_name": RYAN.last_name, "number": RYAN.number, **_dob(RYAN.born)},
            "/visitors",
        ),
    ]
    for index, visitor in enumerate(visitors):
        if index:
            steps.append(("/visitors", {"add_another": "yes"}, "/visitors/add"))
        steps.append(
            (
                "/visitors/add",
                {"first_name": visitor.first_name, "last_name": visitor.last_name, **_dob(visitor.born)},
                "/visitors",
            )
        )
    steps += [("/visitors", {"add_another": "no"}, "/support"), ("/support", {}, "/choose-time")]
    for url, data, goes_to in steps:
        response = client.post(url, data)
        assert response.status_code == 302 and response["Location"] == goes_to, (url, response.content[:2000])
    chosen: list[int] = []
    for rank in range(1, times + 1):
        url = "/choose-time" if rank == 1 else f"/choose-time/{rank}"
        session = next(i for i in _session_ids(client.get(url).content.decode()) if i not in chosen)
        chosen.append(session)
        response = client.post(url, {"session": session})
        if response["Location"] == "/another-time":
            response = client.post("/another-time", {"another": "yes" if rank < times else "no"})
    assert response["Location"] == "/contact", response["Location"]
    assert client.post("/contact", {"updates": ["email"], "email": email})["Location"] == "/check"
    assert client.post("/check")["Location"] == "/confirmation"
    return Visit.objects.select_related("session").get()
