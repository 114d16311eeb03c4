"""Settings from the environment, the deploy checklist, and the health endpoints."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "SECURE_SSL_REDIRECT"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


# A production that has everything it needs (the fake Notify asked for; the HMPPS APIs configured).
HMPPS = {
    "HMPPS_AUTH_URL": "https://sign-in.hmpps.example/auth",
    "HMPPS_CLIENT_ID": "visit-someone-in-prison",
    "HMPPS_CLIENT_SECRET": "hmpps-client-secret",
    "HMPPS_API_URL": "https://apis.hmpps.example",
    "HMPPS_EVENTS_QUEUE_URL": "https://sqs.eu-west-2.amazonaws.com/000000000000/visits-prisoner-events",
}
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x7#Lq!v9Rz2@mW4pT8sK1nB6dF3hJ0cYgU5eAoZiXrNlQwEtPyMu",
    "ALLOWED_HOSTS": "visits.example",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "SERVICE_BASE_URL": "https://visits.example",
    "NOTIFY_FAKE": "1",
    **HMPPS,
}


def test_production_settings_pass_the_deploy_checklist_with_no_warnings() -> None:
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("unset", "named"),
    [
        ({"SECRET_KEY": ""}, "Set SECRET_KEY"),
        ({"SECRET_KEY": "change-me-in-production-this-is-only-for-local-compose"}, "SECRET_KEY is a publicly known"),
        ({"SECRET_KEY": "insecure-local-development-key-only-used-with-debug-on"}, "SECRET_KEY is a publicly known"),
        ({"REDIS_URL": ""}, "REDIS_URL is not set"),
        ({"SERVICE_BASE_URL": ""}, "SERVICE_BASE_URL is not set"),
        ({"NOTIFY_FAKE": ""}, "NOTIFY_API_KEY is not set"),
        ({"HMPPS_AUTH_URL": ""}, "NOMIS is reached through the HMPPS APIs, which need HMPPS_AUTH_URL"),
        ({"HMPPS_CLIENT_SECRET": ""}, "the HMPPS APIs, which need HMPPS_CLIENT_SECRET"),
        ({"HMPPS_API_URL": ""}, "the HMPPS APIs, which need HMPPS_API_URL (or each API's)"),
        ({"HMPPS_EVENTS_QUEUE_URL": ""}, "the HMPPS APIs, which need HMPPS_EVENTS_QUEUE_URL"),
        ({"NOMIS_CLIENT": "prisons.nomis.stub.client.StubNomisClient"}, "NOMIS_CLIENT names the stub NOMIS"),
    ],
)
def test_production_missing_a_setting_refuses_to_start_with_one_line(unset: dict[str, str], named: str) -> None:
    result = run_manage("check", **{**PRODUCTION, **unset})
    assert result.returncode == 78
    assert result.stderr.splitlines() == [next(line for line in result.stderr.splitlines() if named in line)]
    assert result.stderr.startswith("Refusing to start: ")
    assert "Traceback" not in result.stderr and result.stdout == ""


@pytest.mark.parametrize(
    "command",
    [
        ["-m", "gunicorn", "-c", "config/gunicorn.conf.py", "--bind", "127.0.0.1:0"],
        ["-m", "celery", "-A", "config", "worker", "--pool", "solo"],
        ["-m", "celery", "-A", "config", "beat"],
    ],
    ids=["gunicorn", "celery-worker", "celery-beat"],
)
def test_each_production_process_refuses_to_start_without_redis(command: list[str]) -> None:
    base = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    result = subprocess.run(
        [sys.executable, *command],
        cwd=ROOT,
        env={**base, **PRODUCTION, "REDIS_URL": ""},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 78, result.stderr[-2000:]
    assert "Refusing to start: REDIS_URL is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_debug_default_is_a_demo_talking_to_the_fake_hmpps_server() -> None:
    code = (
        "from django.conf import settings as s; from django.urls import resolve as r\n"
        "print(r('/notify/fake-outbox').url_name, s.NOMIS_CLIENT, s.HMPPS_AUTH_URL, s.HMPPS_API_URLS['prison_api'],"
        " 'prisons.nomis.stub' in s.INSTALLED_APPS)"
    )
    result = run_manage("shell", "--no-imports", "-c", code, DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "notify-fake-outbox",
        "prisons.nomis.hmpps.client.HmppsNomisClient",
        "http://127.0.0.1:8091",
        "http://127.0.0.1:8091",
        "False",
    ]


def test_production_has_no_stub_and_no_demo_pages() -> None:
    code = (
        "from django.conf import settings\n"
        "from django.urls import resolve, Resolver404\n"
        "print(settings.NOMIS_CLIENT, 'prisons.nomis.stub' in settings.INSTALLED_APPS)\n"
        "for url in ('/nomis-stub/', '/nomis-stub/faults', '/notify/fake-outbox'):\n"
        "    try:\n        resolve(url); print('routed', url)\n"
        "    except Resolver404:\n        print('absent', url)\n"
    )
    # The HMPPS APIs and a Notify key: nothing asks for a demo.
    env = {**PRODUCTION, "NOTIFY_FAKE": "0", "NOTIFY_API_KEY": "key-" + "0" * 70}
    env.update({f"NOTIFY_TEMPLATE_{name}".replace(".", "_").upper(): "t" for name in _template_names()})
    result = run_manage("shell", "--no-imports", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "prisons.nomis.hmpps.client.HmppsNomisClient",
        "False",
        "absent",
        "/nomis-stub/",
        "absent",
        "/nomis-stub/faults",
        "absent",
        "/notify/fake-outbox",
    ]


def _template_names() -> list[str]:
    from django.conf import settings

    return list(settings.NOTIFY_TEMPLATE_IDS)


def test_embedded_default_is_sqlite_with_wal_and_immediate_transactions(tmp_path: Path) -> None:
    code = (
        "import django; django.setup();"
        "from django.db import connection as c;"
        "c.ensure_connection();"
        "print(c.vendor, c.transaction_mode, c.cursor().execute('PRAGMA journal_mode').fetchone()[0]);"
        "from django.conf import settings as s; print(s.CELERY_TASK_ALWAYS_EAGER, s.TIME_ZONE)"
    )
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env = {**base, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings", "SQLITE_PATH": str(tmp_path / "x.db")}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["sqlite", "IMMEDIATE", "wal", "True", "Europe/London"]


@pytest.mark.django_db
def test_healthz_and_readyz(client, settings) -> None:
    settings.REDIS_URL, settings.CELERY_TASK_ALWAYS_EAGER = "", True  # the embedded default: database and cache
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz", HTTP_ACCEPT="application/json")
    assert ready.status_code == 200
    assert ready.json() == {"Database(alias='default')": "OK", "Cache(alias='default')": "OK"}
    assert "no-cache" in ready["Cache-Control"]


@pytest.mark.django_db
def test_readyz_says_what_is_down(client, settings) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from config.celery import app

    app.conf.broker_url = settings.REDIS_URL
    try:
        response = client.get("/readyz?format=json")
        text = client.get("/readyz?format=text").content.decode()
    finally:
        app.conf.broker_url = settings.CELERY_BROKER_URL
    assert response.status_code == 500
    assert response.json()["Redis()"] == "Unavailable: Redis unreachable: ConnectionError"
    assert response.json()["Broker()"].startswith("Unavailable: broker unreachable")
    assert response.json()["Database(alias='default')"] == "OK"
    assert text.count("Unavailable") == 2


@pytest.mark.redis
@pytest.mark.django_db
def test_readyz_checks_a_real_redis_and_broker(client, settings) -> None:
    settings.REDIS_URL = os.environ["REDIS_URL"]
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from config.celery import app

    app.conf.broker_url = settings.REDIS_URL
    try:
        checks = client.get("/readyz", HTTP_ACCEPT="application/json").json()
    finally:
        app.conf.broker_url = settings.CELERY_BROKER_URL
    assert checks == {
        "Database(alias='default')": "OK",
        "Cache(alias='default')": "OK",
        "Redis()": "OK",
        "Broker()": "OK",
    }


def test_beat_is_alive_while_its_scheduler_ticks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from config import health

    monkeypatch.setenv("CELERY_BEAT_HEARTBEAT_FILE", str(tmp_path / "beat"))
    assert not health.beat_alive()
    health.beat_heartbeat_file().touch()
    assert health.beat_alive()
    assert not health.beat_alive(now=time.time() + health.BEAT_STALE_AFTER_SECONDS + 1)


def test_celery_runs_eagerly_without_redis_and_declares_beat_in_code() -> None:
    from config.celery import app

    assert app.conf.task_always_eager is True
    assert "generate-visit-sessions" in app.conf.beat_schedule


def test_the_embedded_defaults_links_point_at_the_port_it_serves() -> None:
    code = "from django.conf import settings; print(settings.SERVICE_BASE_URL)"
    result = run_manage("shell", "--no-imports", "-c", code, DEBUG="1", PORT="8080", SERVICE_BASE_URL="")
    assert result.stdout.split() == ["http://127.0.0.1:8080"], result.stderr
    result = run_manage("shell", "--no-imports", "-c", code, DEBUG="1", PORT="", SERVICE_BASE_URL="")
    assert result.stdout.split() == ["http://127.0.0.1:8000"], result.stderr
    assert "DEV_ENV := DEBUG=1 PORT=$(PORT)" in (ROOT / "Makefile").read_text()  # make run passes its PORT on
