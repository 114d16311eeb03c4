"""Shared set-up for the journey error, fuzz and query tests: Rochester and the NOMIS stub seeded at a frozen
time, journeys driven to a given step with Django's test client, and a small reader of GOV.UK error pages.

Rochester (from prisons/data): adult age 16, up to 6 visitors of whom up to 3 adults, sessions every afternoon
and on Saturday mornings, bookable from Friday 27 November to Monday 21 December 2026 when today is Monday
23 November 2026. The known NOMIS prisoner A1001AA (Ryan Walker, born 12 April 1988) has Sophie Walker (born
3 July 1990) on his approved list, so she books instantly; anyone else makes the visit a request.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from journey.steps import SESSION_KEY
from prisons.nomis.stub.known_prisoners import KNOWN_NUMBERS
from prisons.nomis.stub.seed import stub_seed
from prisons.services import sessions_generate
from visits.links import manage_token
from visits.models import Visit
from visits.selectors import forget_prisoner_context

TODAY = date(2026, 11, 23)  # a Monday
PRISONER = {"first_name": "Ryan", "last_name": "Walker", "number": "A1001AA", "born": date(1988, 4, 12)}
APPROVED_VISITOR = ("Sophie", "Walker", date(1990, 7, 3))  # on A1001AA's approved list: an instant booking
UNKNOWN_VISITOR = ("Dave", "Stranger", date(1980, 1, 1))  # not on the list: the visit becomes a request
VALID_MOBILE = "07912 345 678"

# The journey's pages in order; ``journey_to(client, step)`` leaves the client able to GET that page.
STEPS = ("start", "prison", "prisoner", "visitor-add", "visitors", "support", "choose-time", "contact", "check")
REQUEST_STEPS = ("another-time",)


def nine_am() -> datetime:
    return datetime(2026, 11, 23, 9, 0, tzinfo=timezone.get_current_timezone())


@contextmanager
def frozen_at_nine() -> Iterator[Any]:
    """Monday 23 November 2026, 9am, with the clock stopped: holds never run out and every run is the same."""
    with time_machine.travel(nine_am(), tick=False) as traveller:
        yield traveller


def forget_lookups() -> None:
    """Forget the rate-limit counts and cached NOMIS facts that earlier tests left in the process-wide cache, key by
    key (with Redis, ``cache.clear()`` would flush more than this test's keys)."""
    keys = [f"ratelimit:{scope}:127.0.0.1" for scope in ("prisoner-client", "visit-lookup")]
    keys += [f"ratelimit:prisoner-number:{number}" for number in KNOWN_NUMBERS]
    cache.delete_many(keys)
    for number in KNOWN_NUMBERS:
        forget_prisoner_context(number)  # the cached facts are kept under a generation: move it on


def seed_rochester(tmp_path: Path, prison_data_dir: Path) -> None:
    """Rochester, its sessions for the window, and the seeded NOMIS stub (the fixed test prisoners)."""
    forget_lookups()
    (tmp_path / "RCI-rochester.yml").write_text((prison_data_dir / "RCI-rochester.yml").read_text())
    with frozen_at_nine():
        with open("/dev/null", "w") as devnull:
            call_command("import_prisons", str(tmp_path), stdout=devnull)
        stub_seed(seed=1, per_prison=3, today=TODAY)
        sessions_generate(today=TODAY)


# --- Driving the journey -------------------------------------------------------------------------------------------


def dob(prefix: str, day: date) -> dict[str, str]:
    return {f"{prefix}-day": str(day.day), f"{prefix}-month": str(day.month), f"{prefix}-year": str(day.year)}


def prisoner_data(**overrides: str) -> dict[str, str]:
    data = {
        "first_name": PRISONER["first_name"],
        "last_name": PRISONER["last_name"],
        "number": PRISONER["number"],
        **dob("date_of_birth", PRISONER["born"]),  # type: ignore[arg-type]
    }
    return {**data, **overrides}


def visitor_data(first: str, last: str, born: date, **overrides: str) -> dict[str, str]:
    return {"first_name": first, "last_name": last, **dob("date_of_birth", born), **overrides}


def expect_redirect(response: Any, location: str) -> None:
    assert response.status_code == 302, (response.status_code, response.content.decode()[:3000])
    assert response["Location"] == location, response["Location"]


def add_visitor(client: Client, first: str, last: str, born: date) -> None:
    expect_redirect(client.post("/visitors/add", visitor_data(first, last, born)), "/visitors")


def first_radio_value(html: str) -> str:
    marker = 'name="session" type="radio" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def radio_values(html: str) -> list[str]:
    return re.findall(r'name="session" type="radio" value="(\d+)"', html)


def journey_to(client: Client, step: str, *, request: bool = False) -> None:
    """Answer every step before ``step`` the way a visitor would. ``request``: the lead visitor is not on the
    approved list, so the visit is a request (and ``another-time`` is reachable)."""
    order = STEPS + REQUEST_STEPS
    if step not in order:
        raise ValueError(step)
    reached = order.index(step) if step in STEPS else STEPS.index("contact")
    if reached <= STEPS.index("prison"):
        return
    expect_redirect(client.post("/prison", {"prison": "rochester"}), "/prisoner")
    if reached <= STEPS.index("prisoner"):
        return
    expect_redirect(client.post("/prisoner", prisoner_data()), "/visitors")
    if reached <= STEPS.index("visitor-add"):
        return
    add_visitor(client, *(UNKNOWN_VISITOR if request else APPROVED_VISITOR))
    if reached <= STEPS.index("visitors"):
        return
    expect_redirect(client.post("/visitors", {"add_another": "no"}), "/support")
    if reached <= STEPS.index("support"):
        return
    expect_redirect(client.post("/support", {"needs": ["wheelchair"], "details": "A ramp, please"}), "/choose-time")
    if reached <= STEPS.index("choose-time"):
        return
    session_id = first_radio_value(client.get("/choose-time").content.decode())
    expect_redirect(client.post("/choose-time", {"session": session_id}), "/another-time" if request else "/contact")
    if step == "another-time" or reached <= STEPS.index("contact"):
        return
    if request:
        expect_redirect(client.post("/another-time", {"another": "no"}), "/contact")
    expect_redirect(client.post("/contact", {"updates": ["email"], "email": "sophie@example.com"}), "/check")


def book_visit(client: Client, *, request: bool = False) -> Visit:
    """A whole journey to the confirmation page; the visit it booked (or requested)."""
    journey_to(client, "check", request=request)
    expect_redirect(client.post("/check"), "/confirmation")
    return Visit.objects.get(pk=client.session["confirmed_visit_id"])


def manage_path(visit: Visit, suffix: str = "") -> str:
    return f"/visit/{manage_token(visit)}{suffix}"


def booking_answers(client: Client) -> dict[str, Any]:
    """What the session holds of the journey (a copy)."""
    return copy.deepcopy(dict(client.session.get(SESSION_KEY, {})))


# --- Reading a GOV.UK page -----------------------------------------------------------------------------------------


@dataclass
class Page:
    """What a GOV.UK page says about errors: its title, ids, the error summary's links and the inline messages."""

    title: str = ""
    ids: set[str] = field(default_factory=set)
    summary: list[tuple[str, str]] = field(default_factory=list)  # (href, text)
    inline: list[str] = field(default_factory=list)  # the texts of the govuk-error-message elements
    has_summary: bool = False


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._in_title = False
        self._summary_depth = 0  # >0 inside the error summary's element
        self._link: str | None = None
        self._link_text: list[str] = []
        self._inline_depth = 0
        self._inline_text: list[str] = []
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        classes = attributes.get("class", "").split()
        if "id" in attributes:
            self.page.ids.add(attributes["id"])
        if tag == "title" and not self.page.title:  # the page's own, not an SVG's <title>
            self._in_title = True
        if self._summary_depth and tag == "div":
            self._summary_depth += 1
        elif tag == "div" and "govuk-error-summary" in classes:
            self._summary_depth = 1
            self.page.has_summary = True
        if self._summary_depth and tag == "a":
            self._link, self._link_text = attributes.get("href", ""), []
        if tag == "p" and "govuk-error-message" in classes:
            self._inline_depth, self._inline_text = 1, []
        elif self._inline_depth and tag == "span" and "govuk-visually-hidden" in classes:
            self._hidden_depth = 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if self._summary_depth and tag == "div":
            self._summary_depth -= 1
        if tag == "a" and self._link is not None:
            self.page.summary.append((self._link, " ".join("".join(self._link_text).split())))
            self._link = None
        if tag == "span" and self._hidden_depth:
            self._hidden_depth = 0
        if tag == "p" and self._inline_depth:
            self.page.inline.append(" ".join("".join(self._inline_text).split()))
            self._inline_depth = 0

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.page.title += data
        if self._link is not None:
            self._link_text.append(data)
        if self._inline_depth and not self._hidden_depth:
            self._inline_text.append(data)


def read_page(html: str) -> Page:
    parser = _PageParser()
    parser.feed(html)
    parser.page.title = " ".join(unescape(parser.page.title).split())
    return parser.page


def assert_error_page(response: Any, message: str, *, href: str | None = None, inline: bool = True) -> Page:
    """The page shows ``message`` in its error summary, linked to an element on the page (``href`` when given),
    beside the field too when ``inline``; its title starts "Error: "; the status is 200 or 400."""
    assert response.status_code in (200, 400), (response.status_code, response.get("Location"))
    page = read_page(response.content.decode())
    assert page.title.startswith("Error: "), page.title
    assert page.has_summary, "no error summary"
    texts = [text for _, text in page.summary]
    assert message in texts, texts
    for link, _text in page.summary:
        assert link.startswith("#") and link[1:] in page.ids, (link, sorted(page.ids))
    if href is not None:
        assert (href, message) in page.summary, page.summary
    if inline:
        assert message in page.inline, page.inline
    return page
