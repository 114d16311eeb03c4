"""Locust's side of the population benchmark (benchmarks/population.py starts it headless; not run on its own).

Each Locust user is one first-time visitor from the plan (``$BENCH_POP_PLAN``, JSON written by population.py): their
own cookie jar, client address (``X-Forwarded-For``, as the load balancer production sits behind sets it), prisoner,
party and choice of time. They walk the whole journey once, as a browser would (``Accept-Encoding: gzip, br``, the
start page's CSS and scripts, every redirect followed by a GET, the CSRF token read from each form), pausing
between pages for their own think time, then stop. Every request is recorded by page (``GET /choose-time``,
``POST /check``, ...): its latency, its bytes on the wire (the body as sent: ``Content-Length``, compressed when
it was) and its status; every journey by how it ended. The records go to ``$BENCH_POP_OUT`` (JSON) when the last
visitor has finished, and Locust stops.

With ``first_views`` in the plan, the users instead measure a new visitor's first view of the date picker under a
closed loop: together they walk every visitor of the plan to the support step (no think time; those requests are
recorded as ``prepare ...``), wait until all are there, then each user (as many as Locust starts: 64 connections)
takes the next prepared visitor's cookies and asks for ``GET /choose-time`` once for them, and again for the next,
until none is left: every one of those requests is a visitor's first look at the page.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
from collections import Counter, defaultdict
from typing import Any

import gevent
import gevent.event
from locust import HttpUser, events, task
from locust.exception import StopUser

PLAN: dict[str, Any] = json.loads(open(os.environ["BENCH_POP_PLAN"]).read())  # noqa: SIM115
VISITORS: list[dict[str, Any]] = PLAN["visitors"]
THINK = tuple(PLAN["think_seconds"])
FIRST_VIEWS = bool(PLAN.get("first_views"))
HOLD_LOST = "Your visit time is no longer available"
TAKEN_FROM_LIST = "Select a visit time from the list"  # the form's answer to a time no longer offered
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RADIO = re.compile(r'name="session" type="radio" value="(\d+)"')
WAITING_LIST = 'href="/waiting-list-join/'  # a fully booked time's "Tell me if a place comes up"
ASSET = re.compile(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"')
MAX_CHOICES = 6  # times a visitor tries before giving up

_next = iter(range(len(VISITORS)))
_finished = 0
latencies: dict[str, list[float]] = defaultdict(list)
wire: dict[str, int] = Counter()
statuses: dict[str, Counter[int]] = defaultdict(Counter)
outcomes: Counter[str] = Counter()
events_seen: Counter[str] = Counter()  # e.g. a lost race shown other times
failures: list[str] = []
started_at = time.time()
_prepared: list[tuple[str, Any]] = []  # first views: each visitor's address and cookies, at the date picker
_ready_users: list[Any] = []
_all_ready = gevent.event.Event()


@events.request.add_listener
def _record(request_type: str, name: str, response_time: float, response: Any, exception: Any, **_: Any) -> None:
    latencies[name].append(response_time)
    status = getattr(response, "status_code", 0) or 0
    statuses[name][status] += 1
    if response is not None and status:
        length = response.headers.get("Content-Length")
        wire[name] += int(length) if length and length.isdigit() else len(response.content or b"")


class JourneyError(Exception):
    pass


class Visitor(HttpUser):
    """One visitor, one journey."""

    def wait_time(self) -> float:
        return 0

    def think(self) -> None:
        gevent.sleep(self.rng.uniform(*THINK))

    def plain_cookies(self) -> None:
        """The service marks its cookies Secure (DEBUG off, as behind production's TLS proxy); there is no TLS
        here, so keep sending them over plain HTTP, as a browser does over HTTPS."""
        for cookie in self.client.cookies:
            cookie.secure = False

    prefix = ""  # "prepare " for the requests that only bring a visitor to the date picker (first views)

    def get(self, path: str, *, name: str | None = None) -> Any:
        response = self.client.get(path, name=self.prefix + (name or f"GET {path}"), allow_redirects=False)
        self.plain_cookies()
        return response

    def post(self, path: str, data: dict[str, Any], html: str) -> Any:
        match = CSRF.search(html)
        if match is None:
            raise JourneyError(f"no CSRF token on the page before POST {path}")
        response = self.client.post(
            path,
            data={"csrfmiddlewaretoken": match.group(1), **data},
            name=f"{self.prefix}POST {path}",
            allow_redirects=False,
        )
        self.plain_cookies()
        return response

    def page(self, path: str, expect: str = "") -> str:
        """GET a page, following redirects one GET at a time (each recorded under its own path)."""
        for _ in range(5):
            response = self.get(path)
            if response.status_code in (301, 302, 303):
                path = response.headers["Location"]
                continue
            if response.status_code != 200:
                raise JourneyError(f"GET {path}: {response.status_code}")
            self.at = path
            if expect and expect not in response.text:
                raise JourneyError(f"GET {path}: no {expect!r}")
            return response.text
        raise JourneyError(f"GET {path}: too many redirects")

    def submit(self, path: str, data: dict[str, Any], html: str, then: str | tuple[str, ...]) -> str:
        """POST a form, expect a redirect to ``then``; the Location."""
        response = self.post(path, data, html)
        location = response.headers.get("Location", "")
        if response.status_code != 302 or location not in ((then,) if isinstance(then, str) else then):
            raise JourneyError(f"POST {path}: {response.status_code} {location or response.text[:300]!r}")
        return location

    def as_visitor(self, visitor: dict[str, Any]) -> None:
        self.rng = random.Random(visitor["seed"])
        self.client.headers.update(
            {
                "Accept-Encoding": "gzip, br",
                "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
                "X-Forwarded-For": visitor["ip"],
                "User-Agent": "Mozilla/5.0 (population benchmark)",
            }
        )

    @task
    def journey(self) -> None:
        if FIRST_VIEWS:
            self.first_views()
        global _finished
        try:
            index = next(_next)
        except StopIteration:
            raise StopUser() from None
        visitor = VISITORS[index]
        self.as_visitor(visitor)
        try:
            outcome = self.walk(visitor)
        except JourneyError as problem:
            outcome = "failed"
            failures.append(f"{visitor['number']} at {self.at}: {problem}")
        except Exception as problem:  # the connection, say: counted, never fatal to the run
            outcome = "failed"
            failures.append(f"{visitor['number']}: {type(problem).__name__}: {problem}")
        outcomes[outcome] += 1
        _finished += 1
        if _finished == len(VISITORS):
            _write_results()
            self.environment.runner.quit()
        raise StopUser()

    def first_views(self) -> None:
        """Bring visitors to the date picker, wait for every user, then look at it once for each of them."""
        global _finished
        self.prefix = "prepare "
        for index in _next:
            visitor = VISITORS[index]
            self.client.cookies.clear()
            self.as_visitor(visitor)
            try:
                self.walk(visitor, stop_before="/choose-time")
                _prepared.append((visitor["ip"], self.client.cookies.copy()))
            except Exception as problem:
                outcomes["failed to prepare"] += 1
                failures.append(f"{visitor['number']} at {self.at}: {type(problem).__name__}: {problem}")
        _ready_users.append(self)
        if len(_ready_users) == PLAN["users"]:
            _all_ready.set()
        _all_ready.wait()
        self.prefix = ""
        while _prepared:
            ip, cookies = _prepared.pop()
            self.client.cookies = cookies
            self.client.headers["X-Forwarded-For"] = ip
            response = self.get("/choose-time")
            outcomes["first view shown" if response.status_code == 200 else f"first view {response.status_code}"] += 1
        _finished += 1
        if _finished == len(_ready_users):
            _write_results()
            self.environment.runner.quit()
        raise StopUser()

    def walk(self, visitor: dict[str, Any], stop_before: str = "") -> str:
        self.at = "/"
        html = self.page("/", "Visit someone in prison")
        for asset in sorted(set(ASSET.findall(html))):  # a first-time visitor's browser fetches them once
            self.get(asset, name="GET /static")
        self.think()
        html = self.page("/prison")
        self.think()
        self.submit("/prison", {"prison": visitor["prison"]}, html, "/prisoner")
        html = self.page("/prisoner")
        self.think()
        born = visitor["born"].split("-")
        prisoner = {
            "first_name": visitor["first_name"],
            "last_name": visitor["last_name"],
            "number": visitor["number"],
            "date_of_birth-day": str(int(born[2])),
            "date_of_birth-month": str(int(born[1])),
            "date_of_birth-year": born[0],
        }
        self.submit("/prisoner", prisoner, html, "/visitors")
        html = self.page("/visitors")  # no visitors yet: on to /visitors/add
        for position, person in enumerate(visitor["party"]):
            if position:
                self.submit("/visitors", {"add_another": "yes"}, html, "/visitors/add")
                html = self.page("/visitors/add")
            self.think()
            day = person["born"].split("-")
            fields = {
                "first_name": person["first_name"],
                "last_name": person["last_name"],
                "date_of_birth-day": str(int(day[2])),
                "date_of_birth-month": str(int(day[1])),
                "date_of_birth-year": day[0],
            }
            self.submit("/visitors/add", fields, html, "/visitors")
            html = self.page("/visitors")
            self.think()
        self.submit("/visitors", {"add_another": "no"}, html, "/support")
        html = self.page("/support")
        self.think()
        self.submit("/support", {"needs": visitor["needs"], "details": ""}, html, "/choose-time")
        if stop_before == "/choose-time":
            return "at the date picker"
        booked = False
        tries = 0
        html = self.page("/choose-time")
        while not booked:
            if self.at.startswith("/cannot-book"):
                return "no times left"
            offered = RADIO.findall(html)
            if not offered:
                if WAITING_LIST in html:  # every time is full: the picker offers their waiting lists
                    return "every time full: offered the waiting list"
                raise JourneyError("the picker offers no time")
            tries += 1
            if tries > MAX_CHOICES:
                return "gave up"
            self.think()
            response = self.post("/choose-time", {"session": self.rng.choice(offered)}, html)
            if response.status_code == 400 and (RADIO.search(response.text) or WAITING_LIST in response.text):
                # The time went while the visitor looked at it: the picker again, with the message why.
                why = "no longer available" if HOLD_LOST in response.text else "not in the list"
                if TAKEN_FROM_LIST in response.text:
                    why = "select from the list"
                events_seen[f"time gone at choose-time ({why}): shown other times"] += 1
                html = response.text
                continue
            if response.status_code == 302 and response.headers.get("Location") == "/contact":
                pass
            elif response.status_code in (302, 303):
                html = self.page(response.headers["Location"])
                events_seen[f"choose-time sent to {self.at}"] += 1
                continue
            else:
                raise JourneyError(f"POST /choose-time: {response.status_code} {response.text[:300]!r}")
            html = self.page("/contact")
            self.think()
            self.submit("/contact", {"updates": ["email"], "email": visitor["email"]}, html, "/check")
            html = self.page("/check", "Check")
            self.think()
            location = self.submit("/check", {}, html, ("/confirmation", "/choose-time"))
            if location == "/choose-time":
                html = self.page("/choose-time")
                if HOLD_LOST in html:
                    events_seen["lost the hold at check: shown other times"] += 1
                continue
            booked = True
        self.page("/confirmation", visitor["confirmation"])
        return "booked"


def _write_results() -> None:
    path = os.environ["BENCH_POP_OUT"]
    with open(path, "w") as out:
        json.dump(
            {
                "latencies": latencies,
                "wire": wire,
                "statuses": {name: dict(counts) for name, counts in statuses.items()},
                "outcomes": outcomes,
                "events": events_seen,
                "failures": failures,
                "seconds": time.time() - started_at,
            },
            out,
        )


@events.quitting.add_listener
def _on_quit(environment: Any, **_: Any) -> None:
    if not FIRST_VIEWS and _finished < len(VISITORS):  # stopped early (the run-time limit): write what there is
        outcomes["unfinished"] += len(VISITORS) - _finished
        _write_results()
