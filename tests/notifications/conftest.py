"""Fixtures for the notification tests: the fake Notify HTTP server, and real Celery workers on Redis."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.notifications.fake_notify import API_KEY, FakeNotify

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_NAMESPACE = uuid.UUID("6f1c1f52-8d0e-4a53-9a44-1b8f2f1d7a10")
TEMPLATE_IDS = {name: str(uuid.uuid5(TEMPLATE_NAMESPACE, name)) for name in settings.NOTIFY_TEMPLATE_IDS}
_workers = count(1)


def template_env() -> dict[str, str]:
    """NOTIFY_TEMPLATE_<KIND>_<CHANNEL>_<LANGUAGE> for every template, as an operator would set them."""
    return {f"NOTIFY_TEMPLATE_{name}".replace(".", "_").upper(): value for name, value in TEMPLATE_IDS.items()}


def wait_until(check: Callable[[], Any], timeout: float = 60, interval: float = 0.1, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what or check}")
        time.sleep(interval)


@pytest.fixture
def real_notify(settings: Any, fake_notify: FakeNotify) -> FakeNotify:
    """This process talks to the fake Notify server through the real client."""
    settings.NOTIFY_API_KEY = API_KEY
    settings.NOTIFY_BASE_URL = fake_notify.url
    settings.NOTIFY_TEMPLATE_IDS = TEMPLATE_IDS
    settings.NOTIFY_TIMEOUT_SECONDS = 5
    return fake_notify


def subprocess_database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{db['USER']}{password}@{host}/{db['NAME']}?application_name=visits-test-subprocess"


def process_env(**extra: str) -> dict[str, str]:
    """The environment of a separate service process on the test database: production settings, DEBUG on."""
    drop = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "SECRET_KEY"}
    return {
        **{k: v for k, v in os.environ.items() if k not in drop},
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": subprocess_database_url(),
        "LOG_LEVEL": "WARNING",
        **extra,
    }


class Worker:
    """A real ``celery -A config worker`` process on Redis, sending to the fake Notify server."""

    def __init__(self, fake: FakeNotify, log: Path, pool: str = "solo", concurrency: int = 1, **env: str) -> None:
        self.name = f"notify-test-{os.getpid()}-{next(_workers)}"
        self.nodename = ""
        self.log = log
        notify_env = {
            "NOTIFY_API_KEY": API_KEY,
            "NOTIFY_BASE_URL": fake.url,
            "NOTIFY_TIMEOUT_SECONDS": "1.5",
            "NOTIFY_CLAIM_LEASE_SECONDS": "6",
            "NOTIFY_RETRY_BACKOFF_SECONDS": "0.05",
            "NOTIFY_RETRY_BACKOFF_MAX_SECONDS": "0.5",
            **template_env(),
        }
        self.env = {**notify_env, **env}
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", pool]
        command += ["--concurrency", str(concurrency), "--loglevel", "WARNING", "--hostname", f"{self.name}@%h"]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=process_env(**self.env), stdout=out, stderr=subprocess.STDOUT
            )

    def wait_ready(self, timeout: float = 60) -> Worker:
        from config.celery import app

        def answers() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"the worker exited:\n{self.log.read_text()[-3000:]}")
            replies = app.control.ping(timeout=0.3) or []
            self.nodename = next((n for reply in replies for n in reply if n.startswith(f"{self.name}@")), "")
            return bool(self.nodename)

        wait_until(answers, timeout=timeout, interval=0.05, what=f"worker {self.name} to answer")
        return self

    def consume(self, on: bool) -> None:
        """Stop or start taking tasks from the queue (Celery's remote control), without stopping the process."""
        from config.celery import app

        control = app.control.add_consumer if on else app.control.cancel_consumer
        assert control("celery", destination=[self.nodename], reply=True, timeout=5)

    def settle(self, timeout: float = 60) -> None:
        """Stop taking tasks, drop those still queued, and wait for those under way to finish: a task that runs on
        (a NOMIS push after a booking, say) would hold its transaction open while the test's database is emptied,
        and the two would deadlock."""
        from config.celery import app

        self.consume(False)
        app.control.purge()

        def idle() -> bool:
            active = app.control.inspect(destination=[self.nodename], timeout=1).active() or {}
            return active.get(self.nodename) == []

        wait_until(idle, timeout=timeout, interval=0.1, what=f"worker {self.name} to finish its tasks")

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no acknowledgement, nothing tidied up."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture(scope="module")
def fake_notify() -> Iterator[FakeNotify]:
    with FakeNotify(templates={v: k for k, v in TEMPLATE_IDS.items()}) as fake:
        yield fake


@pytest.fixture(autouse=True)
def _fresh_fake_notify(fake_notify: FakeNotify) -> None:
    fake_notify.reset()


@pytest.fixture(scope="module")
def live_celery() -> Iterator[None]:
    """This process queues tasks on Redis (settings_test runs them eagerly otherwise); the queue starts empty."""
    from config.celery import app

    app.conf.task_always_eager = False
    app.control.purge()
    yield
    app.conf.task_always_eager = True


@pytest.fixture(scope="module")
def shared_worker(
    django_db_setup: None, live_celery: None, fake_notify: FakeNotify, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Worker]:
    """One worker (4 threads) for a module's tests: starting one takes seconds. The database is emptied between
    tests while it runs; it holds no transaction open while idle."""
    worker = Worker(fake_notify, tmp_path_factory.mktemp("worker") / "worker.log", pool="threads", concurrency=4)
    yield worker.wait_ready()
    worker.stop()


@pytest.fixture
def worker(transactional_db: None, shared_worker: Worker) -> Iterator[Worker]:
    """The shared worker, taking tasks (a test may pause it), on the test's data; settled before the data goes."""
    shared_worker.consume(True)
    yield shared_worker
    shared_worker.settle()


@pytest.fixture
def start_worker(
    transactional_db: None, live_celery: None, fake_notify: FakeNotify, tmp_path: Path
) -> Iterator[Callable[..., Worker]]:
    """Start more workers of the test's own (each answering before this returns); all stopped at the end."""
    workers: list[Worker] = []

    def start(pool: str = "solo", concurrency: int = 1, **env: str) -> Worker:
        workers.append(Worker(fake_notify, tmp_path / f"worker-{len(workers)}.log", pool, concurrency, **env))
        return workers[-1].wait_ready()

    yield start
    for each in workers:
        each.stop()
