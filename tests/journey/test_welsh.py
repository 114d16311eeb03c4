"""Every public page, shown to a Welsh visitor, is in Welsh: each page and each of its error states is fetched in
Welsh and in English (the language chosen as the header's switch chooses it, by posting to /i18n/setlang/), and
every piece of text a visitor can see or hear (text nodes, the page title, aria-label, alt, title and placeholder
attributes) that is the same in both renderings fails the test, named with its page, unless it is something that is
legitimately the same in both languages: names, addresses, phone numbers, email addresses, references, numbers and
dates' digits, "GOV.UK", the switch's "Cymraeg" and "English", cookie names and the MIT licence's own text.

The catalogue must be compiled (`make compilemessages`, which `make test` runs first).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from journey.views.dropout import REASONS
from prisons.models import Prison
from tests.journey.journey_support import (
    APPROVED_VISITOR,
    PRISONER,
    UNKNOWN_VISITOR,
    book_visit,
    journey_to,
    manage_path,
    prisoner_data,
    visitor_data,
)
from visits.models import Visit, VisitState

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rochester_at_nine")]

MO_FILE = Path(settings.BASE_DIR) / "locale" / "cy" / "LC_MESSAGES" / "django.mo"

LONG_DETAILS = "x" * 201
# Text that is the same in Welsh and English by right.
SAME_IN_BOTH = {
    "GOV.UK",
    "Cymraeg",  # the switch names each language in itself
    "English",
    "Beta",  # the phase's name: GOV.UK's Welsh pages say "Beta" too
    "sessionid",  # cookie names
    "csrftoken",
    "django_language",
    "Rochester",  # the prison's name and its address (Rochester has no Welsh name)
    "HMP Rochester",
    "1 Fort Road",
    "ME1 3QS",
    "Unavailable",  # Rochester's email address in the prison data
    " ".join(APPROVED_VISITOR[:2]),
    " ".join(UNKNOWN_VISITOR[:2]),
    f"{PRISONER['first_name']} {PRISONER['last_name']}",
    PRISONER["number"],
    "A ramp, please",  # what the visitor typed
    LONG_DETAILS,
}
# The MIT licence, quoted in English on the prison data licence page: the licence is its English text.
LICENCE = re.compile(r"^(Copyright \(C\)|Permission is hereby granted|The above copyright notice|THE SOFTWARE IS)")
EMAIL = re.compile(r"^\S+@\S+\.\S+$")
PHONE = re.compile(r"^\+?[\d ()]{7,}$")
REFERENCE = re.compile(r"^[a-z]{2}(-[a-z]{2}){3}$")
NO_WORDS = re.compile(r"^[\W\d_]*$")  # punctuation, digits (a date's or a time's numbers), nothing
VISIBLE_ATTRIBUTES = ("aria-label", "alt", "title", "placeholder")


def legitimately_the_same(text: str) -> bool:
    return bool(
        text in SAME_IN_BOTH
        or NO_WORDS.match(text)
        or EMAIL.match(text)
        or PHONE.match(text)
        or REFERENCE.match(text)
        or LICENCE.match(text)
    )


class _Texts(HTMLParser):
    """The text a visitor sees or hears: text nodes outside <script> and <style>, and the attributes read out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value:
                self._add(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._add(data)

    def _add(self, text: str) -> None:
        text = " ".join(text.split())
        if text:
            self.texts.append(text)


def visible_texts(html: str) -> list[str]:
    parser = _Texts()
    parser.feed(html)
    return parser.texts


@dataclass
class WelshWalk:
    """Fetches each page in both languages and keeps what the Welsh one shares with the English one."""

    client: Client
    found: list[str] = field(default_factory=list)
    pages: int = 0
    same: set[str] = field(default_factory=set)  # this walk's own legitimately-the-same text (the prison's address)
    switch: bool = True  # choose the language with the header's switch (else set its cookie, as the switch does)

    def language(self, code: str) -> None:
        if not self.switch:
            self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
            return
        response = self.client.post("/i18n/setlang/", {"language": code, "next": "/"})
        assert response.status_code == 302
        assert self.client.cookies[settings.LANGUAGE_COOKIE_NAME].value == code

    def journey_to(self, step: str, *, request: bool = False) -> None:
        """A new visitor (a new session) at ``step``, as journey_support drives it."""
        self.client = Client()
        journey_to(self.client, step, request=request)

    def fetch(
        self, method: str, path: str, data: dict[str, Any] | None = None, *, status: Iterable[int] = (200, 400)
    ) -> str:
        send = self.client.post if method == "POST" else self.client.get
        response = send(path, data or {})
        assert response.status_code in tuple(status), (method, path, response.status_code, response.get("Location"))
        return response.content.decode()

    def check(
        self,
        label: str,
        method: str,
        path: str,
        data: dict[str, Any] | None = None,
        *,
        status: Iterable[int] = (200, 400),
    ) -> str:
        """The page (GET, or a POST that changes nothing: an error state) in Welsh and English: what the Welsh
        shares with the English that is not legitimately the same is recorded as ``label: text``."""
        self.language("cy")
        welsh = self.fetch(method, path, data, status=status)
        self.language("en-gb")
        english = self.fetch(method, path, data, status=status)
        self.language("cy")
        self.compare(label, welsh, english)
        return welsh

    def compare(self, label: str, welsh: str, english: str) -> None:
        assert welsh != english, f"{label}: the Welsh page is the English page"
        assert '<html lang="cy"' in welsh, f"{label}: the page does not say it is in Welsh"
        self.pages += 1
        in_english = set(visible_texts(english))
        for text in dict.fromkeys(visible_texts(welsh)):
            if text in in_english and text not in self.same and not legitimately_the_same(text):
                self.found.append(f"{label}: {text!r}")

    def assert_all_welsh(self) -> None:
        assert not self.found, "English on Welsh pages:\n" + "\n".join(self.found)


def prison_text() -> set[str]:
    """Rochester's address as the pages write it: on one line, line by line, or with commas."""
    prison = Prison.objects.get(slug="rochester")
    lines = [line.strip() for line in prison.address.splitlines() if line.strip()]
    return {
        *lines,
        " ".join(lines),
        ", ".join(lines),
        ", ".join([*lines, prison.postcode]),
        prison.postcode,
        prison.name,
        prison.display_name,
    }


@pytest.fixture
def walk(client: Client) -> WelshWalk:
    if not MO_FILE.exists():
        pytest.fail("The Welsh catalogue is not compiled: run `make compilemessages`")
    return WelshWalk(client, same=prison_text())


def test_every_step_of_the_journey_and_its_errors_is_welsh(walk: WelshWalk) -> None:
    walk.check("start", "GET", "/")
    walk.check("prison", "GET", "/prison")
    walk.check("prison, empty", "POST", "/prison", {})
    walk.check("prison, not in the list", "POST", "/prison", {"prison": "nowhere"})
    walk.journey_to("prisoner")
    walk.check("prisoner", "GET", "/prisoner")
    walk.check("prisoner, empty", "POST", "/prisoner", {})
    too_long = prisoner_data(
        first_name="A" * 36, number="12", **{"date_of_birth-day": "31", "date_of_birth-month": "2"}
    )
    walk.check("prisoner, invalid", "POST", "/prisoner", too_long)
    walk.check("prisoner, part of a date", "POST", "/prisoner", prisoner_data(**{"date_of_birth-month": ""}))
    walk.check("prisoner, future date", "POST", "/prisoner", prisoner_data(**{"date_of_birth-year": "2030"}))
    walk.check("prisoner, short year", "POST", "/prisoner", prisoner_data(**{"date_of_birth-year": "88"}))
    walk.check("prisoner, hidden characters", "POST", "/prisoner", prisoner_data(last_name="Walker\u202e"))
    walk.check("prisoner, not matched", "POST", "/prisoner", prisoner_data(last_name="Smith"))
    walk.journey_to("visitor-add")
    walk.check("lead visitor", "GET", "/visitors/add")
    walk.check("lead visitor, empty", "POST", "/visitors/add", {})
    invalid = visitor_data("B" * 36, "Walker", APPROVED_VISITOR[2], **{"date_of_birth-day": "x"})
    walk.check("lead visitor, invalid", "POST", "/visitors/add", invalid)
    walk.journey_to("visitors")
    walk.check("visitors", "GET", "/visitors")
    walk.check("visitors, empty", "POST", "/visitors", {})
    walk.check("another visitor", "GET", "/visitors/add")
    walk.check("change visitor", "GET", "/visitors/0/change")
    walk.check("remove visitor", "GET", "/visitors/0/remove")
    walk.journey_to("support")
    walk.check("support", "GET", "/support")
    walk.check("support, other without details", "POST", "/support", {"needs": ["other"]})
    walk.check("support, too long", "POST", "/support", {"needs": ["wheelchair"], "details": LONG_DETAILS})
    walk.journey_to("choose-time")
    walk.check("choose a time", "GET", "/choose-time")
    walk.check("choose a time, empty", "POST", "/choose-time", {})
    walk.check("choose a time, filtered", "GET", "/choose-time?days=weekends&times=morning")
    walk.check("choose a time, nothing matches", "GET", "/choose-time?days=weekdays&times=morning")
    walk.journey_to("contact")
    walk.check("contact", "GET", "/contact")
    walk.check("contact, empty", "POST", "/contact", {})
    bad = {"updates": ["email", "sms"], "email": "not an email", "phone": "0123"}
    walk.check("contact, invalid", "POST", "/contact", bad)
    walk.check("contact, missing", "POST", "/contact", {"updates": ["email", "sms"]})
    walk.journey_to("check")
    walk.check("check, a booking", "GET", "/check")
    walk.assert_all_welsh()


def test_a_request_journey_is_welsh(walk: WelshWalk) -> None:
    walk.journey_to("another-time", request=True)
    walk.check("another time", "GET", "/another-time")
    walk.check("another time, empty", "POST", "/another-time", {})
    walk.check("choose a second time", "GET", "/choose-time/2")
    walk.journey_to("check", request=True)
    walk.check("check, a request", "GET", "/check")
    walk.client = Client()
    visit = book_visit(walk.client, request=True)
    assert visit.state == VisitState.REQUESTED
    walk.check("confirmation, a request", "GET", "/confirmation")
    walk.check("manage, a request", "GET", manage_path(visit))
    walk.check("withdraw", "GET", manage_path(visit, "/withdraw"))
    walk.language("cy")
    assert walk.client.post(manage_path(visit, "/withdraw")).status_code == 302
    walk.check("request withdrawn", "GET", "/visit-ended")
    walk.assert_all_welsh()


def test_a_booked_visit_and_managing_it_are_welsh(walk: WelshWalk) -> None:
    visit = book_visit(walk.client)
    assert visit.state == VisitState.BOOKED
    walk.check("confirmation, a booking", "GET", "/confirmation")
    walk.check("manage, a booking", "GET", manage_path(visit))
    walk.check("change the time", "GET", manage_path(visit, "/change"))
    walk.check("change the time, empty", "POST", manage_path(visit, "/change"), {})
    walk.check("cancel", "GET", manage_path(visit, "/cancel"))
    walk.check("cancel, empty", "POST", manage_path(visit, "/cancel"), {})
    walk.check("find your visit", "GET", "/manage")
    walk.check("find your visit, empty", "POST", "/manage", {})
    walk.check("find your visit, invalid", "POST", "/manage", {"reference": "abc", "email": "nope"})
    walk.check("find your visit, not found", "POST", "/manage", {"reference": "bc-df-gh-jk", "email": "a@example.com"})
    walk.check("manage link expired", "GET", "/visit/not-a-token", status=(200, 404))
    walk.language("cy")
    assert walk.client.post(manage_path(visit, "/cancel"), {"reason": "ill"}).status_code == 302
    walk.check("visit cancelled", "GET", "/visit-ended")
    walk.check("the ended visit's link", "GET", manage_path(visit), status=(404,))
    walk.assert_all_welsh()


def test_the_calendar_file_is_welsh(walk: WelshWalk) -> None:
    visit = book_visit(walk.client)
    walk.language("cy")
    welsh = walk.fetch("GET", manage_path(visit, "/calendar.ics"))
    walk.language("en-gb")
    english = walk.fetch("GET", manage_path(visit, "/calendar.ics"))
    summary = {line for line in welsh.splitlines() if line.startswith("SUMMARY:")}
    assert summary == {f"SUMMARY:Ymweliad carchar: {visit.prison.display_name} ({visit.reference})"}
    assert summary.isdisjoint(english.splitlines())


@pytest.mark.parametrize("reason", sorted(REASONS))
def test_every_drop_out_page_is_welsh(walk: WelshWalk, reason: str) -> None:
    walk.journey_to("prisoner")  # the prison chosen: the page gives its phone number
    walk.check(f"drop-out {reason}", "GET", f"/cannot-book/{reason}")
    walk.assert_all_welsh()


def test_too_many_attempts_and_nomis_down_are_welsh(walk: WelshWalk, monkeypatch: pytest.MonkeyPatch) -> None:
    walk.journey_to("prisoner")
    settings.NOMIS_STUB_DOWN = True
    try:
        walk.check("NOMIS unavailable", "POST", "/prisoner", prisoner_data(), status=(503,))
    finally:
        settings.NOMIS_STUB_DOWN = False
    monkeypatch.setattr("journey.ratelimit.PRISONER_LOOKUPS_PER_CLIENT", (0, 3600))
    walk.check("too many attempts", "POST", "/prisoner", prisoner_data(), status=(429,))
    walk.assert_all_welsh()


def test_the_booking_paused_page_is_welsh(walk: WelshWalk) -> None:
    from accounts.maintenance import booking_pause, booking_resume

    walk.journey_to("prisoner")
    rochester = Prison.objects.get(slug="rochester")
    pause = booking_pause(prison=rochester, message="Closed.", message_cy="Ar gau.", user=None)
    walk.check("booking paused at the prison", "GET", "/prisoner", status=(503,))
    booking_resume(pause=pause, user=None)
    booking_pause(prison=None, message="Closed.", message_cy="Ar gau.", user=None)
    walk.check("booking paused nationally", "GET", "/prison", status=(503,))
    walk.assert_all_welsh()


@pytest.mark.parametrize(
    "path", ["/help", "/cookies", "/accessibility", "/privacy", "/prison-data-licence", "/prisons/rochester"]
)
def test_content_pages_are_welsh(walk: WelshWalk, path: str) -> None:
    walk.check(path, "GET", path)
    walk.assert_all_welsh()


def test_error_pages_are_welsh(walk: WelshWalk, rf: Any) -> None:
    walk.check("404", "GET", "/no-such-page", status=(404,))
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_walk = WelshWalk(csrf_client, same=walk.same, switch=False)
    csrf_walk.check("CSRF failure", "POST", "/prison", {"prison": "rochester"}, status=(403,))
    walk.found += csrf_walk.found
    from common.views import permission_denied, server_error

    pages = {}
    for language in ("cy", "en-gb"):
        with translation.override(language):
            request = rf.get("/")
            request.LANGUAGE_CODE = language
            pages[language] = (server_error(request).content.decode(), permission_denied(request).content.decode())
    walk.compare("500", pages["cy"][0], pages["en-gb"][0])
    walk.compare("403", pages["cy"][1], pages["en-gb"][1])
    walk.assert_all_welsh()


def test_the_check_finds_english_left_on_a_welsh_page() -> None:
    """The comparison itself: a shared sentence is found, names, numbers and the switch are not."""
    walk = WelshWalk(Client(), same={"1 Fort Road"})
    english = '<html lang="en"><title>Start – GOV.UK</title><p>Continue</p><p>Sophie Walker</p><p>1 Fort Road</p>'
    english += '<button aria-label="Open menu">English</button><p>12</p><p>0300 060 6513</p>'
    welsh = english.replace('lang="en"', 'lang="cy"').replace("Start", "Dechrau").replace("English", "Cymraeg")
    walk.compare("example", welsh, english)
    assert walk.found == ["example: 'Continue'", "example: 'Open menu'"]


def test_the_date_picker_says_days_and_months_in_welsh(walk: WelshWalk) -> None:
    walk.journey_to("choose-time")
    walk.language("cy")
    html = walk.fetch("GET", "/choose-time")
    assert "Dydd Gwener 27 Tachwedd 2026" in html  # Django's Welsh formats: the first bookable day
    assert "Wythnos yn dechrau Dydd Llun 23 Tachwedd 2026" in html
    assert re.search(r"\d(:\d\d)?yh i \d(:\d\d)?yh", html), "the times in Welsh (2yh i 4yh)"
    assert "November" not in html and "Friday" not in html


def test_a_visit_in_welsh_remembers_its_language() -> None:
    """Booked in Welsh, the visit's messages go in Welsh (the Notify templates have Welsh versions)."""
    client = Client()
    client.post("/i18n/setlang/", {"language": "cy", "next": "/"})
    visit = book_visit(client)
    assert Visit.objects.get(pk=visit.pk).language == "cy"
