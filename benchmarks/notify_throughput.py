"""Messages a second through a real Celery worker on Redis to a fake GOV.UK Notify HTTP server on loopback.

Each run writes outbox messages, starts a worker (4 threads), queues one send task per message and times until every
message is recorded as sent: the claim, the HTTP call through notifications-python-client (a JWT per request), and
the recording of Notify's id. Run once with the service's shared rate limit (45 a second, so at most 2,745 in any
minute against Notify's 3,000) and once with it off, to show both the limit holding and what the pipeline could do.
"busiest second" counts arrivals at the fake by its clock; the limit counts requests as they leave, so a second of
arrivals can hold a few more than 45 (a request that left at .999 arrives in the next second), never a minute more
than 61 windows' worth.

Needs Redis: BENCH_REDIS_URL, or REDIS_URL, or redis://127.0.0.1:6379/15 (a database of its own: its queue is
emptied first).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from notifications.sending import messages_enqueue
from prisons.models import Prison
from tests.factories import MARY, details, make_prison, make_prisoner, make_session
from tests.notifications.fake_notify import API_KEY, FakeNotify
from visits.models import MessageStatus, OutboxMessage
from visits.services import ContactDetails, visit_book, visit_reserve

ROOT = Path(__file__).resolve().parent.parent
THREADS = int(os.environ.get("BENCH_NOTIFY_THREADS", "4"))
POOL = os.environ.get("BENCH_NOTIFY_POOL", "threads")
RUNS = (  # label, messages, NOTIFY_RATE_LIMIT_PER_SECOND
    ("at the shared rate limit (45/s)", int(os.environ.get("BENCH_NOTIFY_LIMITED", "270")), 45),
    ("rate limit off", int(os.environ.get("BENCH_NOTIFY_MESSAGES", "1500")), 0),
)
TEMPLATE_IDS = {name: str(uuid.uuid5(uuid.NAMESPACE_URL, f"visits/{name}")) for name in settings.NOTIFY_TEMPLATE_IDS}


def _redis_url() -> str | None:
    import redis

    url = os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return None
    return url


def _messages_create(count: int) -> list[int]:
    """``count`` booked-visit emails for one visit, as the booking service writes them."""
    prison = Prison.objects.filter(slug="notify-bench").first() or make_prison("notify-bench", "NBX")
    day = timezone.localdate() + timedelta(days=10 + prison.visit_sessions.count())  # a day of its own each run
    session = make_session(prison, day, open_capacity=1, closed_capacity=0)
    prisoner = details(make_prisoner(f"Z{session.pk % 10_000:04d}ZZ"))
    visit = visit_reserve(session=session, prisoner=prisoner, party=[MARY], closed=False)
    visit = visit_book(visit=visit, contact=ContactDetails(email="bench@example.com"))
    template = OutboxMessage.objects.filter(visit=visit).first()
    OutboxMessage.objects.filter(visit=visit).delete()
    rows = OutboxMessage.objects.bulk_create(
        OutboxMessage(
            visit=visit,
            kind="booked",
            channel="email",
            recipient=f"visitor{n}@example.com",
            personalisation=template.personalisation,
        )
        for n in range(count)
    )
    return [row.pk for row in rows]


def _start_worker(fake: FakeNotify, redis_url: str, rate_limit: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)},
        "DJANGO_SETTINGS_MODULE": "benchmarks.stub_settings",
        "DEBUG": "0",  # as in production (DEBUG keeps every query in memory)
        "SECRET_KEY": "notify-benchmark-worker-secret-key-not-for-production-use",
        "LOG_LEVEL": "ERROR",
        "REDIS_URL": redis_url,
        "NOTIFY_API_KEY": API_KEY,
        "NOTIFY_BASE_URL": fake.url,
        "NOTIFY_RATE_LIMIT_PER_SECOND": str(rate_limit),
        **{f"NOTIFY_TEMPLATE_{name}".replace(".", "_").upper(): value for name, value in TEMPLATE_IDS.items()},
    }
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", POOL]
    command += ["--concurrency", str(THREADS), "--loglevel", "ERROR", "--hostname", f"notify-bench-{os.getpid()}@%h"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    with log.open("ab") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def _wait_ready(worker: subprocess.Popen[bytes], log: Path) -> None:
    from config.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError(f"the worker exited:\n{log.read_text()[-2000:]}")
        replies = app.control.ping(timeout=0.3) or []
        if any(name.startswith(f"notify-bench-{os.getpid()}@") for reply in replies for name in reply):
            return
    raise RuntimeError("the worker did not answer within 60 s")


def _run(label: str, count: int, rate_limit: int, fake: FakeNotify, redis_url: str, log: Path) -> float:
    ids = _messages_create(count)
    worker = _start_worker(fake, redis_url, rate_limit, log)
    try:
        _wait_ready(worker, log)
        fake.reset()
        started = time.perf_counter()
        messages_enqueue(ids)
        pending = OutboxMessage.objects.filter(pk__in=ids, status=MessageStatus.PENDING)
        deadline = started + max(120, 3 * count / max(rate_limit, 1))
        while pending.exists():
            if time.perf_counter() > deadline:
                raise RuntimeError(f"{pending.count()} of {count} messages still unsent:\n{log.read_text()[-2000:]}")
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    arrived = fake.per_reference()
    assert len(arrived) == count and set(arrived.values()) == {1}, "a message was lost or sent twice"
    per_second = Counter(n["created_at"][:19] for n in fake.sent())
    busiest = max(per_second.values())
    rate = count / elapsed
    print(f"{label:<34}{count:>9}{elapsed:>10.2f}{rate:>12.1f}{busiest:>16}")
    return rate


def _forget_connections(app: object) -> None:
    """Drop the app's pooled broker connections and producers, so that the next use connects to its broker now."""
    if app._pool is not None:  # type: ignore[attr-defined]
        app._pool.force_close_all()  # type: ignore[attr-defined]
        app._pool = None  # type: ignore[attr-defined]
    app.amqp._producer_pool = None  # type: ignore[attr-defined]


def main() -> None:
    redis_url = _redis_url()
    if redis_url is None:
        print("skipped: this benchmark needs Redis (set BENCH_REDIS_URL, or run redis-server on 127.0.0.1:6379)")
        return
    from config.celery import app

    eager, broker = app.conf.task_always_eager, app.conf.broker_url
    app.conf.update(task_always_eager=False, broker_url=redis_url)
    _forget_connections(app)  # an earlier benchmark's tasks may have opened them on the other broker
    app.control.purge()
    print(f"one worker ({POOL} pool, concurrency {THREADS}) on Redis, sending to a fake Notify on loopback")
    print(f"{'':<34}{'messages':>9}{'seconds':>10}{'messages/s':>12}{'busiest second':>16}")
    fake = FakeNotify(templates={v: k for k, v in TEMPLATE_IDS.items()})
    try:
        with fake, tempfile.TemporaryDirectory() as tmp:
            log = Path(tmp) / "worker.log"
            rates = [_run(label, count, limit, fake, redis_url, log) for label, count, limit in RUNS]
    finally:
        app.conf.update(task_always_eager=eager, broker_url=broker)
        _forget_connections(app)
    print(f"Notify's limit is 3,000 a minute (50/s on average); unlimited / limited = {rates[1] / rates[0]:.1f}")
