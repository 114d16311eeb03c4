"""The production-shaped stack for tests/production: ``scripts.prod_local.Stack`` on the test database.

One stack for the module (starting one takes about 15 seconds): DEBUG off and the production settings from the
environment, collectstatic into the module's temporary folder, gunicorn with 2 workers, a Celery worker and beat,
on the pytest test database and a Redis database of its own (number 5 on REDIS_URL's server, emptied first), so
that it cannot take other tests' tasks. GOV.UK Notify is the fake Notify HTTP server (a real key and every template
id set, so the worker sends through the real notifications-python-client); NOMIS is the fake HMPPS server, a process
of its own seeded with the journey's prisons (seed 1, 3 random prisoners a prison, the fixed test prisoners), which
the stack's HTTP client reaches through its token endpoint, as production reaches the HMPPS APIs.

Every write the pages depend on goes through the stack's own commands (``Stack.manage``), never this process: the
stack keeps its sessions, NOMIS facts and places taken in *its* Redis, which this process (under the test
settings, with a local-memory cache) would not touch.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from hmpps_fake.process import FakeHmppsProcess
from scripts.prod_local import Stack
from tests.browser.conftest import JOURNEY_PRISON_FILES
from tests.notifications.conftest import TEMPLATE_IDS, subprocess_database_url, template_env, wait_until
from tests.notifications.fake_notify import API_KEY, FakeNotify

# Redis database 5 (6, 7, ... for further pytest-xdist workers): the stack's alone, emptied when it starts.
REDIS_DB = 5 + int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
CALLBACK_TOKEN = "production-test-callback-token"
_stacks: list[Stack] = []


def stack_redis_url() -> str:
    parts = urlsplit(os.environ["REDIS_URL"])
    return urlunsplit(parts._replace(path=f"/{REDIS_DB}"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def fake_notify() -> Iterator[FakeNotify]:
    with FakeNotify(templates={v: k for k, v in TEMPLATE_IDS.items()}) as fake:
        yield fake


def journey_prisons(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    source = Path(__file__).resolve().parents[2] / "prisons" / "data" / "prisons"
    for name in JOURNEY_PRISON_FILES:
        shutil.copy(source / name, folder / name)
    return folder


@pytest.fixture(scope="module")
def fake_hmpps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeHmppsProcess]:
    work = tmp_path_factory.mktemp("hmpps-fake")
    fake = FakeHmppsProcess(
        work / "fake.sqlite3", per_prison=3, seed=1, prison_data=journey_prisons(work / "prisons"), log=work / "log"
    )
    with fake:
        yield fake


@pytest.fixture(scope="module")
def stack(
    request: pytest.FixtureRequest,
    django_db_setup: None,
    fake_notify: FakeNotify,
    fake_hmpps: FakeHmppsProcess,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Stack]:
    """The stack, built and answering; stopped (and its processes gone) at the end of the module, however it ends. A
    module's ``STACK_ENV`` adds to (or changes) its settings."""
    import redis

    redis_url = stack_redis_url()
    redis.Redis.from_url(redis_url).flushdb()  # its own database: the broker's queues and the cache start empty
    port = free_port()
    env = {
        "DATABASE_URL": subprocess_database_url(),
        "REDIS_URL": redis_url,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SERVICE_BASE_URL": f"http://127.0.0.1:{port}",
        "SECURE_SSL_REDIRECT": "0",  # behind the proxy production assumes, which is not here
        "NOTIFY_API_KEY": API_KEY,
        "NOTIFY_BASE_URL": fake_notify.url,
        "NOTIFY_CALLBACK_TOKEN": CALLBACK_TOKEN,
        **template_env(),
        **fake_hmpps.service_env(),
        **getattr(request.module, "STACK_ENV", {}),
    }
    stack = Stack(env, tmp_path_factory.mktemp("production-stack"), port=port)
    _stacks.append(stack)
    try:
        stack.build()
        stack.start()
        yield stack
    finally:
        stack.stop()
        _stacks.remove(stack)


def celery_app(stack: Stack) -> Any:
    from celery import Celery

    return Celery(broker=stack.env["REDIS_URL"], set_as_current=False)  # not the current app: tasks stay on ours


def settle(stack: Stack, timeout: float = 60) -> None:
    """The worker stops taking tasks, what is queued is dropped and what is under way finishes: a task holding its
    transaction open (a beat job, a NOMIS push) while the test database is emptied could deadlock with it."""
    app = celery_app(stack)
    try:
        app.control.cancel_consumer("celery", destination=[stack.worker_node], reply=True, timeout=5)
        app.control.purge()

        def idle() -> bool:
            active = app.control.inspect(destination=[stack.worker_node], timeout=1).active() or {}
            return active.get(stack.worker_node) == []

        wait_until(idle, timeout=timeout, what="the stack's worker to finish its tasks")
    finally:
        app.close()


@pytest.fixture
def service(stack: Stack, transactional_db: None, fake_notify: FakeNotify, tmp_path: Path) -> Iterator[Stack]:
    """The stack with a test's data, loaded by its own commands: the staff roles, Rochester and a few other prisons
    (those the fake HMPPS server holds prisoners for), their sessions; the fake Notify emptied. The worker is settled
    before the test database is emptied."""
    if not stack.processes:
        pytest.fail("the stack has been stopped", pytrace=False)
    stack.load_data(prison_data=journey_prisons(tmp_path / "prisons"))
    fake_notify.reset()
    app = celery_app(stack)
    try:
        app.control.add_consumer("celery", destination=[stack.worker_node], reply=True, timeout=5)
    finally:
        app.close()
    yield stack
    if stack.processes:
        settle(stack)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """On a failure, the report shows the tail of each service's log."""
    outcome = yield
    report = outcome.get_result()
    if report.failed and _stacks:
        for stack in _stacks:
            report.sections.append(("production stack logs", stack.tails(60)))
