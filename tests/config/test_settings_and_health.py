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


def test_production_settings_pass_the_deploy_checklist_with_no_warnings() -> None:
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="x7#Lq!v9Rz2@mW4pT8sK1nB6dF3hJ0cYgU5eAoZiXrNlQwEtPyMu",
        ALLOWED_HOSTS="visits.example",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = run_manage("check", DEBUG="0", SECRET_KEY="")
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


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
def test_healthz_and_readyz(client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_readyz_reports_redis_down(client, settings) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "unavailable"


@pytest.mark.redis
@pytest.mark.django_db
def test_readyz_checks_a_real_redis(client, settings) -> None:
    settings.REDIS_URL = os.environ["REDIS_URL"]
    assert client.get("/readyz").json()["checks"] == {"database": "ok", "redis": "ok"}


def test_celery_runs_eagerly_without_redis_and_declares_beat_in_code() -> None:
    from config.celery import app

    assert app.conf.task_always_eager is True
    assert "generate-visit-sessions" in app.conf.beat_schedule
