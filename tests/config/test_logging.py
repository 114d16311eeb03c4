"""Observability: JSON log lines, the request id (web, Celery), redaction of tokens and personal data in every log
line (Django, gunicorn's access log) and in what goes to Sentry (docs/observability.md)."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import socket
import subprocess
import sys
import time
import weakref
from collections.abc import Iterator
from datetime import timedelta
from http.client import HTTPConnection
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from celery import shared_task
from django.contrib.auth.models import Group, User
from django.test import Client

from common import logging as service_logging
from common.logging import (
    ACCESS_LOG_FORMAT,
    GunicornLogger,
    RedactFilter,
    RequestIdFilter,
    forget_task_request_id,
    formatter,
    logging_config,
    put_request_id_in_task_headers,
    redact,
    request_id_var,
    take_request_id_from_task,
)
from config.sentry import before_send

ROOT = Path(__file__).resolve().parents[2]
TOKEN = ".eJyrVkrOL0pVslIyNTQwMrY0MDEzNjU3UaoFAFGGBtw:1v2abc:Zq8vN3xK7pL2mR9tW4yB6cF1hJ5sD0gA8eU3iO7nQ2w"
NAME = "Sophie+Walker"
HEX_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture(autouse=True)
def _no_request_id() -> Iterator[None]:
    token = request_id_var.set(None)
    yield
    request_id_var.reset(token)


def records(stream: io.StringIO) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def one_handler_logger(name: str, log_format: str = "json") -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter(log_format))
    service_logging.add_filters(handler, log_format)
    logger = logging.getLogger(name)
    logger.handlers, logger.propagate = [handler], False
    logger.setLevel(logging.INFO)
    return logger, stream


# The shape of a line --------------------------------------------------------------------------------------------------


def test_a_json_line_has_timestamp_level_logger_message_and_the_request_id() -> None:
    logger, stream = one_handler_logger("tests.shape")
    logger.info("Outbox sweep: %d stuck messages", 3)
    request_id_var.set("req-1")
    logger.warning("with an id", extra={"status_code": 404})
    without, with_id = records(stream)
    assert without["message"] == "Outbox sweep: 3 stuck messages"
    assert without["level"] == "INFO" and without["logger"] == "tests.shape"
    assert "request_id" not in without  # only when there is one
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00", without["timestamp"])
    assert with_id["request_id"] == "req-1" and with_id["status_code"] == 404 and with_id["level"] == "WARNING"


def test_the_text_format_says_the_request_id_or_a_dash() -> None:
    logger, stream = one_handler_logger("tests.text", "text")
    logger.info("first")
    request_id_var.set("req-2")
    logger.info("second")
    first, second = stream.getvalue().splitlines()
    assert first.endswith("INFO tests.text [-] first")
    assert second.endswith("INFO tests.text [req-2] second")


def test_production_logs_json_and_debug_text_and_the_settings_refuse_another_format() -> None:
    from django.conf import settings

    assert settings.LOG_FORMAT == "json"  # the test settings are production's: DEBUG off
    assert logging_config(log_format="json", level=settings.LOG_LEVEL) == settings.LOGGING
    assert settings.CELERY_WORKER_HIJACK_ROOT_LOGGER is False
    code = "from django.conf import settings; print(settings.LOG_FORMAT)"
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "LOG_FORMAT"}}
    env.update(DEBUG="1", DJANGO_SETTINGS_MODULE="config.settings")
    debug = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert debug.stdout.strip() == "text", debug.stderr
    wrong = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**env, "LOG_FORMAT": "xml"}, text=True, capture_output=True
    )
    assert wrong.returncode == 78 and "Refusing to start: LOG_FORMAT must be json or text" in wrong.stderr


# The request id -------------------------------------------------------------------------------------------------------


def test_a_sane_request_id_from_the_proxy_is_kept_and_returned(client: Client) -> None:
    response = client.get("/healthz", HTTP_X_REQUEST_ID="proxy.id_123-A")
    assert response["X-Request-ID"] == "proxy.id_123-A"


@pytest.mark.parametrize("header", [None, "", "has space", "x" * 65, "semi;colon", "<script>", "café"])
def test_otherwise_a_new_request_id_is_made_and_returned(client: Client, header: str | None) -> None:
    extra = {} if header is None else {"HTTP_X_REQUEST_ID": header}
    first, second = client.get("/healthz", **extra), client.get("/healthz", **extra)
    assert HEX_ID.fullmatch(first["X-Request-ID"]) and HEX_ID.fullmatch(second["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_the_request_id_is_on_the_lines_a_request_causes_and_forgotten_after(
    client: Client, lines: io.StringIO
) -> None:
    response = client.get("/no-such-page", HTTP_X_REQUEST_ID="req-404")
    assert response.status_code == 404
    (line,) = records(lines)
    assert line["message"] == "Not Found: /no-such-page" and line["request_id"] == "req-404"
    assert request_id_var.get() is None  # request_finished cleared it


@shared_task
def log_a_line(text: str) -> str | None:
    logging.getLogger("tests.task").warning("task says %s", text)
    return request_id_var.get()


@pytest.mark.django_db
def test_an_eager_task_logs_with_the_request_id_of_the_request_it_runs_in(lines: io.StringIO) -> None:
    request_id_var.set("req-eager")
    assert log_a_line.delay("hello").get() == "req-eager"
    assert request_id_var.get() == "req-eager"  # the task's end leaves the request's id alone
    line = next(r for r in records(lines) if r["logger"] == "tests.task")
    assert line["message"] == "task says hello" and line["request_id"] == "req-eager"


@pytest.mark.django_db
def test_a_task_takes_the_request_id_from_its_message_headers_and_forgets_it_after(lines: io.StringIO) -> None:
    # As a worker runs a task queued by a request: the id came in the message's headers (task_prerun/postrun).
    assert log_a_line.apply(("from a request",), headers={"request_id": "req-queued"}).get() == "req-queued"
    assert request_id_var.get() is None
    line = next(r for r in records(lines) if r["logger"] == "tests.task")
    assert line["request_id"] == "req-queued"


def test_the_signal_handlers_carry_the_request_id_through_a_message() -> None:
    headers: dict[str, str] = {"lang": "py"}
    put_request_id_in_task_headers(headers=headers, body=(), exchange="", routing_key="celery")
    assert "request_id" not in headers  # no request, no id
    request_id_var.set("req-pub")
    put_request_id_in_task_headers(headers=headers)
    assert headers == {"lang": "py", "request_id": "req-pub"}

    # In the worker: celery puts a message's own headers on task.request.
    request_id_var.set(None)
    task = SimpleNamespace(request=SimpleNamespace(id="t1", headers=None, **headers))
    take_request_id_from_task(task_id="t1", task=task)
    assert request_id_var.get() == "req-pub"
    forget_task_request_id(task_id="t1", task=task)
    assert request_id_var.get() is None

    insane = SimpleNamespace(request=SimpleNamespace(id="t2", headers={"request_id": "no spaces please"}))
    take_request_id_from_task(task_id="t2", task=insane)
    assert request_id_var.get() is None
    forget_task_request_id(task_id="t2", task=insane)


def test_the_celery_signals_are_connected_once() -> None:
    from celery import signals

    import config.celery

    config.celery.connect_celery_signals()  # again: still one receiver each
    for signal, handler in [
        (signals.before_task_publish, put_request_id_in_task_headers),
        (signals.task_prerun, take_request_id_from_task),
        (signals.task_postrun, forget_task_request_id),
        (signals.setup_logging, service_logging.configure_celery_logging),
    ]:
        receivers = [r() if isinstance(r, weakref.ReferenceType) else r for _, r in signal.receivers]
        assert receivers.count(handler) == 1, signal


# Redaction ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        (f"Not Found: /visit/{TOKEN}", "Not Found: /visit/[redacted]"),
        (f"Not Found: /visit/{TOKEN}/cancel", "Not Found: /visit/[redacted]/cancel"),
        (
            f"https://visits.example/visit/{TOKEN}/calendar.ics?x=1",
            "https://visits.example/visit/[redacted]/calendar.ics",
        ),
        (f'"GET /staff/rochester/search?q={NAME} HTTP/1.1" 200 512', '"GET /staff/rochester/search HTTP/1.1" 200 512'),
        ("sent to sophie.walker@example.com", "sent to [email]"),
        ("texted 07700 900123", "texted [phone]"),
        ("/staff/rochester/visits/ABC12345 and visit 12", "/staff/rochester/visits/ABC12345 and visit 12"),
        ("Are you sure?", "Are you sure?"),
    ],
)
def test_redact(text: str, redacted: str) -> None:
    assert redact(text) == redacted
    assert redact(redacted) == redacted


def test_djangos_not_found_line_has_no_token_or_query_string(client: Client, lines: io.StringIO) -> None:
    assert client.get(f"/visit/{TOKEN}/nowhere?email=sophie@example.com").status_code == 404
    assert client.get(f"/no-such-page?q={NAME}").status_code == 404
    output = lines.getvalue()
    assert [r["message"] for r in records(lines)] == [
        "Not Found: /visit/[redacted]/nowhere",
        "Not Found: /no-such-page",
    ]
    assert TOKEN not in output and "Sophie" not in output and "sophie" not in output
    assert "WSGIRequest" not in output  # the request object is never written out (its repr has the query string)


@pytest.mark.django_db
def test_a_staff_search_refused_logs_neither_the_search_nor_the_name(client: Client, lines: io.StringIO) -> None:
    from accounts.management.commands.sync_roles import sync_roles
    from accounts.models import PrisonAccess
    from accounts.roles import VISITS_ADMIN
    from tests.factories import make_prison

    sync_roles()
    make_prison()
    cardiff = make_prison("cardiff", "CFI")
    user = User.objects.create_user("cardiff-admin", password="a-long-test-password")
    user.groups.set([Group.objects.get(name=VISITS_ADMIN)])
    PrisonAccess.objects.create(user=user, prison=cardiff)
    client.force_login(user)
    response = client.get(f"/staff/rochester/search?q={NAME}")
    assert response.status_code in {403, 404}
    output = lines.getvalue()
    assert "/staff/rochester/search" in output and "Sophie" not in output and "q=" not in output


def test_runserver_lines_and_extra_fields_and_tracebacks_are_redacted() -> None:
    logger, stream = one_handler_logger("django.server.test")
    logger.info('"%s" %s %s', f"GET /visit/{TOKEN}?q={NAME} HTTP/1.1", 200, 10, extra={"request": object()})
    logger.info("a task", extra={"data": {"args": f"('/visit/{TOKEN}',)", "id": "t1"}})
    try:
        raise ValueError(f"cannot open /staff/x/search?q={NAME} for sophie@example.com")
    except ValueError:
        logger.exception("failed")
    output = stream.getvalue()
    runserver, task, failed = records(stream)
    assert runserver["message"] == '"GET /visit/[redacted] HTTP/1.1" 200 10' and "request" not in runserver
    assert task["data"] == {"args": "('/visit/[redacted]',)", "id": "t1"}
    assert "cannot open /staff/x/search for [email]" in failed["exc_info"]
    assert TOKEN not in output and "Sophie" not in output and "sophie" not in output


def test_every_handler_in_the_settings_redacts_and_carries_the_request_id() -> None:
    for log_format in ("json", "text"):
        config = logging_config(log_format=log_format)
        for handler in config["handlers"].values():
            filters = [config["filters"][name]["()"] for name in handler["filters"]]
            assert RedactFilter in filters and RequestIdFilter in filters


# gunicorn's access log ------------------------------------------------------------------------------------------------


@pytest.fixture
def gunicorn_logger(settings: Any) -> Iterator[Any]:
    from gunicorn.config import Config

    made: list[GunicornLogger] = []

    def make(log_format: str, access_log_format: str | None = None) -> tuple[GunicornLogger, io.StringIO]:
        settings.LOG_FORMAT = log_format
        cfg = Config()
        cfg.set("accesslog", "-")
        cfg.set("access_log_format", access_log_format or ACCESS_LOG_FORMAT)  # config/gunicorn.conf.py's
        logger = GunicornLogger(cfg)
        made.append(logger)
        stream = io.StringIO()
        for handler in logger.access_log.handlers:
            if getattr(handler, "_gunicorn", False):
                handler.setStream(stream)
        return logger, stream

    yield make
    for logger in made:
        for log in (logger.error_log, logger.access_log):
            for handler in list(log.handlers):
                if getattr(handler, "_gunicorn", False):
                    log.removeHandler(handler)


def access(logger: GunicornLogger) -> None:
    query = f"q={NAME}&email=sophie%40example.com"
    response = SimpleNamespace(
        status="404 Not Found", sent=10663, headers=[("Content-Type", "text/html"), ("X-Request-ID", "req-gunicorn")]
    )
    request = SimpleNamespace(headers=[("REFERER", f"https://visits.example/visit/{TOKEN}?q={NAME}")])
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/visit/{TOKEN}?{query}",
        "PATH_INFO": f"/visit/{TOKEN}",
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://visits.example/visit/{TOKEN}?q={NAME}",
        "HTTP_USER_AGENT": "Mozilla/5.0 (Sophie's phone)",
        "REMOTE_ADDR": "203.0.113.7",
    }
    logger.access(response, request, environ, timedelta(milliseconds=12, microseconds=345))


def test_gunicorns_json_access_line(gunicorn_logger: Any) -> None:
    logger, stream = gunicorn_logger("json")
    access(logger)
    (line,) = records(stream)
    assert line == {
        "level": "INFO",
        "logger": "gunicorn.access",
        "message": "GET /visit/[redacted] 404",
        "method": "GET",
        "path": "/visit/[redacted]",
        "status": 404,
        "length": 10663,
        "duration_ms": 12.345,
        "request_id": "req-gunicorn",
        "timestamp": line["timestamp"],
    }


def test_gunicorns_text_access_line_offers_nothing_else_whatever_the_format_asks(gunicorn_logger: Any) -> None:
    logger, stream = gunicorn_logger("text")
    access(logger)
    logger, hostile = gunicorn_logger(
        "text", "%(h)s %(r)s %(q)s %(f)s %(a)s %({referer}i)s %({query_string}e)s %({raw_uri}e)s %({http_referer}e)s"
    )
    access(logger)
    assert (
        stream.getvalue()
        .rstrip()
        .endswith("INFO gunicorn.access GET /visit/[redacted] 404 10663 12ms request_id=req-gunicorn")
    )
    assert hostile.getvalue().rstrip().endswith("INFO gunicorn.access - GET /visit/[redacted] HTTP/1.1 - - - - - - -")
    for output in (stream.getvalue(), hostile.getvalue()):
        for secret in (TOKEN, "Sophie", "sophie", "203.0.113.7", "Mozilla"):
            assert secret not in output


def test_gunicorn_serves_and_logs_no_token_or_name(tmp_path: Path) -> None:
    """The real thing: gunicorn -c config/gunicorn.conf.py, JSON lines, a token URL and a search URL."""
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        DEBUG="1",
        SQLITE_PATH=str(tmp_path / "db.sqlite3"),
        LOG_FORMAT="json",
        DJANGO_SETTINGS_MODULE="config.settings",
        GUNICORN_BIND="127.0.0.1:0",
        WEB_CONCURRENCY="1",
    )
    env.pop("SENTRY_DSN", None)
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert migrate.returncode == 0, migrate.stderr
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        port = None
        while port is None:
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log.read_text())
            port = found and found.group(1)
            time.sleep(0.1)
        statuses = {}
        for path in (f"/visit/{TOKEN}", f"/staff/rochester/search?q={NAME}", f"/no-such-page?q={NAME}"):
            connection = HTTPConnection("127.0.0.1", int(port), timeout=30)
            referer = f"http://127.0.0.1/visit/{TOKEN}?q={NAME}"
            connection.request("GET", path, headers={"Referer": referer, "X-Request-ID": "req-subprocess"})
            response = connection.getresponse()
            response.read()
            statuses[path] = (response.status, response.headers["X-Request-ID"])
            connection.close()
        # A request gunicorn cannot parse: its own error line would name the client's address (issue 26, item 6).
        with socket.create_connection(("127.0.0.1", int(port)), timeout=30) as raw:
            raw.sendall(f"GET /visit/{TOKEN} HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n".encode())
            raw.recv(4096)
        deadline = time.monotonic() + 10
        while "Invalid request" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert [status for status, _ in statuses.values()] == [404, 302, 404]
    assert {request_id for _, request_id in statuses.values()} == {"req-subprocess"}
    output = log.read_text()
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]  # every line is JSON
    assert all({"timestamp", "level", "logger", "message"} <= set(line) for line in lines)
    paths = [line["path"] for line in lines if line["logger"] == "gunicorn.access"]
    assert paths == ["/visit/[redacted]", "/staff/rochester/search", "/no-such-page"]
    assert {"Not Found: /visit/[redacted]", "Not Found: /no-such-page"} <= {line["message"] for line in lines}
    assert TOKEN not in output and "Sophie" not in output and "Walker" not in output and "q=" not in output
    invalid = [line["message"] for line in lines if "Invalid request" in line["message"]]
    assert invalid and all(m.startswith("Invalid request from ip=[address]: ") for m in invalid), invalid
    errors = [line["message"] for line in lines if line["logger"] == "gunicorn.error"]
    assert not [m for m in errors if "127.0.0.1" in m and "Listening at" not in m], errors


# Sentry ---------------------------------------------------------------------------------------------------------------


def test_sentrys_before_send_redacts_as_the_log_filter_does() -> None:
    request_id_var.set("req-sentry")
    event = {
        "event_id": "0712345678901234567890abcdef0123",
        "transaction": f"/visit/{TOKEN}",
        "request": {
            "url": f"https://visits.example/visit/{TOKEN}/cancel",
            "method": "POST",
            "query_string": f"q={NAME}",
            "cookies": {"sessionid": "abc"},
            "data": {"first_name": "Sophie"},
            "headers": {
                "Referer": f"https://visits.example/staff/x/search?q={NAME}",
                "Cookie": "sessionid=abc",
                "User-Agent": "test",
            },
        },
        "logentry": {"message": f"Not Found: /visit/{TOKEN}", "params": []},
        "exception": {"values": [{"type": "ValueError", "value": f"bad /staff/x/search?q={NAME} sophie@example.com"}]},
        "breadcrumbs": {"values": [{"category": "httplib", "data": {"url": f"https://api.example/v2?email={NAME}"}}]},
        "tags": {"area": "visits"},
    }
    scrubbed = before_send(event, {})
    text = json.dumps(scrubbed)
    assert TOKEN not in text and "Sophie" not in text and "sophie" not in text and "sessionid" not in text
    assert scrubbed["request"]["url"] == "https://visits.example/visit/[redacted]/cancel"
    assert scrubbed["request"]["headers"] == {"User-Agent": "test"}
    assert scrubbed["transaction"] == "/visit/[redacted]"
    assert scrubbed["exception"]["values"][0]["value"] == "bad /staff/x/search [email]"
    assert scrubbed["breadcrumbs"]["values"][0]["data"]["url"] == "https://api.example/v2"
    assert scrubbed["tags"] == {"area": "visits", "request_id": "req-sentry"}
    assert scrubbed["event_id"] == event["event_id"]


SENTRY_PROBE = (
    "import django; django.setup(); import sentry_sdk; client = sentry_sdk.get_client(); "
    "o = client.options if client.is_active() else {}; "
    "print(client.is_active(), o.get('send_default_pii'), o.get('environment'), o.get('release'), "
    "o.get('max_request_body_size'), o.get('include_local_variables'), "
    "getattr(o.get('before_send'), '__module__', None), "
    "sorted(i for i in client.integrations if i in ('django', 'celery')) if client.is_active() else None)"
)


def test_sentry_starts_only_with_a_dsn_and_sends_no_personal_data() -> None:
    from config.sentry import init_sentry

    assert init_sentry(dsn="", environment="staging") is False
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update(DEBUG="1", DJANGO_SETTINGS_MODULE="config.settings")
    off = subprocess.run([sys.executable, "-c", SENTRY_PROBE], cwd=ROOT, env=env, capture_output=True, text=True)
    assert off.stdout.split()[0] == "False", off.stderr
    on = subprocess.run(
        [sys.executable, "-c", SENTRY_PROBE],
        cwd=ROOT,
        env={
            **env,
            "SENTRY_DSN": "https://public@127.0.0.1:9/1",
            "SENTRY_ENVIRONMENT": "staging",
            "SENTRY_RELEASE": "visits@1.2.3",
        },
        capture_output=True,
        text=True,
    )
    assert on.stdout.strip() == "True False staging visits@1.2.3 never False config.sentry ['celery', 'django']", (
        on.stderr
    )
