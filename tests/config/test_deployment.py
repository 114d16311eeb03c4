"""What production runs: hashed static files, the compose stack, and a real Celery worker on Redis."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "x7#Lq!v9Rz2@mW4pT8sK1nB6dF3hJ0cYgU5eAoZiXrNlQwEtPyMu",
    "ALLOWED_HOSTS": "visits.example",
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "SERVICE_BASE_URL": "https://visits.example",
    "NOTIFY_FAKE": "1",
    "HMPPS_AUTH_URL": "https://sign-in.hmpps.example/auth",
    "HMPPS_CLIENT_ID": "visit-someone-in-prison",
    "HMPPS_CLIENT_SECRET": "hmpps-client-secret",
    "HMPPS_API_URL": "https://apis.hmpps.example",
    "HMPPS_EVENTS_QUEUE_URL": "https://sqs.eu-west-2.amazonaws.com/000000000000/visits-prisoner-events",
}


def clean_env(**extra: str) -> dict[str, str]:
    drop = {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "SECURE_SSL_REDIRECT"}
    return {**{k: v for k, v in os.environ.items() if k not in drop}, **extra}


def test_collectstatic_gives_hashed_names_and_rewrites_the_font_urls(tmp_path: Path) -> None:
    env = clean_env(**PRODUCTION_ENV, STATIC_ROOT=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    css_name = manifest["vendor/govuk/govuk-frontend.min.css"]
    assert css_name != "vendor/govuk/govuk-frontend.min.css"  # hashed
    css = (tmp_path / css_name).read_text()
    font = manifest["vendor/govuk/assets/fonts/bold-b542beb274-v2.woff2"]
    assert f'url("assets/fonts/{Path(font).name}")' in css or f"url(assets/fonts/{Path(font).name})" in css
    assert (tmp_path / (css_name + ".gz")).exists()  # whitenoise compresses


def test_compose_stack_has_every_service_and_validates() -> None:
    spec = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert {"postgres", "redis", "migrate", "web", "worker", "beat"} <= set(spec["services"])
    assert "gunicorn" in (ROOT / "Dockerfile").read_text()
    assert spec["services"]["web"]["command"] == "gunicorn -c config/gunicorn.conf.py"
    assert "celery -A config worker" in spec["services"]["worker"]["command"]
    assert "celery -A config beat" in spec["services"]["beat"]["command"]
    compose = compose_command()
    if compose:  # docker compose (or docker-compose) validates the file where it is installed (CI installs it)
        result = subprocess.run(
            [*compose, "-f", "docker-compose.yml", "config", "--quiet"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, "SECRET_KEY": "a-secret-of-the-operators-own"},
        )
        assert result.returncode == 0, result.stderr


def test_compose_has_no_usable_secret_key_of_its_own() -> None:
    environment = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["x-app"]["environment"]
    assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?"), "compose must refuse to start without a key"
    compose = compose_command()
    if compose:
        env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
        result = subprocess.run(
            [*compose, "-f", "docker-compose.yml", "config", "--quiet"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env=env,
        )
        assert result.returncode != 0 and "Set SECRET_KEY" in result.stderr


def test_compose_carries_what_a_real_notify_key_needs_and_publishes_only_gunicorn_on_loopback() -> None:
    from django.conf import settings

    spec = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    environment = spec["x-app"]["environment"]
    for name in settings.NOTIFY_TEMPLATE_IDS:
        variable = f"NOTIFY_TEMPLATE_{name}".replace(".", "_").upper()
        assert environment[variable] == f"${{{variable}:-}}"
    assert {"NOTIFY_API_KEY", "NOTIFY_CALLBACK_TOKEN", "SERVICE_BASE_URL", "NOTIFY_FAKE"} <= set(environment)
    assert {
        "HMPPS_AUTH_URL",
        "HMPPS_CLIENT_ID",
        "HMPPS_CLIENT_SECRET",
        "HMPPS_API_URL",
        "HMPPS_EVENTS_QUEUE_URL",
    } <= set(environment)
    published = {name: service["ports"] for name, service in spec["services"].items() if "ports" in service}
    assert published == {"web": ["127.0.0.1:8000:8000"]}
    assert spec["services"]["worker"]["healthcheck"]["test"] == ["CMD", "python", "-m", "config.health", "worker"]
    assert spec["services"]["beat"]["healthcheck"]["test"] == ["CMD", "python", "-m", "config.health", "beat"]


def compose_command() -> list[str] | None:
    for command in (["docker", "compose"], ["docker-compose"]):
        if shutil.which(command[0]) and subprocess.run([*command, "version"], capture_output=True).returncode == 0:
            return command
    return None


@pytest.mark.redis
def test_a_real_worker_answers_on_redis() -> None:
    env = clean_env(DEBUG="1", REDIS_URL=os.environ["REDIS_URL"])
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
            "--hostname",
            f"test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        from celery import Celery

        app = Celery(broker=os.environ["REDIS_URL"], set_as_current=False)
        replies: list[dict] = []
        deadline = time.monotonic() + 60
        while not replies and time.monotonic() < deadline:
            replies = app.control.ping(timeout=1.0) or []
        assert any(name.startswith(f"test-{os.getpid()}@") for reply in replies for name in reply)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
