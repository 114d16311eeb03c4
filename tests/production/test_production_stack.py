"""The service as it really runs: DEBUG off, collected static files, gunicorn, a Celery worker and beat as separate
processes (scripts/prod_local.py's ``Stack``, see conftest.py), driven by Chromium.

A visitor books a visit and its confirmation reaches the fake Notify server through the worker, whose link opens
the visit; another's journey becomes a request, which a visits team member approves (the approval reaches Notify
too) before printing the day's visit sheet and downloading its CSV. A time fills up and a visitor joins its
waiting list; a cancellation frees a place, the worker offers it to her by the fake Notify, and she books it from
the offer's link. axe checks every page; no response is an error
unless the test asks for one; every static file a page uses (with the fonts its stylesheets use and the icons)
has a hashed name, is cached for good and is served compressed; and the services' logs show nothing went wrong.
"""

from __future__ import annotations

import base64
import csv
import gzip
import io
import json
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urljoin, urlsplit
from urllib.request import Request, urlopen

import brotli
import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from accounts.roles import VISITS_TEAM
from hmpps_fake.process import CLIENT_ID, FakeHmppsProcess
from prisons.models import Prison, VisitSession
from scripts.prod_local import ROOT, Stack
from tests.browser import journey_helpers as public
from tests.browser import staff_helpers as staff
from tests.browser.conftest import DESKTOP, MOBILE
from tests.browser.journey_helpers import DANIEL, DAVE, RYAN, SOPHIE
from tests.factories import book_for, make_prisoner
from tests.notifications.conftest import wait_until
from tests.notifications.fake_notify import FakeNotify
from tests.production.conftest import CALLBACK_TOKEN
from visits.models import MessageStatus, OutboxMessage, Visit, VisitState, WaitingListEntry, WaitingState

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

HASHED = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "application/manifest+json", "image/svg")
# WhiteNoise keeps a compressed copy only where it saves 5%: a file of a hundred bytes or two may not have one.
SMALL = 1024
ASSET_TYPES = {"stylesheet", "script", "font", "image", "manifest"}


class Responses:
    """Every response a browser context received, so that a test can say none was an error it did not expect."""

    def __init__(self) -> None:
        self.seen: list[tuple[int, str, str]] = []  # (status, url, resource type)
        self.blocked: list[str] = []  # what the Content Security Policy refused (Chromium's console says)

    def watch(self, context: Any) -> Any:
        context.on("response", lambda r: self.seen.append((r.status, r.url, r.request.resource_type)))
        context.on("console", lambda m: self.blocked.append(m.text) if "Content Security Policy" in m.text else None)
        return context

    def errors(self, expected: Iterable[tuple[int, str]] = ()) -> list[tuple[int, str]]:
        """(status, path) of each response of 400 or more that is not one of ``expected``."""
        found = [(status, path_of(url)) for status, url, _ in self.seen if status >= 400]
        return [error for error in found if error not in set(expected)]

    def assets(self) -> list[tuple[int, str, str]]:
        return [seen for seen in self.seen if seen[2] in ASSET_TYPES]


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture
def responses() -> Responses:
    return Responses()


@pytest.fixture
def phone(browser: Any, responses: Responses) -> Iterator[Any]:
    """A visitor's phone: 375 × 812, JavaScript on."""
    context = responses.watch(browser.new_context(viewport=MOBILE))
    yield context
    context.close()
    assert responses.blocked == [], responses.blocked


@pytest.fixture
def desk(browser: Any, responses: Responses) -> Iterator[Any]:
    """A staff member's desktop, where downloads are kept."""
    context = responses.watch(browser.new_context(viewport=DESKTOP, accept_downloads=True))
    yield context
    context.close()
    assert responses.blocked == [], responses.blocked


def fetch(url: str, encoding: str = "identity") -> tuple[int, dict[str, str], bytes]:
    """A plain HTTP GET (no browser), asking for ``encoding``; the body as sent."""
    with urlopen(Request(url, headers={"Accept-Encoding": encoding}), timeout=20) as response:
        return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()


def post_receipt(base: str, receipt: dict[str, str], token: str) -> tuple[int, Any]:
    """POST a delivery receipt as Notify does; the status and the JSON answered."""
    request = Request(
        f"{base}/notify/delivery-receipts",
        data=json.dumps(receipt).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    try:
        with urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read())
    except HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def message_to(fake: FakeNotify, template: str, recipient: str, timeout: float = 60) -> dict[str, Any]:
    """The notification of this template to this recipient, once the worker has sent it to the fake Notify."""

    def arrived() -> dict[str, Any] | None:
        return next(
            (
                n
                for n in fake.sent()
                if n["template_name"] == template and recipient in (n.get("email_address"), n.get("phone_number"))
            ),
            None,
        )

    return wait_until(arrived, timeout=timeout, interval=0.2, what=f"{template} to {recipient} at the fake Notify")


def visits_team_member(username: str, prison: Prison) -> None:
    """A visits team member for the prison, with a password the production settings can check (the test settings
    hash with MD5, which production does not accept)."""
    user = staff.make_staff(username, VISITS_TEAM, prison)
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(staff.PASSWORD, hasher.salt())
    user.save(update_fields=["password"])


# --- 1. Visitors, Notify through the worker, and the visits team ------------------------------------------------------


def hmpps_get(fake: FakeHmppsProcess, path: str) -> Any:
    """Ask the fake HMPPS server as the service does: a token from its HMPPS Auth, then the API."""
    credentials = f"{CLIENT_ID}:{fake.client_secret}".encode()
    token_request = Request(
        f"{fake.origin}/auth/oauth/token?grant_type=client_credentials",
        method="POST",
        headers={"Authorization": "Basic " + base64.b64encode(credentials).decode()},
    )
    with urlopen(token_request, timeout=10) as answer:
        token = json.loads(answer.read())["access_token"]
    with urlopen(Request(f"{fake.origin}{path}", headers={"Authorization": f"Bearer {token}"}), timeout=10) as answer:
        return json.loads(answer.read())


def test_a_visit_booked_a_request_approved_and_the_day_printed(
    service: Stack, fake_notify: FakeNotify, fake_hmpps: FakeHmppsProcess, phone: Any, desk: Any, responses: Responses
) -> None:
    base = service.url

    # A visitor books at once: Ryan Walker's wife is on his approved list.
    page = phone.new_page()
    public.journey_to_time(page, base, RYAN, SOPHIE)
    assert public.path(page) == "/choose-time"
    public.look(page)
    public.pick_time(page, day=1)
    public.press_button(page)
    assert public.path(page) == "/contact"
    public.look(page)
    public.give_email(page, "sophie@example.com")
    public.press_button(page)
    assert public.path(page) == "/check"
    public.look(page)
    public.press_button(page, "Book visit")
    assert public.path(page) == "/confirmation"
    assert page.locator(".govuk-panel__title").inner_text().strip() == "Visit booked"
    public.look(page)
    booked = Visit.objects.select_related("session").get(contact_email="sophie@example.com")
    assert booked.state == VisitState.BOOKED and booked.reference in page.locator(".govuk-panel").inner_text()
    # The worker records it in NOMIS: the fake HMPPS server's NOMIS prisoner API holds it, under the booking's key.
    wait_until(lambda: Visit.objects.get(pk=booked.pk).nomis_visit_id != "", timeout=30, what="the visit in NOMIS")
    recorded = hmpps_get(fake_hmpps, f"/visits/{Visit.objects.get(pk=booked.pk).nomis_visit_id}")
    assert recorded["offenderNo"] == "A1001AA" and booked.reference in recorded["commentText"], recorded

    # Its confirmation goes from the outbox through the worker to Notify, and its link opens the visit.
    confirmation = message_to(fake_notify, "booked.email.en", "sophie@example.com")
    assert confirmation["reference"], confirmation
    link = confirmation["personalisation"]["manage_link"]
    assert link.startswith(f"{base}/visit/") and link in confirmation["body"], confirmation
    assert booked.reference in confirmation["body"]
    # Notify calls back with its delivery receipt, through the proxy to gunicorn, with the bearer token.
    receipt = {"id": confirmation["id"], "reference": confirmation["reference"], "status": "delivered"}
    assert post_receipt(base, receipt, "not-the-token")[0] == 401
    assert post_receipt(base, receipt, CALLBACK_TOKEN) == (200, {"status": "recorded"})
    message = OutboxMessage.objects.get(notify_id=confirmation["id"])
    assert (message.visit_id, message.status) == (booked.id, MessageStatus.DELIVERED)
    page.goto(link)
    assert public.h1(page) == "Your visit"
    assert booked.reference in page.locator("main").inner_text()
    public.look(page)
    page.close()

    # Another visitor is on nobody's list: the visit becomes a request.
    page = phone.new_page()
    phone.clear_cookies()
    public.journey_to_time(page, base, RYAN, DAVE)
    assert public.path(page) == "/choose-time"
    public.look(page)
    public.pick_time(page, day=3)
    public.press_button(page)
    assert public.path(page) == "/another-time"
    public.look(page)
    public.answer(page, "No")
    assert public.path(page) == "/contact"
    public.give_email(page, "dave@example.com")
    public.press_button(page)
    assert public.path(page) == "/check"
    public.look(page)
    public.press_button(page, "Send request")
    assert page.locator(".govuk-panel__title").inner_text().strip() == "Request sent"
    public.look(page)
    request = Visit.objects.get(contact_email="dave@example.com")
    assert request.state == VisitState.REQUESTED
    message_to(fake_notify, "requested.email.en", "dave@example.com")
    page.close()

    # A visits team member approves it; the visitor is told.
    visits_team_member("team", Prison.objects.get(slug="rochester"))
    page = desk.new_page()
    staff.sign_in(page, base, "team")
    assert staff.path(page) == "/staff/rochester/"
    staff.look(page)
    staff.follow(page, "Requests", staff.subnav(page))
    assert staff.h1(page) == "Requests to process"
    staff.look(page)
    staff.follow(page, request.reference)
    assert staff.h1(page) == "Ryan Walker (A1001AA)"
    staff.look(page)
    # Dave is not on the approved list: he is approved for this visit first, then the request.
    page.locator("form", has=page.get_by_role("button", name="Approve and book")).get_by_role("radio").first.check()
    staff.press(page, "Approve and book")
    assert "Approve or refuse each visitor who is not on the approved list first: Dave Stranger" in page.inner_text(
        ".govuk-error-summary"
    )
    allow = page.locator("form", has=page.get_by_role("button", name="Approve visitor"))
    allow.get_by_label("Dave Stranger").check()
    staff.press(page, "Approve visitor")
    assert "Visitor approved for this visit" in staff.banner(page)
    approve = page.locator("form", has=page.get_by_role("button", name="Approve and book"))
    approve.get_by_role("radio").first.check()
    staff.press(page, "Approve and book")
    assert "Request approved" in staff.banner(page)
    staff.look(page)
    request.refresh_from_db()
    assert request.state == VisitState.BOOKED
    approval = message_to(fake_notify, "approved.email.en", "dave@example.com")
    assert request.reference in approval["body"]

    # The day's visit sheet, printed, and its CSV.
    day = booked.session.date
    staff.go(page, f"{base}/staff/rochester/visits?date={day.isoformat()}")
    staff.look(page)
    staff.follow(page, "Visit sheet for the day")
    assert staff.h1(page) == "Visit sheet"
    staff.look(page)
    sheet = page.locator(".app-sheet").first.inner_text()
    assert "Ryan Walker" in sheet and "Sophie Walker" in sheet, sheet
    page.emulate_media(media="print")
    assert page.get_by_role("link", name="Download as CSV").is_hidden()
    assert len(page.pdf(format="A4", landscape=True)) > 1000
    page.emulate_media(media="screen")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as CSV").click()
    assert download.value.suggested_filename == f"visits-rochester-{day.isoformat()}.csv"
    table = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert table[0][:4] == ["Session", "Reference", "Prisoner", "Prisoner number"], table[0]
    row = next((r for r in table[1:] if r[1] == booked.reference), None)
    assert row is not None, table
    assert row[2] == "Ryan Walker" and row[3] == "A1001AA" and "Sophie Walker" in row[6], row
    page.close()

    # The one error asked for: approving before Dave was decided on, answered with the form's GOV.UK error (400).
    assert responses.errors(expected=[(400, f"/staff/rochester/requests/{request.reference}")]) == []
    assert responses.assets(), "the browser loaded no static files"


def test_a_full_time_s_waiting_list_offered_a_freed_place_by_the_worker(
    service: Stack, fake_notify: FakeNotify, phone: Any, desk: Any, responses: Responses
) -> None:
    base = service.url
    page = phone.new_page()
    public.journey_to_time(page, base, RYAN, SOPHIE)
    first = int(page.locator("details.app-picker__day input[name=session]").first.get_attribute("value"))
    session = VisitSession.objects.get(pk=first)
    session.open_capacity = 1
    session.save(update_fields=["open_capacity"])
    # Its one place taken by phone, for another prisoner at Rochester (Daniel Hughes, in NOMIS).
    daniel = make_prisoner(DANIEL.number, first_name=DANIEL.first_name, last_name=DANIEL.last_name)
    booked = book_for(session, daniel, email="emma@example.com")
    join = page.locator(f'a[href="/waiting-list-join/{session.id}"]')

    def full_on_the_picker() -> bool:  # the picker's shared read is a few seconds old at most
        page.reload()
        return join.count() == 1

    wait_until(full_on_the_picker, timeout=30, interval=1, what="the full time with its waiting list")
    page.locator("details.app-picker__day", has=join).locator("summary").click()  # she opens the day
    public.look(page)
    with page.expect_navigation():
        join.click()
    assert public.h1(page) == "Join the waiting list"
    public.give_email(page, "sophie@example.com")
    public.look(page)
    public.press_button(page, "Join the waiting list")
    assert public.path(page) == "/choose-time"
    assert "You're on the waiting list for" in page.locator(".govuk-notification-banner").inner_text()
    message_to(fake_notify, "waiting_joined.email.en", "sophie@example.com")

    # The family phones to cancel, and the visits team cancel it: the worker offers the place to her, the first
    # waiting, through the outbox to Notify.
    visits_team_member("team", Prison.objects.get(slug="rochester"))
    console = desk.new_page()
    staff.sign_in(console, base, "team")
    staff.go(console, f"{base}/staff/rochester/visits/{booked.reference}")
    staff.press(console, "Cancel visit")
    console.get_by_label("Reason").fill("The family phoned: they cannot travel")
    staff.press(console, "Cancel visit")
    assert staff.banner(console).endswith("Visit cancelled")
    console.close()
    offer = message_to(fake_notify, "place_offered.email.en", "sophie@example.com")
    link = re.search(rf"{re.escape(base)}(/waiting-list/\S+)", offer["body"])
    assert link is not None, offer["body"]
    page.goto(base + link.group(1))
    assert public.h1(page) == "A place has come up"
    public.look(page)
    public.press_button(page, "Book this visit")
    assert public.path(page) == "/check"
    public.press_button(page, "Book visit")
    assert page.locator(".govuk-panel__title").inner_text().strip() == "Visit booked"
    visit = Visit.objects.get(contact_email="sophie@example.com")
    assert (visit.session_id, visit.state) == (session.id, VisitState.BOOKED)
    message_to(fake_notify, "booked.email.en", "sophie@example.com")

    def closed_by_beat() -> bool:  # beat's sweep (every minute) closes an offer that became a visit
        return WaitingListEntry.objects.get(session=session).state == WaitingState.BOOKED

    wait_until(closed_by_beat, timeout=150, interval=1, what="beat's sweep to close the booked offer")
    page.close()
    assert responses.errors() == []


# --- 2. Static files, the error page and the demo's pages -------------------------------------------------------------


def asset_links(page: Any) -> list[str]:
    """Every stylesheet, script, image and icon the page links, as absolute URLs."""
    return page.evaluate(
        """() => [...document.querySelectorAll('link[href], script[src], img[src]')]
            .filter(e => e.tagName !== 'LINK' || !['canonical', 'alternate'].includes(e.rel))
            .map(e => e.href || e.src)"""
    )


def css_references(url: str, css: str) -> list[str]:
    """The files a stylesheet uses (url(...) and its source map), as absolute URLs."""
    found = [m.strip("'\" ") for m in re.findall(r"url\(([^)]*)\)", css)]
    found += re.findall(r"sourceMappingURL=(\S+?)\s*\*/", css)
    return [urljoin(url, ref) for ref in found if ref and not ref.startswith(("data:", "#"))]


def test_static_files_are_hashed_cached_for_good_and_compressed(
    service: Stack, phone: Any, desk: Any, responses: Responses
) -> None:
    base = service.url
    linked: set[str] = set()
    pages = [(phone, "/", 200), (phone, "/prison", 200), (desk, "/staff/sign-in", 200)]
    pages += [(phone, "/no-such-page", 404), (phone, "/notify/fake-outbox", 404)]  # a real Notify key: no fake outbox
    for context, url, status in pages:
        page = context.new_page()
        answer = page.goto(base + url)
        assert answer is not None and answer.status == status, (url, answer and answer.status)
        page.wait_for_load_state("networkidle")
        (staff.look if context is desk else public.look)(page)
        if status == 404:
            assert public.h1(page) == "Page not found"
        linked.update(asset_links(page))
        page.close()
    # The Django admin is not a GOV.UK page (no axe): its files are read from its HTML.
    status, _, html = fetch(base + "/django-admin/login/")
    assert status == 200
    linked.update(urljoin(base, m) for m in re.findall(r'(?:href|src)="(/static/[^"]+)"', html.decode()))

    assert responses.errors({(404, "/no-such-page"), (404, "/notify/fake-outbox")}) == []
    loaded = responses.assets()
    assert any(kind == "font" for _, _, kind in loaded), "the browser loaded no font"
    for status, url, kind in loaded:
        assert status == 200 and HASHED.search(urlsplit(url).path), (status, url, kind)

    problems: list[Any] = []
    checked: set[str] = set()
    queue = sorted(linked | {url for _, url, _ in loaded})
    assert any(u.endswith(".css") for u in queue) and any(u.endswith(".js") for u in queue), queue
    assert any("favicon" in u for u in queue) and any("manifest" in u for u in queue), queue
    while queue:
        url = queue.pop()
        if url in checked:
            continue
        checked.add(url)
        problems += check_static_file(url, queue)
    assert problems == [], "\n".join(map(str, problems))


def check_static_file(url: str, queue: list[str]) -> list[Any]:
    """A static file is served with 200 under a hashed name, cached for good, and compressed (brotli and gzip)
    for a client that asks, where its type compresses and it is not tiny; a stylesheet's own references are queued
    to check too."""
    problems: list[Any] = []
    if not urlsplit(url).path.startswith("/static/"):
        return [("not a static file", url)]
    status, headers, body = fetch(url)
    if status != 200:
        return [(status, url)]
    if not HASHED.search(urlsplit(url).path):
        problems.append(("not a hashed name", url))
    if "immutable" not in headers.get("cache-control", ""):
        problems.append(("not cached for good", url, headers.get("cache-control")))
    content_type = headers.get("content-type", "")
    if content_type.startswith("text/css"):
        queue.extend(css_references(url, body.decode()))
    if content_type.startswith(COMPRESSIBLE) and len(body) >= SMALL:
        for encoding, decompress in (("br", brotli.decompress), ("gzip", gzip.decompress)):
            status, compressed_headers, compressed = fetch(url, encoding)
            if status != 200 or compressed_headers.get("content-encoding") != encoding:
                problems.append((f"not served with {encoding}", url, content_type, len(body)))
            elif decompress(compressed) != body:
                problems.append((f"{encoding} does not give the file", url))
            elif "accept-encoding" not in compressed_headers.get("vary", "").lower():
                problems.append(("no Vary: Accept-Encoding", url))
    return problems


# --- 3. Last: the logs, and a clean stop ------------------------------------------------------------------------------


def test_nomis_is_the_http_client_on_the_fake_hmpps_server_and_no_stub_is_anywhere(
    service: Stack, fake_hmpps: FakeHmppsProcess
) -> None:
    """Production's NOMIS is the HTTP client; an event published in NOMIS reaches the visits through the signed
    queue, once."""
    code = (
        "from django.conf import settings as s\n"
        "print(s.NOMIS_CLIENT, 'prisons.nomis.stub' in s.INSTALLED_APPS, s.HMPPS_AUTH_URL)\n"
    )
    assert service.manage("shell", "--no-imports", "-c", code).splitlines()[-1].split() == [
        "prisons.nomis.hmpps.client.HmppsNomisClient",
        "False",
        fake_hmpps.origin,
    ]
    with pytest.raises(HTTPError) as missing:
        urlopen(f"{service.url}/nomis-stub/", timeout=10)
    assert missing.value.code == 404

    status, fired = fake_hmpps.admin(
        "POST", "/__fake/events", {"type": "restriction_added", "prisoner_number": "A1003AA", "restriction": "closed"}
    )
    assert status == 201, fired
    poll = "from nomis_sync.sync import nomis_events_poll as p; from visits.models import ProcessedNomisEvent as E\n"
    poll += f"p(); print(E.objects.filter(event_id={fired['messageId']!r}).count())"
    assert service.manage("shell", "--no-imports", "-c", poll).splitlines()[-1] == "1"
    assert service.manage("shell", "--no-imports", "-c", poll).splitlines()[-1] == "1"  # once, however often it polls


def test_the_health_checks_say_what_answers(service: Stack) -> None:
    """/readyz reports the database, the cache, Redis and the broker by name; the worker's and beat's own liveness
    checks (what docker-compose.yml's health checks run) pass while they run."""
    request = Request(service.url + "/readyz", headers={"Accept": "application/json"})
    with urlopen(request, timeout=30) as response:
        assert response.status == 200
        checks = json.loads(response.read())
    assert checks == {
        "Database(alias='default')": "OK",
        "Cache(alias='default')": "OK",
        "Redis()": "OK",
        "Broker()": "OK",
    }
    for process in ("worker", "beat"):
        result = subprocess.run(
            [sys.executable, "-m", "config.health", process],
            cwd=ROOT,
            env=service.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, (process, result.stderr[-2000:])


def test_the_logs_show_nothing_went_wrong_and_the_stack_stops_cleanly(stack: Stack) -> None:
    stack.check_running()
    stack.stop()
    assert stack.exit_codes == {"gunicorn": 0, "worker": 0, "beat": 0}
    assert stack.forced == [] and stack.leftovers == []
    assert stack.problems() == []
