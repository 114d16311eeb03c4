"""Requests a second for the public booking pages with one visitor's cookie sent again and again: a cache-hit line.

Every request here is the same visitor's, so it measures what a page costs once its visitor's session and NOMIS
facts are in the cache; no target is set on it (the population benchmark, benchmarks/population.py, measures what
real, first-time visitors cost, and holds the targets). One gunicorn sync worker (DEBUG off) on loopback, driven by
`wrk -t1 -c8` (or, without wrk, a small Python load generator with keep-alive threads: it says which it used). In
the same run, against the same worker, taking turns (BENCH_PAGE_ROUNDS, 5, so that the machine's other work falls
on each alike): a bare Django view that returns "ok" (the framework's floor), the choose-a-time page of a journey
(48 sessions over a 28-day window, two approved visitors) and the check-your-answers page of another journey (with
a live hold). It prints the requests a second of each and the worker's CPU time per request, choose-a-time / bare,
and the size of the choose-a-time HTML. It replaces Rochester's sessions and visits from today on with its own
(docs/benchmarks.md).

The worker runs production's settings (DEBUG off, the cache in Redis at BENCH_REDIS_URL, redis://127.0.0.1:6379/14,
under a key prefix of its own: sessions, the NOMIS facts and the shared reads); without Redis it says so and skips.

BENCH_PAGES_BASELINE=/path/to/another/checkout also serves that tree (e.g. `git archive HEAD | tar -x -C DIR`), one
worker at a time on the same database, so that a change is measured before and after in the same run.
"""

from __future__ import annotations

import http.client
import io
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from datetime import time as clock
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from prisons.models import Prison, VisitSession
from prisons.nomis.stub.seed import stub_seed
from visits.models import Visit, VisitPreference

SECONDS = float(os.environ.get("BENCH_PAGE_SECONDS", "10"))
ROUNDS = int(os.environ.get("BENCH_PAGE_ROUNDS", "5"))  # the pages take turns: SECONDS / ROUNDS each turn
WARM_UP_SECONDS = float(os.environ.get("BENCH_PAGE_WARM_UP_SECONDS", "2"))
CONNECTIONS = int(os.environ.get("BENCH_PAGE_CONNECTIONS", "8"))
BASELINE = os.environ.get("BENCH_PAGES_BASELINE", "")
BENCH_REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
CACHE_PREFIX = f"visits-bench-{os.getpid()}"
# The journeys are driven in this process with the worker's cache: their sessions and NOMIS facts in its Redis.
WORKER_CACHE = {
    "SESSION_ENGINE": "django.contrib.sessions.backends.cache",
    "CACHES": {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": BENCH_REDIS_URL,
            "KEY_PREFIX": CACHE_PREFIX,
        }
    },
}
ROOT = Path(__file__).resolve().parent.parent
PRISON_SLUG = "rochester"
WINDOW_DAYS = 28
NO_SESSION_OFFSETS = {3, 10, 17, 24}  # four days of the window with no sessions: 24 days of two = 48 sessions
TIMES = ((clock(9, 30), clock(11)), (clock(14), clock(15, 45)))

WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) not_ok = 0 end
function response(status, headers, body) if status ~= 200 then not_ok = not_ok + 1 end end
function done(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do n = n + t:get("not_ok") end
  io.write(string.format("BENCH not_ok=%d\\n", n))
end
"""


@dataclass
class Page:
    name: str
    path: str
    cookie: str
    expect: str  # text the page must contain


@dataclass
class Load:
    rps: float
    requests: int
    not_ok: int  # responses other than 200 (redirects included) and socket errors
    cpu_ms: float = 0.0  # the worker's CPU time (user + system) a request: what the rate would be on an idle core


def _cpu_seconds(pid: int) -> float:
    """A process's CPU time so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _window_prepare(today: date) -> Prison:
    """Rochester with a whole 28-day window (no lead days) of 48 sessions: two a day but for four days."""
    call_command("import_prisons", stdout=io.StringIO(), stderr=io.StringIO())
    prison = Prison.objects.get(slug=PRISON_SLUG)
    Prison.objects.filter(pk=prison.pk).update(lead_days=0, booking_window=WINDOW_DAYS)
    prison.refresh_from_db()
    VisitPreference.objects.filter(session__prison=prison, session__date__gte=today).delete()
    Visit.objects.filter(session__prison=prison, session__date__gte=today).delete()
    VisitSession.objects.filter(prison=prison, date__gte=today).delete()
    VisitSession.objects.bulk_create(
        VisitSession(
            prison=prison,
            date=today + timedelta(days=offset),
            start_time=start,
            end_time=end,
            open_capacity=20,
            closed_capacity=2,
        )
        for offset in range(1, WINDOW_DAYS + 1)
        if offset not in NO_SESSION_OFFSETS
        for start, end in TIMES
    )
    first, last = prison.bookable_window(today)
    sessions = VisitSession.objects.filter(prison=prison, date__range=(first, last)).count()
    assert (last - first).days + 1 == WINDOW_DAYS and sessions == 48, (first, last, sessions)
    return prison


def _dob(day: date) -> dict[str, str]:
    return {
        "date_of_birth-day": str(day.day),
        "date_of_birth-month": str(day.month),
        "date_of_birth-year": str(day.year),
    }


def _journey(prisoner: tuple[str, str, str, date], visitors: list[tuple[str, str, date]], *, to_check: bool) -> str:
    """Drive a journey with Django's test client (in this process, on the bench database); its cookies."""
    client = Client(SERVER_NAME="127.0.0.1")
    number, first_name, last_name, born = prisoner

    def post(path: str, data: dict[str, object], then: str) -> None:
        response = client.post(path, data)
        assert response.status_code == 302 and response["Location"] == then, (path, response.status_code)

    post("/prison", {"prison": PRISON_SLUG}, "/prisoner")
    post("/prisoner", {"first_name": first_name, "last_name": last_name, "number": number, **_dob(born)}, "/visitors")
    for index, (first, last, visitor_born) in enumerate(visitors):
        if index:
            post("/visitors", {"add_another": "yes"}, "/visitors/add")
        post("/visitors/add", {"first_name": first, "last_name": last, **_dob(visitor_born)}, "/visitors")
    post("/visitors", {"add_another": "no"}, "/support")
    post("/support", {"needs": ["wheelchair"]} if to_check else {}, "/choose-time")
    picker = client.get("/choose-time")
    assert picker.status_code == 200, picker.status_code
    if to_check:
        html = picker.content.decode()
        marker = 'name="session" type="radio" value="'
        start = html.index(marker) + len(marker)
        post("/choose-time", {"session": html[start : html.index('"', start)]}, "/contact")
        post("/contact", {"updates": ["email"], "email": "fatima@example.com"}, "/check")
        # The hold lasts 10 minutes; the run may be longer.
        hold_id = client.session["booking"]["hold_visit_id"]
        Visit.objects.filter(pk=hold_id).update(hold_expires_at=timezone.now() + timedelta(hours=2))
        assert client.get("/check").status_code == 200
    return "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(port: int, path: str, cookie: str = "") -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


class Server:
    """One gunicorn sync worker serving a tree (this one, or a baseline checkout) with DEBUG off."""

    def __init__(self, tree: Path, extra_env: dict[str, str] | None = None) -> None:
        self.tree = tree
        self.port = _free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "benchmarks.bench_settings",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),  # the sessions are in Redis, unsigned: any key reads them
            "REDIS_URL": BENCH_REDIS_URL,
            "CACHE_KEY_PREFIX": CACHE_PREFIX,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SERVICE_BASE_URL": "http://127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "NOTIFY_FAKE": "1",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(tree),
            **(extra_env or {}),
        }
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [str(gunicorn), "config.wsgi:application", "-w", "1", "-k", "sync"]
        command += ["-b", f"127.0.0.1:{self.port}", "--log-level", "warning"]
        self.process = subprocess.Popen(command, cwd=tree, env=env)
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(self.port, "/bench/bare")[0] == 200:
                    break
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"gunicorn did not start for {tree}")
            time.sleep(0.2)

    @property
    def worker_pid(self) -> int:
        """The sync worker's process id (the master's one child)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return int(children.read_text().split()[0])
        except (OSError, IndexError, ValueError):
            return self.process.pid

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _wrk(port: int, page: Page, seconds: float, script: str) -> Load:
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", "--timeout", "10s", "-s", script]
    if page.cookie:
        command += ["-H", f"Cookie: {page.cookie}"]
    output = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{page.path}"], capture_output=True, text=True, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    not_ok = int(re.search(r"BENCH not_ok=(\d+)", output).group(1))  # type: ignore[union-attr]
    if errors := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output):
        not_ok += sum(int(n) for n in errors.groups())
    return Load(rps, requests, not_ok)


def _python_load(port: int, page: Page, seconds: float) -> Load:
    """The fallback without wrk: CONNECTIONS threads, each with a keep-alive connection, for ``seconds``."""
    headers = {"Cookie": page.cookie} if page.cookie else {}
    counts = [0] * CONNECTIONS
    not_ok = [0] * CONNECTIONS
    stop = time.monotonic() + seconds

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop:
            try:
                conn.request("GET", page.path, headers=headers)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                conn.close()
                not_ok[i] += 1
                continue
            counts[i] += 1
            not_ok[i] += response.status != 200
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(CONNECTIONS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Load(sum(counts) / (time.monotonic() - started), sum(counts), sum(not_ok))


def _redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def _baseline_tree() -> Path | None:
    if not BASELINE:
        return None
    tree = Path(BASELINE).resolve()
    for name in ("bench_settings.py", "bench_urls.py"):  # the baseline may predate them
        if not (tree / "benchmarks" / name).exists():
            shutil.copy(ROOT / "benchmarks" / name, tree / "benchmarks" / name)
    return tree


def _measure(
    tree: Path, pages: list[Page], load: object, extra_env: dict[str, str] | None = None
) -> dict[str, Load | int]:
    server = Server(tree, extra_env)
    try:
        results: dict[str, Load | int] = {}
        for page in pages:  # each page answers 200 with its content before the run
            status, body = _get(server.port, page.path, page.cookie)
            assert status == 200 and page.expect.encode() in body, (tree, page.path, status)
            if page.name == "choose-time":
                results["choose-time bytes"] = len(body)
        for page in pages:
            load(server.port, page, WARM_UP_SECONDS)  # type: ignore[operator]
        # The pages take turns, ROUNDS times each, so that whatever else the machine does in the meantime falls on
        # all of them alike: each page's figures are its rounds added up.
        totals = {page.name: [0, 0.0, 0, 0.0] for page in pages}  # requests, seconds, not 200, CPU seconds
        for _ in range(ROUNDS):
            for page in pages:
                worker = server.worker_pid
                cpu = _cpu_seconds(worker)
                result = load(server.port, page, SECONDS / ROUNDS)  # type: ignore[operator]
                total = totals[page.name]
                total[0] += result.requests
                total[1] += result.requests / result.rps if result.rps else SECONDS / ROUNDS
                total[2] += result.not_ok
                total[3] += _cpu_seconds(worker) - cpu
        for page in pages:
            requests, seconds, not_ok, cpu_seconds = totals[page.name]
            results[page.name] = Load(requests / seconds, requests, not_ok, cpu_seconds * 1000 / max(requests, 1))
            status, _ = _get(server.port, page.path, page.cookie)
            assert status == 200, (tree, page.path, status)  # and after it
        results["load"] = " ".join(f"{n:.1f}" for n in os.getloadavg())  # type: ignore[assignment]
        return results
    finally:
        server.stop()


def main() -> None:
    today = timezone.localdate()
    started = time.perf_counter()
    _window_prepare(today)
    stub_seed(seed=settings.NOMIS_STUB_SEED, per_prison=3, today=today)
    if not _redis_answers(BENCH_REDIS_URL):
        print(
            f"pages: Redis does not answer at {BENCH_REDIS_URL} (production's cache, which the worker needs); skipped"
        )
        return
    with override_settings(**WORKER_CACHE):
        choose_cookie, check_cookie = _journeys()
    connection.close()  # the workers have their own connections
    print(f"set up in {time.perf_counter() - started:.1f} s: Rochester, 48 sessions over 28 days, two journeys")
    _serve_and_measure(choose_cookie, check_cookie)


def _journeys() -> tuple[str, str]:
    choose_cookie = _journey(
        ("A1001AA", "Ryan", "Walker", date(1988, 4, 12)),
        [("Sophie", "Walker", date(1990, 7, 3)), ("Lily", "Walker", date(2017, 9, 25))],
        to_check=False,
    )
    check_cookie = _journey(
        ("A1011AA", "Mohammed", "Hussain", date(1975, 5, 15)),
        [("Fatima", "Hussain", date(1977, 8, 9)), ("Mia", "Hussain", date(2019, 4, 4))],
        to_check=True,
    )
    return choose_cookie, check_cookie


def _serve_and_measure(choose_cookie: str, check_cookie: str) -> None:
    pages = [
        Page("bare", "/bench/bare", "", "ok"),
        Page("choose-time", "/choose-time", choose_cookie, "Choose a time"),
        Page("check", "/check", check_cookie, "Check your booking details"),
    ]

    with tempfile.TemporaryDirectory(prefix="visits-bench-wrk-") as scratch:
        if shutil.which("wrk"):
            script = os.path.join(scratch, "status.lua")
            Path(script).write_text(WRK_SCRIPT)
            print(f"load tool: wrk -t1 -c{CONNECTIONS}, {WARM_UP_SECONDS:g} s warm-up + {SECONDS:g} s a page")

            def load(port: int, page: Page, seconds: float) -> Load:
                return _wrk(port, page, seconds, script)

        else:
            print(
                f"load tool: Python threads ({CONNECTIONS} keep-alive connections; wrk not found, "
                "`apt-get install wrk` for figures comparable with docs/benchmarks.md)"
            )
            load = _python_load  # type: ignore[assignment]
        # Production's settings: sessions, the NOMIS facts and the shared reads in Redis.
        runs: list[tuple[str, Path, dict[str, str] | None]] = [("this tree", ROOT, None)]
        if (baseline := _baseline_tree()) is not None:
            runs.insert(0, (f"baseline {baseline}", baseline, None))
        for label, tree, extra_env in runs:
            results = _measure(tree, pages, load, extra_env)
            bare, choose, check = (results[name] for name in ("bare", "choose-time", "check"))
            assert isinstance(bare, Load) and isinstance(choose, Load) and isinstance(check, Load)
            size = int(results["choose-time bytes"])
            ratio = choose.rps / bare.rps
            print(f"\n{label}: one gunicorn sync worker, DEBUG off (load average {results['load']})")
            print(f"{'page':<14}{'requests/s':>12}{'requests':>10}{'not 200':>9}{'worker CPU ms/request':>24}")
            for name, result in (("bare view", bare), ("choose-time", choose), ("check", check)):
                print(f"{name:<14}{result.rps:>12.0f}{result.requests:>10}{result.not_ok:>9}{result.cpu_ms:>24.3f}")
            if bare.cpu_ms and choose.cpu_ms:  # less sensitive than the rates to other work on the machine
                print(f"choose-time / bare by worker CPU time: {bare.cpu_ms / choose.cpu_ms:.2f}")
            if bare.not_ok or choose.not_ok or check.not_ok:
                print("WARNING: some responses were not 200: the figures above are not the pages'")
            print(f"choose-time / bare by requests a second: {ratio:.2f}")
            print(f"choose-time HTML, uncompressed: {size / 1000:.1f} KB ({size} bytes)")
