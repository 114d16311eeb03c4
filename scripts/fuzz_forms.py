"""Fuzz every form and URL parameter of the service on the production-shaped stack, and count the server errors.

    python scripts/fuzz_forms.py            # the full run: starts its own stack, fuzzes, stops it, prints the figures
    python scripts/fuzz_forms.py --quick    # a few values of each kind (what CI runs: tests/production/test_fuzz.py)

It starts the stack as production runs it (scripts/prod_local.py's ``Stack``: gunicorn, DEBUG off, PostgreSQL, Redis,
the Celery worker and beat) on a database and a Redis database of its own (``visits_fuzz``, dropped and made afresh,
and Redis db 11; ``--database-url``, ``--redis-url``, ``--port`` choose others) behind one trusted proxy, so that each
request can come from an address of its own (``X-Forwarded-For``) and no rate limit or lockout stops the fuzzing
early. ``seed_world`` (run by the stack's own ``manage.py shell``) gives it a booked visit, a request, a flagged
visit, a visitor's cancellation, a full session's waiting list, a timetable line and a blocked date.

Then, over HTTP as a browser would:

- the public journey is driven to each of its steps (and the manage pages opened), and every form on the page is
  posted with each field in turn given each hostile value, every other field valid;
- the staff console is crawled from its home page, signed in, and every form found is posted the same way (the
  sign-out and the sign-ins last);
- every query parameter seen in a link or a GET form, and every id, reference or token in a path, is given each
  hostile value; a few headers too (``Accept`` on /readyz, ``Accept-Language``, the session cookie);
- every form is posted in latin-1, in UTF-16 and as broken multipart bodies;
- the Django admin's date filters are given years no date has.

Hostile values: empty, NUL, control characters, bidirectional overrides, 100,000 characters, invalid UTF-8, Unicode
digits (², ٣, full-width), negative and huge integers, out-of-range dates (9999-99-99, 0000, 31 12 9999, year 1).
The report gives the inputs tried, the answers by status, and each 500 (which form or address, which field, which
value); the exit status is 1 if there was any 500 or the stack's logs show a traceback.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import re
import secrets
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urljoin, urlsplit

if __package__ in (None, ""):  # run as a script: the repository's root on the path, for `scripts.prod_local`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hmpps_fake.process import FakeHmppsProcess
from scripts.prod_local import Stack, ensure_database

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/visits_fuzz"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/11"
DEFAULT_PORT = 8011
WORLD_MARKER = "FUZZ-WORLD "

# --- Hostile values --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Value:
    label: str
    text: str = ""
    raw: bytes | None = None  # sent as these bytes, percent-encoded (invalid UTF-8)

    def encoded(self) -> str:
        return quote(self.raw, safe="") if self.raw is not None else quote(self.text, safe="")


HOSTILE = [
    Value("empty", ""),
    Value("NUL", "\x00"),
    Value("NUL inside", "Walker\x00"),
    Value("control characters", "\x01\x07\x1b\x7f"),
    Value("bidirectional override", "\u202eelbanavailnu"),
    Value("100,000 characters", "A" * 100_000),
    Value("invalid UTF-8", raw=b"\xff\xfe\xed\xa0\x80"),
    Value("superscript two", "²"),
    Value("Arabic-Indic three", "٣"),
    Value("full-width digits", "１２"),
    Value("negative", "-1"),
    Value("huge", "99999999999999999999"),
    Value("10,000 digits", "9" * 10_000),
    Value("9999-99-99", "9999-99-99"),
    Value("0000-00-00", "0000-00-00"),
    Value("9999-12-31", "9999-12-31"),
]
QUICK = {"NUL", "100,000 characters", "superscript two", "huge", "9999-99-99"}
HOSTILE_DATES: list[tuple[str, tuple[str, str, str]]] = [
    ("empty", ("", "", "")),
    ("NUL", ("\x00", "\x00", "\x00")),
    ("9999-99-99", ("99", "99", "9999")),
    ("0000-00-00", ("0", "0", "0000")),
    ("31 12 9999", ("31", "12", "9999")),
    ("1 1 0001", ("1", "1", "0001")),
    ("Unicode digits", ("²", "٣", "٢٠٢٦")),
    ("negative", ("-1", "-1", "-1")),
    ("huge", ("99999999999999999999",) * 3),
    ("100,000 digits", ("1", "1", "2" * 100_000)),
]
QUICK_DATES = {"9999-99-99", "31 12 9999", "huge"}
CHARSETS = [
    ("latin-1", "application/x-www-form-urlencoded; charset=latin-1", "latin-1"),
    ("UTF-16", "application/x-www-form-urlencoded; charset=utf-16", "utf-16"),
]
BROKEN_MULTIPART = [
    ("multipart without a boundary", "multipart/form-data", b"--x\r\n\r\n--x--"),
    ("multipart with a NUL boundary", "multipart/form-data; boundary=\x00", b"--\x00\r\n\r\n--\x00--"),
    (
        "multipart with invalid UTF-8",
        "multipart/form-data; boundary=b",
        b'--b\r\nContent-Disposition: form-data; name="\xff\xfe"\r\n\r\n\xff\r\n--b--\r\n',
    ),
]
HEADERS = [
    ("/readyz", "Accept", "*"),
    ("/readyz", "Accept", "text"),
    ("/readyz", "Accept", ","),
    ("/", "Accept-Language", "zz-ZZZZZZZZZZZZ;q=9, *;q=-1"),
    ("/", "Accept-Language", "cy;q=²"),
    ("/prison", "Cookie", "sessionid=" + "A" * 4000),
    ("/prison", "Cookie", "csrftoken=\x7f; django_language=zz"),
    ("/", "X-Request-ID", "x" * 1000),
]
ADMIN_DATE_FILTERS = [
    "date__year=9999",
    "date__year=99999999999",
    "date__year=2026&date__month=99999999999",
    "date__year=2026&date__month=12&date__day=99999999999",
    "date__year=9999&date__month=12&date__day=31",
    "date__year=²",
    "date__iso_year=99999999999",
    "date__year__gt=99999999999",
]
ADMIN_DATE_MODELS = ["prisons/blockeddate", "prisons/visitsession", "prisons/datespecificsession"]


# --- The world the forms are about (run inside the stack by `manage.py shell`) ------------------------------------


def seed_world(password: str) -> None:
    """Staff users and the visits the staff pages are about, at Rochester; prints what the fuzzer needs as JSON."""
    from datetime import time as clock

    from django.contrib.auth.models import Group, User
    from django.utils import timezone

    from accounts.models import PrisonAccess
    from accounts.roles import VISITS_ADMIN
    from prisons.models import BlockedDate, Prison, SessionTemplate, VisitSession
    from prisons.nomis.stub.known_prisoners import KNOWN_PRISONERS
    from visits.links import manage_token
    from visits.models import WaitingListEntry
    from visits.rules import PartyMember
    from visits.services import (
        Actor,
        ContactDetails,
        PrisonerDetails,
        visit_book,
        visit_cancel,
        visit_flag,
        visit_request,
        visit_reserve,
    )
    from waiting_list.services import LEAVE, OFFER, waiting_list_join, waiting_token

    prison = Prison.objects.get(slug="rochester")
    admin = User.objects.create_superuser("fuzz-admin", password=password)
    admin.groups.set([Group.objects.get(name=VISITS_ADMIN)])
    PrisonAccess.objects.create(user=admin, prison=prison)
    User.objects.create_user("fuzz-signin", password=password)  # the sign-in is fuzzed as this one, not the admin

    today = timezone.localdate()
    sessions = list(
        VisitSession.objects.filter(prison=prison, date__gte=today + timedelta(days=6), blocked=False).order_by(
            "date", "start_time"
        )
    )
    # NOMIS's known prisoners at the prison (so that the worker's push of each visit to NOMIS succeeds), but not
    # A1001AA, whose visitors the fuzzer's journey books for
    known = [p for p in KNOWN_PRISONERS if p.prison_code == prison.code and p.number != "A1001AA"]
    mary = PartyMember("Mary", "Harris", date(1988, 2, 3))

    def prisoner(index: int) -> PrisonerDetails:
        p = known[index % len(known)]
        return PrisonerDetails(p.number, p.first_name, p.last_name, p.date_of_birth, p.location)

    def book(session: VisitSession, index: int) -> Any:
        hold = visit_reserve(session=session, prisoner=prisoner(index), party=[mary], closed=False)
        return visit_book(visit=hold, contact=ContactDetails(email=f"fuzz{index}@example.com"))

    booked = book(sessions[0], 1)
    hold = visit_reserve(session=sessions[1], prisoner=prisoner(2), party=[mary], closed=False)
    requested = visit_request(visit=hold, contact=ContactDetails(email="fuzz2@example.com"), preferences=[sessions[2]])
    flagged = book(sessions[3], 3)
    visit_flag(visit=flagged, reason="prisoner_moved", detail="Moved wing")
    cancelled = book(sessions[4], 4)
    visit_cancel(visit=cancelled, reason="Someone is ill", actor=Actor.visitor())
    this_afternoon = VisitSession.objects.create(
        prison=prison, date=today, start_time=clock(15), end_time=clock(16), open_capacity=20, closed_capacity=2
    )
    attended = book(this_afternoon, 5)
    full = sessions[5]
    book(full, 6)
    VisitSession.objects.filter(pk=full.pk).update(open_capacity=1, closed_capacity=0)
    waiting_list_join(
        session=full,
        closed=False,
        prisoner=prisoner(7),
        party=[mary],
        contact=ContactDetails(email="fuzz7@example.com"),
    )
    entry = WaitingListEntry.objects.latest("id")
    template = SessionTemplate.objects.create(
        prison=prison, weekday=2, start_time=clock(9), end_time=clock(10), valid_from=today + timedelta(days=60)
    )
    block = BlockedDate.objects.create(prison=prison, date=today + timedelta(days=40), reason="Training")
    world = {
        "references": [v.reference for v in (booked, requested, flagged, cancelled, attended)],
        "manage_tokens": [manage_token(booked), manage_token(requested)],
        "waiting_tokens": [waiting_token(entry, OFFER), waiting_token(entry, LEAVE)],
        "full_session": full.id,
        "template": template.id,
        "block": block.id,
    }
    print(WORLD_MARKER + json.dumps(world))


# --- HTTP, as a browser -------------------------------------------------------------------------------------------


class _LoopbackIsSecure(http.cookiejar.DefaultCookiePolicy):
    """Browsers treat http://127.0.0.1 as a secure context: the production cookies (``Secure``) go back to it."""

    def return_ok_secure(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return True


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is an answer of its own: counted, not followed


@dataclass
class Answer:
    status: int
    location: str
    body: str


@dataclass
class Tally:
    """Every input tried and what it got."""

    tried: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    addresses: int = 0

    def record(self, what: str, status: int) -> None:
        self.tried += 1
        self.statuses[status] += 1
        if status >= 500:
            self.server_errors.append(f"{status} {what}")

    def next_address(self) -> str:
        self.addresses += 1
        n = self.addresses
        return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


class Browser:
    """One browser: its own cookies (its session), each request from an address of its own through the proxy."""

    def __init__(self, base: str, tally: Tally) -> None:
        self.base, self.tally = base.rstrip("/"), tally
        self.cookies = http.cookiejar.CookieJar(policy=_LoopbackIsSecure())
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirects)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        *,
        what: str = "",
        count: bool = True,
    ) -> Answer:
        url = path if path.startswith("http") else self.base + path
        request = urllib.request.Request(url, data=body, method=method)
        request.add_header("X-Forwarded-For", self.tally.next_address())
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with self.opener.open(request, timeout=120) as response:
                answer = Answer(response.status, response.headers.get("Location", ""), _text(response.read()))
        except urllib.error.HTTPError as error:
            answer = Answer(error.code, error.headers.get("Location", ""), _text(error.read()))
        except (urllib.error.URLError, OSError, ValueError) as error:
            # the server (or http.client, refusing a header) closed without an answer: not a 500, but said
            answer = Answer(0, "", f"{type(error).__name__}: {error}")
        if count:
            self.tally.record(what or f"{method} {path[:200]}", answer.status)
        return answer

    def get(self, path: str, **kwargs: Any) -> Answer:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, fields: Iterable[tuple[str, str | bytes]], **kwargs: Any) -> Answer:
        """A form, as a browser encodes it (UTF-8, or the raw bytes given)."""
        body = "&".join(f"{quote(k, safe='')}={_encode(v)}" for k, v in fields).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": self.csrf_token()}
        return self.request("POST", path, body, headers, **kwargs)

    def post_raw(self, path: str, body: bytes, content_type: str, **kwargs: Any) -> Answer:
        headers = {"Content-Type": content_type, "X-CSRFToken": self.csrf_token()}
        return self.request("POST", path, body, headers, **kwargs)

    def csrf_token(self) -> str:
        return next((c.value for c in self.cookies if c.name == "csrftoken"), "") or ""

    def sign_in(self, username: str, password: str) -> None:
        self.get("/staff/sign-in", count=False)
        answer = self.post("/staff/sign-in", [("username", username), ("password", password)], count=False)
        if answer.status != 302:
            raise RuntimeError(f"could not sign in as {username}: {answer.status}")


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def _encode(value: str | bytes) -> str:
    return quote(value, safe="") if isinstance(value, bytes | str) else ""


# --- Reading forms --------------------------------------------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # text, hidden, radio, checkbox, select, textarea, password, ...
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, Field] = field(default_factory=dict)
    buttons: list[tuple[str, str]] = field(default_factory=list)  # named submit buttons (name, value)

    def key(self) -> tuple[str, str, tuple[str, ...]]:
        return (self.method, re.sub(r"\d+", "N", self.action), tuple(sorted(self.fields)))


class _Forms(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(urljoin(self.page, a["href"]))
        elif tag == "form":
            self._form = Form(urljoin(self.page, a.get("action") or self.page), (a.get("method") or "get").lower())
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            name = a["name"]
            if kind in ("submit", "button", "image"):
                self._form.buttons.append((name, a.get("value", "")))
                return
            found = self._form.fields.setdefault(name, Field(name, kind))
            if kind in ("radio", "checkbox"):
                found.options.append(a.get("value", "on"))
                if "checked" in a:
                    found.checked.append(a.get("value", "on"))
            else:
                found.value = a.get("value", "")
        elif tag == "button" and a.get("name"):
            self._form.buttons.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select = self._form.fields.setdefault(a["name"], Field(a["name"], "select"))
        elif tag == "textarea":
            self._textarea = self._form.fields.setdefault(a["name"], Field(a["name"], "textarea"))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data


def read_page(url: str, html: str) -> tuple[list[Form], list[str]]:
    parser = _Forms(url)
    parser.feed(html)
    for form in parser.forms:  # a select's options, read apart (the parser above sees only their tags)
        for name, select in form.fields.items():
            if select.kind == "select":
                block = re.search(rf'<select[^>]*name="{re.escape(name)}"[^>]*>(.*?)</select>', html, re.S)
                if block:
                    select.options = re.findall(r'<option[^>]*value="([^"]*)"', block[1])
                    chosen = re.findall(r'<option[^>]*value="([^"]*)"[^>]*selected', block[1])
                    select.checked = chosen[:1]
    return parser.forms, parser.links


# --- What a valid answer is ------------------------------------------------------------------------------------------


def valid_answers(today: date) -> dict[str, str | list[str]]:
    """A valid answer for each field name the service uses (dates as their three boxes)."""
    future = today + timedelta(days=20)
    return {
        "prison": "rochester",
        "first_name": "Sophie",
        "last_name": "Walker",
        "number": "A1001AA",
        "add_another": "no",
        "another": "no",
        "updates": ["email"],
        "email": "fuzz@example.com",
        "phone": "07700 900 982",
        "reason": "Fuzzing",
        "resolution": "Fuzzing",
        "message": "Fuzzing",
        "start_time": "",
        "end_time": "15:45",
        "every_n_weeks": "1",
        "open_capacity": "20",
        "closed_capacity": "2",
        "visits_mailbox": "visits@example.com",
        "username": "fuzz-signin",
        **_date("date_of_birth", date(1990, 7, 3)),
        **_date("date", future),
        **_date("valid_from", future),
        **_date("valid_to", future + timedelta(days=365)),
        **_date("reject-renews_on", future),
        **_date("end_date", future),
    }


def _date(name: str, day: date) -> dict[str, str]:
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}


def defaults(form: Form, answers: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
    """What a person who answers everything sensibly posts: the valid answer by name, else what the page chose,
    else the first option."""
    data: dict[str, str | list[str]] = {}
    for name, f in form.fields.items():
        bare = re.sub(r"^(approve|reject|refuse|allow)-", "", name)  # the request page's forms have prefixes
        if name in answers or bare in answers:
            data[name] = answers.get(name, answers.get(bare, ""))
        elif f.kind in ("radio", "select"):
            data[name] = (f.checked or [o for o in f.options if o] or [""])[0]
        elif f.kind == "checkbox":
            data[name] = f.checked or f.options[:1]
        else:
            data[name] = f.value
    return data


def pairs(data: dict[str, Any]) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for name, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            out.append((name, item))
    return out


# --- Fuzzing ---------------------------------------------------------------------------------------------------------


@dataclass
class Fuzzer:
    base: str
    world: dict[str, Any]
    password: str
    quick: bool = False
    tally: Tally = field(default_factory=Tally)
    seen_forms: set[tuple[str, str, tuple[str, ...]]] = field(default_factory=set)
    seen_params: set[tuple[str, str]] = field(default_factory=set)
    seen_paths: set[str] = field(default_factory=set)
    get_pages: set[str] = field(default_factory=set)
    forms_fuzzed: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.answers = valid_answers(date.today())

    @property
    def values(self) -> list[Value]:
        return [v for v in HOSTILE if not self.quick or v.label in QUICK]

    @property
    def dates(self) -> list[tuple[str, tuple[str, str, str]]]:
        return [d for d in HOSTILE_DATES if not self.quick or d[0] in QUICK_DATES]

    def browser(self) -> Browser:
        return Browser(self.base, self.tally)

    # Forms ----------------------------------------------------------------------------------------------------

    def fuzz_forms_on(
        self, browser: Browser, path: str, *, extra: dict[str, str] | None = None, skip: Iterable[str] = ()
    ) -> None:
        """Every POST form on the page (once per form anywhere), each field in turn given each hostile value."""
        answer = browser.get(path)
        forms, links = read_page(self.base + path, answer.body)
        self.note_links(links)
        for form in forms:
            if form.method == "get":
                self.note_get_form(form)
                continue
            action = urlsplit(form.action).path + (
                f"?{urlsplit(form.action).query}" if urlsplit(form.action).query else ""
            )
            if form.key() in self.seen_forms or any(s in action for s in skip):
                continue
            self.seen_forms.add(form.key())
            self.fuzz_form(browser, action, form, extra or {})

    def fuzz_form(self, browser: Browser, action: str, form: Form, extra: dict[str, str]) -> None:
        # the first named button pressed; hidden fields and the button fuzzed too: a client sets them as it likes
        base = {**defaults(form, self.answers), **dict(form.buttons[:1]), **extra}
        names = [n for n in base if n != "csrfmiddlewaretoken"]
        self.forms_fuzzed.append(f"{action} ({', '.join(names) or 'a button'})")
        dates = sorted({n.rsplit("-", 1)[0] for n in names if re.search(r"-(day|month|year)$", n)})
        for name in names:
            for value in self.values:
                data = pairs({**base, name: value.raw if value.raw is not None else value.text})
                browser.post(action, data, what=f"POST {action} {name}={value.label}")
        for prefix in dates:
            for label, parts in self.dates:
                data = {**base, **{f"{prefix}-{p}": v for p, v in zip(("day", "month", "year"), parts, strict=True)}}
                browser.post(action, pairs(data), what=f"POST {action} {prefix}={label}")
        valid = urlencode(pairs(base), doseq=True)
        for label, content_type, codec in CHARSETS:
            body = valid.encode("ascii") + "&note=caf\u00e9".encode(codec, errors="replace")
            browser.post_raw(action, body, content_type, what=f"POST {action} in {label}")
        for label, content_type, body in BROKEN_MULTIPART[: 1 if self.quick else None]:
            browser.post_raw(action, body, content_type, what=f"POST {action} as {label}")

    # Links and query parameters -------------------------------------------------------------------------------

    def note_links(self, links: Iterable[str]) -> None:
        for link in links:
            parts = urlsplit(link)
            if parts.netloc and parts.netloc != urlsplit(self.base).netloc:
                continue
            self.get_pages.add(parts.path + (f"?{parts.query}" if parts.query else ""))

    def note_get_form(self, form: Form) -> None:
        path = urlsplit(form.action).path
        for name in form.fields:
            self.get_pages.add(f"{path}?{urlencode({name: ''})}")

    def fuzz_addresses(self, browser: Browser, *, prefix: str) -> None:
        """Each query parameter and each id, reference or token in the paths seen (under ``prefix``), given each
        hostile value."""
        for page in sorted(self.get_pages):
            if not page.startswith(prefix) or "sign-out" in page:
                continue
            path, _, query = page.partition("?")
            params = [p.split("=", 1)[0] for p in query.split("&") if p]
            for name in params:
                if (path, name) in self.seen_params:
                    continue
                self.seen_params.add((path, name))
                others = "&".join(p for p in query.split("&") if p and p.split("=", 1)[0] != name)
                for value in self.values:
                    joiner = "&" if others else ""
                    browser.get(
                        f"{path}?{others}{joiner}{quote(name)}={value.encoded()}",
                        what=f"GET {path} ?{name}={value.label}",
                    )
            segments = path.split("/")
            for index, segment in enumerate(segments):
                if index < 2 or not _is_parameter(segment):
                    continue
                shape = "/".join([*segments[:index], "*", *segments[index + 1 :]])
                if shape in self.seen_paths:
                    continue
                self.seen_paths.add(shape)
                for value in self.values:
                    if not value.text and value.raw is None:
                        continue  # an empty segment is another address
                    hostile = "/".join([*segments[:index], value.encoded(), *segments[index + 1 :]])
                    browser.get(hostile, what=f"GET {shape} with {value.label}")

    # The whole run --------------------------------------------------------------------------------------------

    def run(self) -> Tally:
        self.public_journey()
        self.manage_pages()
        self.fuzz_addresses(self.browser(), prefix="/")
        self.staff_console()
        self.headers_and_admin()
        self.sign_ins()
        return self.tally

    def public_journey(self) -> None:
        steps = [
            ("/prison", []),
            ("/prisoner", [("/prison", {"prison": "rochester"})]),
            (
                "/visitors/add",
                [
                    (
                        "/prisoner",
                        {
                            "first_name": "Ryan",
                            "last_name": "Walker",
                            "number": "A1001AA",
                            **_date("date_of_birth", date(1988, 4, 12)),
                        },
                    )
                ],
            ),
            (
                "/visitors",
                [
                    (
                        "/visitors/add",
                        {"first_name": "Dave", "last_name": "Stranger", **_date("date_of_birth", date(1980, 1, 1))},
                    )
                ],
            ),
            ("/visitors/0/change", []),
            ("/visitors/0/remove", []),
            ("/support", [("/visitors", {"add_another": "no"})]),
            ("/choose-time", [("/support", {"needs": "wheelchair", "details": "A ramp"})]),
            ("/another-time", [("/choose-time", {"session": "FIRST"})]),
            ("/choose-time/2", [("/another-time", {"another": "yes"})]),
            ("/contact", [("/choose-time/2", {"session": "FIRST"})]),
            ("/check", [("/contact", {"updates": "email", "email": "fuzz@example.com"})]),
        ]
        for path, _answers in steps:  # each step on a session of its own, reached by a visitor's answers
            browser = self.journey_to(steps, path)
            self.fuzz_forms_on(browser, path)
        # the full session's waiting list, joined from the picker (its link is among the picker's)
        browser = self.journey_to(steps, "/choose-time")
        picker = browser.get("/choose-time", count=False).body
        for join in sorted(set(re.findall(r'href="(/waiting-list[^"]*join[^"]*)"', picker))):
            self.fuzz_forms_on(browser, join)

    def journey_to(self, steps: list[tuple[str, list[tuple[str, dict[str, Any]]]]], path: str) -> Browser:
        browser = self.browser()
        for step, data in _replay(steps, path):
            page = browser.get(step, count=False).body  # as a visitor does: the page (and its CSRF cookie) first
            if data.get("session") == "FIRST":  # the first time the picker offers
                found = re.search(r'name="session" type="radio" value="(\d+)"', page)
                data = {**data, "session": found[1] if found else ""}
            answer = browser.post(step, pairs(data), count=False)
            if answer.status != 302:
                raise RuntimeError(f"the journey stopped at {step}: {answer.status}")
        return browser

    def manage_pages(self) -> None:
        browser = self.browser()
        self.fuzz_forms_on(browser, "/manage")
        for token in self.world["manage_tokens"]:
            for suffix in ("", "/cancel", "/withdraw", "/change"):
                self.fuzz_forms_on(browser, f"/visit/{token}{suffix}")
        for token in self.world["waiting_tokens"]:
            for suffix in ("", "/leave"):
                self.fuzz_forms_on(browser, f"/waiting-list/{token}{suffix}")
        for page in ("/", "/performance", "/prisons/rochester", "/help", "/cookies", "/accessibility", "/privacy"):
            self.fuzz_forms_on(browser, page)
        self.get_pages.update(
            {"/performance?prison=rochester", "/choose-time?days=weekdays&times=morning", "/prison?prison=rochester"}
        )

    def staff_console(self) -> None:
        browser = self.browser()
        browser.sign_in("fuzz-admin", self.password)
        world = self.world
        pages = ["/staff/", "/staff/rochester/"]
        pages += [f"/staff/rochester/visits/{r}" for r in world["references"]]
        pages += [f"/staff/rochester/requests/{world['references'][1]}"]
        pages += [f"/staff/rochester/timetable/{world['template']}", "/staff/rochester/pause-booking"]
        pages += ["/notify/fake-outbox"]
        crawled: set[str] = set()
        while pages:
            page = pages.pop(0)
            if page in crawled or "sign-out" in page or not (page.startswith("/staff/") or page.startswith("/notify/")):
                continue
            crawled.add(page)
            before = set(self.get_pages)
            extra = {"resume": ""} if page.endswith("/pause-booking") else None
            self.fuzz_forms_on(browser, page, skip=["/staff/sign-out", "/i18n/"], extra=extra)
            pages += sorted(p.split("?")[0] for p in self.get_pages - before if p.startswith("/staff/"))
        self.fuzz_addresses(browser, prefix="/staff/")
        # the console's own resume button, and a pause of every prison, are fuzzed above as fields of its page

    def headers_and_admin(self) -> None:
        browser = self.browser()
        for path, name, value in HEADERS:
            browser.get(path, headers={name: value}, what=f"GET {path} with {name}: {value[:20]!r}")
        admin = self.browser()
        admin.sign_in("fuzz-admin", self.password)
        for model in ADMIN_DATE_MODELS:
            for query in ADMIN_DATE_FILTERS:
                admin.get(f"/django-admin/{model}/?{quote(query, safe='=&_')}", what=f"GET admin {model} ?{query}")

    def sign_ins(self) -> None:
        """Last: the sign-ins (a failure counts towards a lockout) and signing out."""
        for path in ("/staff/sign-in", "/django-admin/login/"):
            self.fuzz_forms_on(self.browser(), path)
        browser = self.browser()
        browser.sign_in("fuzz-admin", self.password)
        self.fuzz_forms_on(browser, "/staff/sign-out")


def _replay(
    steps: list[tuple[str, list[tuple[str, dict[str, Any]]]]], upto: str
) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, answers in steps:
        yield from answers
        if path == upto:
            return


def _is_parameter(segment: str) -> bool:
    """An id, a visit's reference or a signed token in a path."""
    return bool(re.fullmatch(r"\d+|[a-z]{2}(-[a-z]{2}){3}|[A-Za-z0-9_:.-]{25,}", segment))


# --- Running it ------------------------------------------------------------------------------------------------------


def report(tally: Tally, fuzzer: Fuzzer, problems: list[str], seconds: float) -> str:
    lines = [
        f"Inputs tried: {tally.tried} ({len(fuzzer.forms_fuzzed)} forms, {len(fuzzer.seen_params)} query parameters,"
        f" {len(fuzzer.seen_paths)} path parameters) in {seconds:.0f} s",
        "Answers: " + ", ".join(f"{status or 'no answer'}: {n}" for status, n in sorted(tally.statuses.items())),
        f"Responses of 500 or more: {len(tally.server_errors)}",
        *(f"  {line}" for line in tally.server_errors[:100]),
        f"Forms fuzzed: {len(fuzzer.forms_fuzzed)}",
        *(f"  {line}" for line in fuzzer.forms_fuzzed),
        f"Query parameters fuzzed: {', '.join(sorted(f'{p}?{n}' for p, n in fuzzer.seen_params))}",
        f"Path parameters fuzzed: {', '.join(sorted(fuzzer.seen_paths))}",
        f"Problems in the stack's logs: {len(problems)}",
        *(f"  {line[:300]}" for line in problems[:30]),
    ]
    return "\n".join(lines)


def fuzz(base: str, world: dict[str, Any], password: str, *, quick: bool = False) -> tuple[Tally, Fuzzer]:
    fuzzer = Fuzzer(base, world, password, quick=quick)
    return fuzzer.run(), fuzzer


def load_world(stack: Stack, password: str) -> dict[str, Any]:
    output = stack.manage("shell", "-c", f"from scripts.fuzz_forms import seed_world; seed_world({password!r})")
    line = next(line for line in output.splitlines() if line.startswith(WORLD_MARKER))
    return json.loads(line.removeprefix(WORLD_MARKER))


def recreate_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    server = parts._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True, connect_timeout=5) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    ensure_database(url)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], prog="fuzz_forms.py")
    parser.add_argument("--quick", action="store_true", help="a few hostile values of each kind")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="dropped and made afresh")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="its database is emptied")
    parser.add_argument("--work", type=Path, help="folder for the stack's logs (default: a new temporary one)")
    options = parser.parse_args(argv)

    import redis

    recreate_database(options.database_url)
    redis.Redis.from_url(options.redis_url).flushdb()
    work = options.work or Path(tempfile.mkdtemp(prefix="visits-fuzz-"))
    env = {
        "DATABASE_URL": options.database_url,
        "REDIS_URL": options.redis_url,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SERVICE_BASE_URL": f"http://127.0.0.1:{options.port}",
        "SECURE_SSL_REDIRECT": "0",
        "NOTIFY_FAKE": "1",
        # Behind one proxy, as production is: each request comes from an address of its own (X-Forwarded-For).
        "TRUSTED_PROXY_COUNT": "1",
    }
    password = secrets.token_urlsafe(16)
    fake = FakeHmppsProcess(work / "hmpps-fake.sqlite3", per_prison=3, log=work / "hmpps-fake.log")
    env.update(fake.service_env())
    with fake, Stack(env, work, port=options.port) as stack:
        print(f"Preparing the stack (logs: {work})...", flush=True)
        stack.build()
        stack.load_data()
        world = load_world(stack, password)
        stack.start()
        print(f"Fuzzing {stack.url}{' (quick)' if options.quick else ''}...", flush=True)
        started = time.monotonic()
        tally, fuzzer = fuzz(stack.url, world, password, quick=options.quick)
        seconds = time.monotonic() - started
        problems = [p for p in stack.problems() if "Traceback" in p or " 5" in p or "ERROR" in p]
    print(report(tally, fuzzer, problems, seconds))
    return 1 if tally.server_errors or problems else 0


if __name__ == "__main__":
    sys.exit(main())
