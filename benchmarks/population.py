"""The population benchmark: thousands of first-time visitors booking through the production-shaped stack.

`make bench`'s page benchmark (benchmarks/pages.py) sends one visitor's cookie over and over: a cache-hit figure.
Every real visitor is a first-time visitor. Here each simulated visitor (a Locust user,
benchmarks/locustfile_population.py) has their own cookie jar, client address, prisoner, party and choice of time,
against the stack as production runs it (``scripts.prod_local.Stack``: gunicorn with 2 sync workers, a Celery
worker and beat, DEBUG off, PostgreSQL and Redis, pages compressed), on a database holding a national-size
history. The runs (``BENCH_POP_MODES``), one after the other:

1. ``first-views``: 64 connections in a closed loop, each request a different visitor's first view of the date
   picker (the visitors were first brought to it, all of them before any is measured): CPU per request of the
   web workers and of PostgreSQL, p50/p95/p99 at 64 connections, bytes on the wire;
2. ``first-views-no-facts-cache``: the same with the journey's NOMIS facts not kept in the cache
   (``NOMIS_FACTS_CACHE_SECONDS=0``): what that one cache saves;
3. ``population``: every visitor walks the whole journey from the start page to "Visit booked" at a person's pace;
4. ``surge``: ``BENCH_SURGE_VISITORS`` visitors arriving within ``BENCH_SURGE_SECONDS`` for
   ``BENCH_SURGE_PLACES`` places at one prison;
5. ``first-views-nomis-http`` and ``population-nomis-http``: runs 1 and 3 with NOMIS over HTTP, as production
   reaches it: the stack's HTTP client (prisons/nomis/hmpps/) talking to the fake HMPPS server, a process of its own
   answering from the same seeded stub tables; it reports NOMIS's calls and their time per booked journey, and the
   first view's CPU beside run 1's.

The other runs keep the stub NOMIS in the stack's processes (benchmarks/stub_settings.py): the service's own work.

For each it prints, per page, the CPU a request of the web workers and of their PostgreSQL backends (accounted
request by request in the workers: benchmarks/gunicorn_population.conf.py), the latency percentiles, the bytes on
the wire, and the whole stack's CPU and the bookings a second, beside the machine's load average. PostgreSQL only
(on SQLite it says so and skips). Sizes from the environment (docs/benchmarks.md): BENCH_POP_*, BENCH_SURGE_*.
"""

from __future__ import annotations

import io
import json
import math
import os
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def _range(text: str) -> tuple[float, float]:
    """ "2-6" (seconds) as (2.0, 6.0); "3" as (3.0, 3.0)."""
    low, _, high = text.partition("-")
    return float(low), float(high or low)


VISITORS = _int("BENCH_POP_VISITORS", 2000)
HISTORY = _int("BENCH_POP_HISTORY", 1_500_000)
PRISONS = _int("BENCH_POP_PRISONS", 30)
ARRIVAL_SECONDS = float(os.environ.get("BENCH_POP_ARRIVAL_SECONDS") or VISITORS * 0.12)
THINK = _range(os.environ.get("BENCH_POP_THINK", "2-6"))
SURGE_VISITORS = _int("BENCH_SURGE_VISITORS", VISITORS)
SURGE_SECONDS = float(os.environ.get("BENCH_SURGE_SECONDS") or 60)
SURGE_PLACES = _int("BENCH_SURGE_PLACES", 300)
SURGE_THINK = _range(os.environ.get("BENCH_SURGE_THINK", "1-3"))
SURGE_PRISON = os.environ.get("BENCH_SURGE_PRISON", "rochester")
# The first views as deployed, and with one cache turned off in each of the others: what each one saves.
FIRST_VIEW_MODES: dict[str, tuple[str, str, str] | None] = {
    "first-views": None,
    "first-views-no-facts-cache": ("the NOMIS facts kept", "NOMIS_FACTS_CACHE_SECONDS", "0"),
    "first-views-no-shared-reads": ("the shared reads", "SHARED_READS_SECONDS", "0"),
    "first-views-no-rendering-cache": ("the rendering cache", "RENDERING_CACHE_ENTRIES", "0"),
}
# The same runs with NOMIS over HTTP (the fake HMPPS server): what the HMPPS APIs cost a booked journey.
NOMIS_HTTP_MODES = {"first-views-nomis-http": "first-views", "population-nomis-http": "population"}
MODES = [
    mode
    for mode in os.environ.get(
        "BENCH_POP_MODES", ",".join([*FIRST_VIEW_MODES, "population", "surge", *NOMIS_HTTP_MODES])
    ).split(",")
    if mode
]
FIRST_VIEW_CONNECTIONS = _int("BENCH_POP_CONNECTIONS", 64)
PEER_CPU_MS = 10.5  # the MOJ public booking service, choose a time, a new visitor each request (issue 14)
PEER_P95_MS = 940  # the same, 64 connections
REDIS_URL = os.environ.get("BENCH_POP_REDIS_URL", "redis://127.0.0.1:6379/9")
PROFILE = os.environ.get("BENCH_POP_PROFILE", "")  # a path to profile in one extra run, e.g. /choose-time
# The views each worker serves before its profile starts: a worker's steady state (its rendering cache warm).
PROFILE_SKIP = _int("BENCH_POP_PROFILE_SKIP", 300)
SEED = 20261122
SESSION_PLACES = 25  # the surge prison's sessions: this many places each (the last one takes the rest)
SURGE_CONTACT_IDS = 5_000_001


# Pure helpers (tests/benchmarks/test_population.py) ---------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) of values, interpolated between the nearest ranks (numpy's default); 0 if none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class PageCpu:
    requests: int = 0
    web_ns: int = 0
    db_ns: int = 0
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def web_ms(self) -> float:
        return self.web_ns / 1e6 / max(self.requests, 1)

    @property
    def db_ms(self) -> float:
        return self.db_ns / 1e6 / max(self.requests, 1)


def cpu_by_page(lines: Iterable[str]) -> dict[str, PageCpu]:
    """The workers' accounting lines (method, path, status, worker ns, backend ns) added up by "METHOD /path"."""
    pages: dict[str, PageCpu] = defaultdict(PageCpu)
    for line in lines:
        parts = line.rstrip("\n").split("\t")
        if len(parts) != 5:
            continue  # a line cut short by a worker stopping
        method, path, status, web, db = parts
        page = pages[f"{method} {path}"]
        page.requests += 1
        page.web_ns += int(web)
        page.db_ns += max(int(db), 0)
        page.statuses[status] = page.statuses.get(status, 0) + 1
    return dict(pages)


def tree_cpu_seconds(pids: Iterable[int]) -> float:
    """User + system CPU seconds of these processes and their live children, and of the children they have
    reaped (a process's cutime/cstime)."""
    import psutil

    total = 0.0
    seen: set[int] = set()
    for pid in pids:
        try:
            process = psutil.Process(pid)
            family = [process, *process.children(recursive=True)]
        except psutil.Error:
            continue
        for member in family:
            if member.pid in seen:
                continue
            seen.add(member.pid)
            try:
                times = member.cpu_times()
            except psutil.Error:
                continue
            total += times.user + times.system + times.children_user + times.children_system
    return total


def load_average() -> str:
    return " ".join(f"{n:.1f}" for n in os.getloadavg())


def machine_pace(rounds: int = 3) -> float:
    """CPU ms of one fixed pure-Python workload (the best of ``rounds``): the same work on every run, so that a
    slower machine (another tenant on the host, a lower clock) shows beside the figures measured on it. This
    machine's figure moves by half from one hour to the next; compare CPU figures only between runs of like pace."""
    best = math.inf
    for _ in range(rounds):
        started = time.process_time()
        rows = [{"id": n, "name": f"visitor {n}", "day": n % 28} for n in range(20_000)]
        rows.sort(key=lambda row: (row["day"], -row["id"]))
        "".join(f"<li>{row['name']}</li>" for row in rows)
        best = min(best, (time.process_time() - started) * 1000)
    return best


# The database's backends, sampled while a run lasts ------------------------------------------------------------


class BackendSampler:
    """Every second: the CPU (ns, /proc/<pid>/schedstat) of every PostgreSQL backend connected to the database,
    so that the backends of the Celery worker and of connections that come and go count too."""

    def __init__(self, dsn: str, database: str) -> None:
        self.dsn, self.database = dsn, database
        self.first: dict[int, int] = {}
        self.last: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.loads: list[float] = []

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(self.dsn, autocommit=True) as conn:
            own = conn.info.backend_pid
            while True:
                pids = [
                    pid
                    for (pid,) in conn.execute(
                        "SELECT pid FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend'",
                        [self.database],
                    ).fetchall()
                    if pid != own
                ]
                for pid in pids:
                    try:
                        ns = int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
                    except (OSError, ValueError, IndexError):
                        continue
                    self.first.setdefault(pid, 0 if self.started else ns)  # new since the start: all of it
                    self.last[pid] = ns
                self.loads.append(os.getloadavg()[0])
                if self._stop.wait(1.0):
                    return

    def start(self) -> BackendSampler:
        self.started = False
        self._thread.start()
        time.sleep(1.2)  # the first sample: what the backends already open had used before the run
        self.started = True
        return self

    def stop(self) -> float:
        """CPU seconds the backends used while sampled."""
        self._stop.set()
        self._thread.join(timeout=5)
        return sum(self.last[pid] - self.first.get(pid, 0) for pid in self.last) / 1e9


# Setting the data up (in this process, on the bench database) --------------------------------------------------


def _reset_and_load(today: date) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from benchmarks import history
    from prisons.models import Prison, VisitSession
    from prisons.nomis.stub.seed import stub_seed
    from prisons.services import sessions_generate

    facts: dict[str, Any] = {}
    started = time.perf_counter()
    history.visits_delete()
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {VisitSession._meta.db_table} CASCADE")
    call_command("import_prisons", stdout=io.StringIO(), stderr=io.StringIO())
    sessions_generate(today=today)
    facts["prisons"] = Prison.objects.count()
    facts["future sessions"] = VisitSession.objects.filter(date__gte=today).count()
    now = timezone.now()
    history.past_sessions_create(today=today)
    loaded = time.perf_counter()
    facts["past visits"] = history.past_visits_create(count=HISTORY, today=today, now=now)
    facts["history load s"] = time.perf_counter() - loaded
    population_prisons, surge_prison = _choose_prisons(today)
    per_prison = max(30, math.ceil(VISITORS / len(population_prisons) * 2.5))
    seeded = time.perf_counter()
    summary = stub_seed(seed=SEED, per_prison=per_prison, today=today)
    facts["NOMIS stub prisoners"] = summary.prisoners
    facts["NOMIS stub seed s"] = time.perf_counter() - seeded
    _surge_prison_prepare(surge_prison, today)
    surge_people = _surge_prisoners_create(surge_prison, SURGE_VISITORS)
    facts["future visits (booked and held)"] = history.future_visits_create(
        today=today, now=now, exclude_prison_ids=(surge_prison.pk,)
    )
    history.analyze()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")  # the stub's tables and everything else the pages read
    facts["set-up s"] = time.perf_counter() - started
    facts["population prisons"] = population_prisons
    facts["surge prison"] = surge_prison
    facts["surge people"] = surge_people
    return facts


def _choose_prisons(today: date) -> tuple[list[Any], Any]:
    """PRISONS prisons taking online bookings, spread over the alphabet (each the only booking line of its NOMIS
    code, so that its prisoners are its own), and the surge prison."""
    from collections import Counter

    from prisons.models import Prison

    prisons = list(Prison.objects.bookable_online().order_by("slug"))
    codes = Counter(p.code for p in Prison.objects.all())
    surge = next(p for p in prisons if p.slug == SURGE_PRISON)
    candidates = [
        p
        for p in prisons
        if codes[p.code] == 1 and p.pk != surge.pk and p.visit_sessions.filter(date__gte=today).exists()
    ]
    step = max(1, len(candidates) // PRISONS)
    return candidates[::step][:PRISONS], surge


def _surge_prison_prepare(prison: Any, today: date) -> None:
    """The surge prison's window: SURGE_PLACES places in sessions of SESSION_PLACES, open to everyone, and no
    timetable (so that beat's session generation adds none) or blocked dates."""
    from prisons.models import BlockedDate, DateSpecificSession, SessionTemplate, VisitSession

    SessionTemplate.objects.filter(prison=prison).delete()
    DateSpecificSession.objects.filter(prison=prison).delete()
    BlockedDate.objects.filter(prison=prison).delete()
    VisitSession.objects.filter(prison=prison, date__gte=today).delete()
    first, last = prison.bookable_window(today)
    count = max(1, SURGE_PLACES // SESSION_PLACES)
    capacities = [SESSION_PLACES] * count
    capacities[-1] += SURGE_PLACES - sum(capacities)
    days = (last - first).days + 1
    times = ((clock(9, 30), clock(11)), (clock(14), clock(15, 45)))
    VisitSession.objects.bulk_create(
        VisitSession(
            prison=prison,
            date=first + timedelta(days=(i // 2) % days),
            start_time=times[i % 2][0],
            end_time=times[i % 2][1],
            open_capacity=capacity,
            closed_capacity=0,
        )
        for i, capacity in enumerate(capacities)
    )


def _surge_prisoners_create(prison: Any, count: int) -> list[dict[str, Any]]:
    """``count`` prisoners at the surge prison in the NOMIS stub, each with one approved adult visitor and
    visiting orders to spare (numbers B0000AA, ...: the seed's begin with A or G)."""
    from prisons.nomis.interface import LegalStatus
    from prisons.nomis.stub import models as stub
    from prisons.nomis.stub.names import FEMALE_FIRST_NAMES, MALE_FIRST_NAMES, SURNAMES

    rng = random.Random(SEED + 1)
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    people, prisoners, contacts, balances = [], [], [], []
    for n in range(count):
        number = f"B{n % 10_000:04d}{letters[n // 10_000 % 24]}A"
        last_name = rng.choice(SURNAMES)
        born = date(1960 + rng.randint(0, 40), rng.randint(1, 12), rng.randint(1, 28))
        visitor_born = date(1950 + rng.randint(0, 50), rng.randint(1, 12), rng.randint(1, 28))
        first_name = rng.choice(MALE_FIRST_NAMES)
        visitor_first = rng.choice(FEMALE_FIRST_NAMES)
        prisoners.append(
            stub.Prisoner(
                number=number,
                first_name=first_name,
                last_name=last_name,
                date_of_birth=born,
                prison_code=prison.code,
                location=f"A-{n % 4 + 1}-{n % 40 + 1:03d}",
                category="C",
                incentive_level="STD",
                legal_status=LegalStatus.CONVICTED,
            )
        )
        contacts.append(
            stub.Contact(
                id=SURGE_CONTACT_IDS + n,
                prisoner_id=number,
                first_name=visitor_first,
                last_name=last_name,
                date_of_birth=visitor_born,
                relationship="Wife",
            )
        )
        balances.append(stub.VisitBalance(prisoner_id=number, visiting_orders=2, privileged_visiting_orders=1))
        people.append(
            _visitor_plan(
                len(people),
                prison.slug,
                (number, first_name, last_name, born),
                [(visitor_first, last_name, visitor_born)],
                rng,
                surge=True,
            )
        )
    stub.Prisoner.objects.bulk_create(prisoners, batch_size=1000)
    stub.Contact.objects.bulk_create(contacts, batch_size=1000)
    stub.VisitBalance.objects.bulk_create(balances, batch_size=1000)
    return people


def _visitor_plan(
    index: int,
    slug: str,
    prisoner: tuple[str, str, str, date],
    party: list[tuple[str, str, date]],
    rng: random.Random,
    *,
    surge: bool = False,
) -> dict[str, Any]:
    number, first_name, last_name, born = prisoner
    base = 4096 if surge else 0  # their own client addresses: the rate limits count per address
    address = index + base
    return {
        "seed": rng.randrange(1 << 30),
        "ip": f"203.0.{address // 250}.{address % 250 + 1}",
        "prison": slug,
        "number": number,
        "first_name": first_name,
        "last_name": last_name,
        "born": born.isoformat(),
        "party": [{"first_name": f, "last_name": la, "born": b.isoformat()} for f, la, b in party],
        "needs": ["wheelchair"] if rng.random() < 0.1 else [],
        "email": f"visitor{index}{'s' if surge else ''}@example.com",
        "confirmation": "Visit booked",
    }


def _population_plan(prisons: list[Any], today: date) -> list[dict[str, Any]]:
    """VISITORS visitors, in turn at each prison: a prisoner the service would book for at once (asked through the
    service's own NOMIS reads and rules) with one to three people on their approved list, and a time to choose."""
    from prisons.nomis.stub import models as stub
    from visits.rules import Outcome, PartyMember, decide, party_problems
    from visits.selectors import prisoner_context, sessions_available

    rng = random.Random(SEED)
    per_prison: dict[int, list[dict[str, Any]]] = {}
    want = math.ceil(VISITORS / len(prisons))
    for prison in prisons:
        first, last = prison.bookable_window(today)
        found: list[dict[str, Any]] = []
        numbers = list(
            stub.Prisoner.objects.filter(prison_code=prison.code).order_by("number").values_list("number", flat=True)
        )
        rng.shuffle(numbers)
        for number in numbers:
            if len(found) >= want:
                break
            context = prisoner_context(number, first=first, last=last)
            if context is None:
                continue
            people = [a for a in context.approved if a.date_of_birth and not a.restrictions]
            adults = [a for a in people if (first - a.date_of_birth).days >= 18 * 366]
            if not adults:
                continue
            lead = rng.choice(adults)
            others = [a for a in people if a is not lead]
            rng.shuffle(others)
            party_people = [lead, *others[: rng.choice((0, 0, 1, 1, 2))]]
            while party_people:
                party = tuple(PartyMember(a.first_name, a.last_name, a.date_of_birth) for a in party_people)
                problems = party_problems(
                    [m.date_of_birth for m in party],
                    on=first,
                    adult_age=prison.adult_age,
                    max_visitors=prison.max_visitors,
                    max_adults=prison.max_adults,
                )
                decision = decide(
                    prisoner=context.prisoner,
                    balance=context.balance,
                    approved=context.approved,
                    party=party,
                    on=first,
                )
                if not problems and decision.outcome == Outcome.BOOK and not decision.closed:
                    break
                party_people = party_people[:-1]
            if not party_people:
                continue
            available = sessions_available(prison=prison, prisoner=context, closed=False, from_date=first, to_date=last)
            if sum(a.bookable for a in available) < 3:
                continue
            prisoner = (number, context.prisoner.first_name, context.prisoner.last_name, context.prisoner.date_of_birth)
            found.append(
                (prison.slug, prisoner, [(a.first_name, a.last_name, a.date_of_birth) for a in party_people])  # type: ignore[arg-type]
            )
        per_prison[prison.pk] = found
    # Interleave the prisons, so that arrivals are spread over them all the way through.
    plan: list[dict[str, Any]] = []
    depth = max((len(v) for v in per_prison.values()), default=0)
    for i in range(depth):
        for prison in prisons:
            if i < len(per_prison[prison.pk]) and len(plan) < VISITORS:
                slug, prisoner, party = per_prison[prison.pk][i]  # type: ignore[misc]
                plan.append(_visitor_plan(len(plan), slug, prisoner, party, rng))
    return plan


def _run_visits_delete(since: Any) -> int:
    """Delete the visits a run made (and their visitors, events, messages), so the next run starts alike."""
    from visits.models import Visit

    deleted, _ = Visit.objects.filter(created_at__gte=since).delete()
    return deleted


# Running the stack and Locust --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _warm_up(url: str) -> None:
    """A few requests, so that each worker has imported, compiled and connected before the run: not counted."""
    import urllib.request

    for _ in range(12):
        for path in ("/", "/prison", "/healthz"):
            with urllib.request.urlopen(url + path, timeout=10) as response:
                response.read()


def _stack_class() -> type:
    from scripts.prod_local import Stack

    class BenchStack(Stack):  # type: ignore[misc, valid-type]
        """The production stack with gunicorn's settings plus the CPU accounting hooks."""

        def commands(self) -> dict[str, list[str]]:
            commands = super().commands()
            commands["gunicorn"] = self._command("gunicorn", "-c", "benchmarks/gunicorn_population.conf.py")
            return commands

    return BenchStack


@dataclass
class Run:
    label: str
    visitors: int
    seconds: float
    results: dict[str, Any]
    cpu: dict[str, PageCpu]
    totals: dict[str, float]
    loads: list[float]
    bookings: int
    problems: list[str]
    profile: str = ""
    pace: tuple[float, float] = (0.0, 0.0)  # machine_pace() just before and just after the run


def _run(
    label: str,
    plan: list[dict[str, Any]],
    *,
    work: Path,
    built: bool,
    arrival_seconds: float,
    think: tuple[float, float],
    first_views: int = 0,
    env_extra: dict[str, str] | None = None,
    profile_path: str = "",
) -> Run:
    import redis
    from django.utils import timezone

    from visits.models import Visit, VisitState

    redis.Redis.from_url(REDIS_URL).flushdb()  # the stack's own Redis database: no sessions, counts or facts left
    cpu_dir = Path(tempfile.mkdtemp(prefix="cpu-", dir=work))
    cpu_dir.chmod(0o777)
    port = _free_port()
    database_url = os.environ["BENCH_DATABASE_URL"]
    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SERVICE_BASE_URL": f"http://127.0.0.1:{port}",
        "SECURE_SSL_REDIRECT": "0",
        "TRUSTED_PROXY_COUNT": "1",  # behind the load balancer, which sets X-Forwarded-For: each visitor's own
        "NOTIFY_FAKE": "1",
        "DJANGO_SETTINGS_MODULE": "benchmarks.stub_settings",  # NOMIS: the stub, in the process
        **(env_extra or {}),
        "BENCH_CPU_DIR": str(cpu_dir),
        "BENCH_PROFILE_PATH": profile_path,
        "BENCH_PROFILE_SKIP": str(PROFILE_SKIP if profile_path else 0),
    }
    env["STATIC_ROOT"] = str(work / "static")  # collected once, for every run
    logs = Path(tempfile.mkdtemp(prefix="logs-", dir=work))
    stack = _stack_class()(env, logs, port=port)
    try:
        if not built:
            stack.build()
        stack.start()
        pids = {name: process.pid for name, process in stack.processes.items()}
        plan_file = cpu_dir / "plan.json"
        out_file = cpu_dir / "results.json"
        plan_file.write_text(
            json.dumps({"visitors": plan, "think_seconds": think, "first_views": first_views > 0, "users": first_views})
        )
        _warm_up(stack.url)
        skip = {tsv.name: len(tsv.read_text().splitlines()) for tsv in cpu_dir.glob("worker-*.tsv")}
        sampler = BackendSampler(database_url, database_url.rsplit("/", 1)[1]).start()
        before = {name: tree_cpu_seconds([pid]) for name, pid in pids.items()}
        started_at = timezone.now()
        started = time.perf_counter()
        rate = first_views or max(len(plan) / max(arrival_seconds, 1), 1)
        limit = int(arrival_seconds + 40 * (think[1] + 1) + 300)
        locust = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("locust")),
                *("-f", str(ROOT / "benchmarks" / "locustfile_population.py")),
                *("--headless", "-u", str(first_views or len(plan)), "-r", f"{rate:.3f}", "-H", stack.url),
                *("--run-time", f"{limit}s", "--stop-timeout", "10", "--only-summary", "--loglevel", "ERROR"),
            ],
            cwd=ROOT,
            env={**os.environ, "BENCH_POP_PLAN": str(plan_file), "BENCH_POP_OUT": str(out_file)},
            stdout=(cpu_dir / "locust.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        locust_cpu = 0.0
        while locust.poll() is None:
            locust_cpu = tree_cpu_seconds([locust.pid]) or locust_cpu
            time.sleep(1)
        seconds = time.perf_counter() - started
        after = {name: tree_cpu_seconds([pid]) for name, pid in pids.items()}
        db_seconds = sampler.stop()
        totals = {name: after[name] - before[name] for name in pids}
        totals["postgres (backends of the bench database)"] = db_seconds
        totals["locust (the load tool)"] = locust_cpu
        bookings = Visit.objects.filter(created_at__gte=started_at, state=VisitState.BOOKED).count()
        if not out_file.exists():
            raise RuntimeError(f"Locust wrote no results:\n{(cpu_dir / 'locust.log').read_text()[-3000:]}")
        results = json.loads(out_file.read_text())
    finally:
        stack.stop()
    lines: list[str] = []
    for tsv in sorted(cpu_dir.glob("worker-*.tsv")):
        lines += tsv.read_text().splitlines()[skip.get(tsv.name, 0) :]
    profile = "\n".join(p.read_text() for p in sorted(cpu_dir.glob("profile-*.txt")))
    problems = stack.problems(allowed=[r"Invalid HTTP_HOST", r"Not Found: "])
    return Run(
        label, len(plan), seconds, results, cpu_by_page(lines), totals, sampler.loads, bookings, problems, profile
    )


# Reporting ---------------------------------------------------------------------------------------------------


PAGE_ORDER = [
    "GET /",
    "GET /static",
    "GET /prison",
    "POST /prison",
    "GET /prisoner",
    "POST /prisoner",
    "GET /visitors",
    "POST /visitors",
    "GET /visitors/add",
    "POST /visitors/add",
    "GET /support",
    "POST /support",
    "GET /choose-time",
    "POST /choose-time",
    "GET /contact",
    "POST /contact",
    "GET /check",
    "POST /check",
    "GET /confirmation",
]


def _report(run: Run) -> None:
    results = run.results
    loads = run.loads or [os.getloadavg()[0]]
    outcomes = results["outcomes"]
    print(
        f"\n{run.label}: {run.visitors} visitors in {run.seconds:.0f} s; outcomes {dict(outcomes)}; "
        f"{run.bookings} visits booked; load average {min(loads):.1f} to {max(loads):.1f} (mean "
        f"{sum(loads) / len(loads):.1f}) while it ran"
    )
    if results["events"]:
        print("  on the way: " + "; ".join(f"{name}: {n}" for name, n in sorted(results["events"].items())))
    for failure in results["failures"][:5]:
        print(f"  failed journey: {failure}")
    header = (
        f"  {'page':<34}{'requests':>9}{'web ms':>8}{'db ms':>7}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
        f"{'KB/req':>8}{'not 2xx/3xx':>12}"
    )
    print(header)
    names = [n for n in PAGE_ORDER if n in results["latencies"]]
    names += sorted(n for n in results["latencies"] if n not in PAGE_ORDER)
    all_web = all_db = 0.0
    for name in names:
        latencies = results["latencies"][name]
        cpu = run.cpu.get(name, PageCpu())
        all_web += cpu.web_ns / 1e6
        all_db += cpu.db_ns / 1e6
        bad = sum(n for status, n in results["statuses"][name].items() if not 200 <= int(status) < 400)
        kb = results["wire"].get(name, 0) / 1024 / max(len(latencies), 1)
        line = (
            f"  {name:<34}{len(latencies):>9}{cpu.web_ms:>8.2f}{cpu.db_ms:>7.2f}{percentile(latencies, 50):>8.0f}"
            f"{percentile(latencies, 95):>8.0f}{percentile(latencies, 99):>8.0f}{kb:>8.1f}{bad:>12}"
        )
        print(line)
    everything = [v for values in results["latencies"].values() for v in values]
    journeys = max(outcomes.get("booked", 0), 1)
    print(
        f"  all requests: {len(everything)}, p50 {percentile(everything, 50):.0f} ms, p95 "
        f"{percentile(everything, 95):.0f} ms, p99 {percentile(everything, 99):.0f} ms"
    )
    print(
        f"  accounted per request in the workers: web {all_web / 1000:.1f} s, their PostgreSQL backends "
        f"{all_db / 1000:.1f} s; per booked journey {all_web / journeys:.0f} ms web + {all_db / journeys:.0f} ms db"
    )
    print("  whole processes over the run (CPU s): " + ", ".join(f"{k} {v:.1f}" for k, v in run.totals.items()))
    stack_cpu = sum(v for k, v in run.totals.items() if not k.startswith("locust"))
    print(
        f"  bookings/s over the run: {run.bookings / run.seconds:.2f} (set by the arrivals); stack CPU per booking "
        f"{stack_cpu * 1000 / max(run.bookings, 1):.0f} ms, so at most {run.bookings / max(stack_cpu, 1e-9):.1f} "
        "bookings/s per core of web + worker + database"
    )
    if run.problems:
        print(f"  problems in the stack's logs ({len(run.problems)}):")
        for line in run.problems[:4]:
            print(f"    {_problem_text(line)}")


def _problem_text(line: str) -> str:
    """A log line of a problem, short: a JSON record's message and the end of its traceback."""
    name, _, text = line.partition(": ")
    try:
        record = json.loads(text)
    except ValueError:
        return line[:300]
    tail = " | ".join(str(record.get("exc_info", "")).strip().splitlines()[-3:])
    return f"{name}: {record.get('message', '')[:200]} {tail[-400:]}"


def _surge_check(prison: Any, since: Any) -> dict[str, int]:
    """After the surge: sessions with more booked and live-held visits than places, from the database."""
    from django.db import connection
    from django.utils import timezone

    from prisons.models import VisitSession
    from visits.models import Visit

    over = taken_total = 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.id, s.open_capacity, s.closed_capacity, "
            f"count(v.id) FILTER (WHERE NOT v.closed), count(v.id) FILTER (WHERE v.closed) "
            f"FROM {VisitSession._meta.db_table} s LEFT JOIN {Visit._meta.db_table} v ON v.session_id = s.id "
            f"AND (v.state IN ('booked', 'requested') OR (v.state = 'reserved' AND v.hold_expires_at > %s)) "
            f"WHERE s.prison_id = %s AND s.date >= %s GROUP BY s.id, s.open_capacity, s.closed_capacity",
            [timezone.now(), prison.pk, timezone.localdate()],
        )
        rows = cursor.fetchall()
    for _id, open_capacity, closed_capacity, open_taken, closed_taken in rows:
        over += (open_taken > open_capacity) + (closed_taken > closed_capacity)
        taken_total += open_taken + closed_taken
    booked = Visit.objects.filter(prison=prison, created_at__gte=since, state="booked").count()
    return {"sessions": len(rows), "overbooked sessions": over, "places taken": taken_total, "booked": booked}


WAITING = "every time full: offered the waiting list"  # an outcome of locustfile_population.py


def _surge_report(run: Run, check: dict[str, int]) -> None:
    results = run.results
    errors = sum(n for statuses in results["statuses"].values() for status, n in statuses.items() if int(status) >= 500)
    events = results["events"]
    shown_again = sum(n for name, n in events.items() if "shown other times" in name)
    losers = run.visitors - results["outcomes"].get("booked", 0)
    print(
        f"\nsurge summary: {run.visitors} visitors within {SURGE_SECONDS:g} s for {SURGE_PLACES} places in "
        f"{check['sessions']} sessions"
    )
    print(f"  overbooked sessions: {check['overbooked sessions']} (must be 0); places taken {check['places taken']}")
    print(f"  server errors (5xx): {errors} (must be 0); failed journeys: {results['outcomes'].get('failed', 0)}")
    print(f"  booked: {results['outcomes'].get('booked', 0)} (in the database: {check['booked']})")
    print(
        f"  the {losers} without a booking: {results['outcomes'].get(WAITING, 0)} shown every time full with its "
        f"waiting list, {results['outcomes'].get('no times left', 0)} shown that no time is left (the "
        f"nothing-bookable page), {results['outcomes'].get('gave up', 0)} gave up after several tries; "
        f"times were taken from under {shown_again} choices, each answered with other times "
        "(the picker again, with its message)"
    )


def main() -> None:
    from django.db import connection
    from django.utils import timezone

    if connection.vendor != "postgresql" or not os.environ.get("BENCH_DATABASE_URL"):
        print("population: PostgreSQL only (set BENCH_DATABASE_URL, as `make bench` does); skipped")
        return
    today = timezone.localdate()
    print(
        f"population: {VISITORS} visitors over {ARRIVAL_SECONDS:g} s, think {THINK[0]:g}-{THINK[1]:g} s a page, "
        f"{PRISONS} prisons, {HISTORY} past visits; surge {SURGE_VISITORS} visitors within {SURGE_SECONDS:g} s for "
        f"{SURGE_PLACES} places at {SURGE_PRISON}; load average {load_average()}"
    )
    facts = _reset_and_load(today)
    started = time.perf_counter()
    plan = _population_plan(facts["population prisons"], today)
    print(
        f"set up in {facts['set-up s']:.0f} s: {facts['prisons']} prisons, {facts['future sessions']} future "
        f"sessions, {facts['past visits']} past visits (loaded in {facts['history load s']:.0f} s), "
        f"{facts['future visits (booked and held)']} future visits booked or held, {facts['NOMIS stub prisoners']} "
        f"NOMIS stub prisoners (seeded in {facts['NOMIS stub seed s']:.0f} s); {len(plan)} visitors planned over "
        f"{len(facts['population prisons'])} prisons in {time.perf_counter() - started:.0f} s"
    )
    connection.close()
    runs: dict[str, Run] = {}
    # GET /choose-time's CPU (web + db) in each first-views run: a mode may be run more than once, alternating with
    # another, to see past the machine's run-to-run noise (BENCH_POP_MODES=first-views,first-views-nomis-http,...).
    first_views_cpu: dict[str, list[float]] = defaultdict(list)
    with tempfile.TemporaryDirectory(prefix="visits-bench-population-") as scratch:
        work = Path(scratch)
        built = False
        fake = None
        for mode in MODES:
            since = timezone.now()
            if mode in NOMIS_HTTP_MODES:
                fake = fake or _fake_hmpps(work)
                runs[mode] = _nomis_http_run(mode, plan, fake, work=work, built=built)
                first_views_cpu[mode].append(_choose_time_ms(runs[mode]))
            elif mode in FIRST_VIEW_MODES:
                off = FIRST_VIEW_MODES[mode]
                before = machine_pace()
                run = _run(
                    f"first views of the date picker, {FIRST_VIEW_CONNECTIONS} connections"
                    + (f", {off[0]} off ({off[1]}={off[2]})" if off else ""),
                    plan,
                    work=work,
                    built=built,
                    arrival_seconds=1,
                    think=(0.0, 0.0),
                    first_views=FIRST_VIEW_CONNECTIONS,
                    env_extra={off[1]: off[2]} if off else {},
                )
                run.pace = (before, machine_pace())
                runs[mode] = run
                first_views_cpu[mode].append(_choose_time_ms(run))
                _first_views_report(run)
            elif mode == "population":
                run = _run(
                    "population: the whole journey at a person's pace",
                    plan,
                    work=work,
                    built=built,
                    arrival_seconds=ARRIVAL_SECONDS,
                    think=THINK,
                )
                runs[mode] = run
                _report(run)
            elif mode == "surge":
                run = _run(
                    "surge",
                    facts["surge people"],
                    work=work,
                    built=built,
                    arrival_seconds=SURGE_SECONDS,
                    think=SURGE_THINK,
                )
                _report(run)
                _surge_report(run, _surge_check(facts["surge prison"], since))
            else:
                raise SystemExit(f"BENCH_POP_MODES: no mode {mode!r}")
            built = True
            connection.close()
            _run_visits_delete(since)
        if fake is not None:
            fake.stop()
        if PROFILE:
            since = timezone.now()
            # The first views of the picker (BENCH_POP_PROFILE=/choose-time), or another page in whole journeys.
            first_views = FIRST_VIEW_CONNECTIONS if PROFILE == "/choose-time" else 0
            run = _run(
                f"profile of {PROFILE} (pyinstrument in each worker; its figures are not comparable)",
                plan[: 4 * PROFILE_SKIP],
                work=work,
                built=built,
                arrival_seconds=1 if first_views else 30,
                think=(0.0, 0.0) if first_views else (0.5, 1.0),
                first_views=first_views,
                profile_path=PROFILE,
            )
            print("\n" + run.profile[:60000])
            _run_visits_delete(since)
    stub_ms, http_ms = first_views_cpu.get("first-views", []), first_views_cpu.get("first-views-nomis-http", [])
    stub_ms, http_ms = [v for v in stub_ms if v], [v for v in http_ms if v]
    if stub_ms and http_ms:
        stub_mean, http_mean = sum(stub_ms) / len(stub_ms), sum(http_ms) / len(http_ms)
        print(
            f"\na first view of the date picker with NOMIS over HTTP: {http_mean:.2f} ms a request (web + db; runs "
            f"{', '.join(f'{v:.2f}' for v in http_ms)}), {http_mean / stub_mean:.2f} of the {stub_mean:.2f} ms with "
            f"the stub in the process (runs {', '.join(f'{v:.2f}' for v in stub_ms)}); target within 1.10"
        )
    if "first-views" in runs:
        kept = runs["first-views"].cpu.get("GET /choose-time", PageCpu())
        print("\nwhat each cache saves a first view of the date picker (CPU a request, web + db):")
        for mode, off in FIRST_VIEW_MODES.items():
            if off and mode in runs and kept.web_ms + kept.db_ms:
                without = runs[mode].cpu.get("GET /choose-time", PageCpu())
                total = without.web_ms + without.db_ms
                print(
                    f"  {off[0]}: {kept.web_ms + kept.db_ms:.2f} ms with it, {total:.2f} ms without "
                    f"({total / (kept.web_ms + kept.db_ms):.2f} times)"
                )


def _fake_hmpps(work: Path) -> Any:
    """The fake HMPPS server over the bench database's seeded stub tables (no seed of its own)."""
    from hmpps_fake.process import FakeHmppsProcess

    fake = FakeHmppsProcess(
        work / "hmpps-fake.sqlite3", database_url=os.environ["BENCH_DATABASE_URL"], log=work / "hmpps-fake.log"
    )
    return fake.start(timeout=120)


def _nomis_http_run(mode: str, plan: list[dict[str, Any]], fake: Any, *, work: Path, built: bool) -> Run:
    """Run ``first-views`` or ``population`` with the stack's NOMIS the HTTP client on the fake HMPPS server, and
    say what NOMIS cost: its calls (the HMPPS APIs and the events queue) and the time it took to answer them."""
    before = fake.admin("GET", "/__fake/faults")[1]
    env = fake.service_env()
    if NOMIS_HTTP_MODES[mode] == "first-views":
        pace = machine_pace()
        run = _run(
            f"first views of the date picker, {FIRST_VIEW_CONNECTIONS} connections, NOMIS over HTTP",
            plan,
            work=work,
            built=built,
            arrival_seconds=1,
            think=(0.0, 0.0),
            first_views=FIRST_VIEW_CONNECTIONS,
            env_extra=env,
        )
        run.pace = (pace, machine_pace())
        _first_views_report(run)
        journeys, what = len(plan), "visitor brought to the picker"
    else:
        run = _run(
            "population: the whole journey at a person's pace, NOMIS over HTTP",
            plan,
            work=work,
            built=built,
            arrival_seconds=ARRIVAL_SECONDS,
            think=THINK,
            env_extra=env,
        )
        _report(run)
        journeys, what = max(run.bookings, 1), "booked journey"
    after = fake.admin("GET", "/__fake/faults")[1]
    calls = after["api_calls"] - before["api_calls"]
    seconds = after["api_seconds"] - before["api_seconds"]
    print(
        f"  NOMIS over HTTP: {calls} calls to the HMPPS APIs and the events queue, {calls / journeys:.1f} a {what}; "
        f"the fake server took {seconds * 1000 / max(calls, 1):.1f} ms to answer a call, "
        f"{seconds * 1000 / journeys:.0f} ms a {what} (answering in its own process, outside the stack's CPU)"
    )
    return run


def _choose_time_ms(run: Run) -> float:
    cpu = run.cpu.get("GET /choose-time", PageCpu())
    return float(cpu.web_ms + cpu.db_ms)


def _first_views_report(run: Run) -> None:
    """The date picker's first views: CPU per request against the MOJ service's, and p95 at 64 connections."""
    results = run.results
    loads = run.loads or [os.getloadavg()[0]]
    latencies = results["latencies"].get("GET /choose-time", [])
    cpu = run.cpu.get("GET /choose-time", PageCpu())
    total = cpu.web_ms + cpu.db_ms
    bad = sum(n for status, n in results["statuses"].get("GET /choose-time", {}).items() if int(status) != 200)
    kb = results["wire"].get("GET /choose-time", 0) / 1024 / max(len(latencies), 1)
    print(
        f"\n{run.label}: {len(latencies)} first views (outcomes {dict(results['outcomes'])}); load average "
        f"{min(loads):.1f} to {max(loads):.1f} (mean {sum(loads) / len(loads):.1f}) while it ran; machine pace "
        f"{run.pace[0]:.0f} ms before, {run.pace[1]:.0f} ms after (a fixed workload's CPU: lower is faster)"
    )
    for failure in results["failures"][:5]:
        print(f"  failed: {failure}")
    print(
        f"  GET /choose-time: CPU {cpu.web_ms:.2f} ms web + {cpu.db_ms:.2f} ms PostgreSQL = {total:.2f} ms a request "
        f"({total / PEER_CPU_MS:.2f} of the MOJ service's {PEER_CPU_MS} ms; target at most 0.5)"
    )
    p95 = percentile(latencies, 95)
    print(
        f"  latency at {FIRST_VIEW_CONNECTIONS} connections, 2 workers: p50 {percentile(latencies, 50):.0f} ms, "
        f"p95 {p95:.0f} ms ({p95 / PEER_P95_MS:.2f} of the MOJ service's {PEER_P95_MS} ms; target at most 0.5), "
        f"p99 {percentile(latencies, 99):.0f} ms"
    )
    print(f"  on the wire: {kb:.1f} KB a page (compressed: the browser asks for gzip or br; target at most 10 KB)")
    print(f"  not 200: {bad}")
    print(
        "  whole processes over the run, preparation included (CPU s): "
        + ", ".join(f"{k} {v:.1f}" for k, v in run.totals.items())
    )
