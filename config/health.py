"""Health: `/healthz` (the process answers), `/readyz` (what it depends on answers), and the liveness of the Celery
worker and beat for a container's health check (`python -m config.health worker|beat`).

`/readyz` is django-health-check's view: PostgreSQL (or SQLite), the cache, Redis and the Celery broker, each
reported by name with what is wrong; 200 when all answer, 500 otherwise. JSON with `Accept: application/json` or
`?format=json`, plain text with `?format=text`; an `Accept` header that is not a list of media types is a bad request
(the GOV.UK 400 page).
"""

from __future__ import annotations

import dataclasses
import datetime
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from asgiref.sync import sync_to_async
from celery.beat import PersistentScheduler
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView, MediaType

from common.views import bad_request


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker accepts a connection (the queue the web processes put tasks on)."""

    timeout = datetime.timedelta(seconds=3)

    def run(self) -> None:
        from config.celery import app

        try:
            with app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, timeout=2)
        except Exception as error:  # kombu raises its own and the transport's errors
            raise ServiceUnavailable(f"broker unreachable: {type(error).__name__}") from error


@dataclasses.dataclass
class Redis(HealthCheck):
    """Redis (sessions, rate limits, lockouts) answers a PING."""

    timeout = datetime.timedelta(seconds=3)

    def run(self) -> None:
        import redis

        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2).ping()
        except redis.RedisError as error:
            raise ServiceUnavailable(f"Redis unreachable: {type(error).__name__}") from error


class ReadinessView(HealthCheckView):
    """What this web process needs: the database and the cache always; Redis and the broker when configured."""

    async def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """An ``Accept`` header that is not a list of media types (``Accept: *``) is a bad request, as it is to any
        page: django-health-check would fail on it with a server error."""
        if not acceptable(request.headers.get("accept", "*/*")):
            return await sync_to_async(bad_request)(request)  # the one warning line of any 400, no traceback
        return await super().get(request, *args, **kwargs)

    def get_checks(self) -> Iterator[HealthCheck]:
        yield Database()
        yield Cache()
        if settings.REDIS_URL:
            yield Redis()
        if not settings.CELERY_TASK_ALWAYS_EAGER:
            yield Broker()


@dataclasses.dataclass
class NomisEvents(HealthCheck):
    """NOMIS's prisoner events are being read (nomis_sync.sync.nomis_events_poll records an outage on its cursor)."""

    timeout = datetime.timedelta(seconds=3)

    def run(self) -> None:
        from nomis_sync.sync import breaker_state, nomis_events_health

        failing_since, failure = nomis_events_health()
        if failing_since is not None:
            since = failing_since.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            raise ServiceUnavailable(
                f"reading NOMIS's prisoner events has failed since {since} ({failure}; circuit breaker "
                f"{breaker_state()})"
            )


class NomisHealthView(ReadinessView):
    """`/healthz/nomis`, for monitoring, not for a load balancer's readiness: whether NOMIS's prisoner events are
    being read. 500 while they are not, saying since when and why (the kind of error)."""

    def get_checks(self) -> Iterator[HealthCheck]:
        yield NomisEvents()


def acceptable(header: str) -> bool:
    """Whether an ``Accept`` header is one django-health-check can read: media types (``type/subtype``, each
    perhaps with parameters), separated by commas."""
    try:
        list(MediaType.parse_header(header))
    except ValueError:
        return False
    return True


# Celery beat's liveness ---------------------------------------------------------------------------------------------


def beat_heartbeat_file() -> Path:
    return Path(os.environ.get("CELERY_BEAT_HEARTBEAT_FILE", "/tmp/celery-beat-heartbeat"))


class HeartbeatScheduler(PersistentScheduler):
    """Celery's own file-backed scheduler that also touches a file on every tick, so that a health check can tell
    a beat that is alive from one that is stuck (`celery -A config beat -S config.health.HeartbeatScheduler`)."""

    def tick(self, *args: Any, **kwargs: Any) -> float:
        interval = super().tick(*args, **kwargs)
        beat_heartbeat_file().touch()
        return interval


BEAT_STALE_AFTER_SECONDS = 3 * 60  # ticks come at least every minute (the shortest schedule is 60 s)


def beat_alive(now: float | None = None) -> bool:
    try:
        touched = beat_heartbeat_file().stat().st_mtime
    except FileNotFoundError:
        return False
    return (now or time.time()) - touched < BEAT_STALE_AFTER_SECONDS


def worker_alive() -> bool:
    """This host's worker (named ``CELERY_WORKER_NAME``, Celery's default ``celery`` unless set) answers a ping
    through the broker."""
    import socket

    from config.celery import app

    name = os.environ.get("CELERY_WORKER_NAME", "celery")
    replies = app.control.ping(destination=[f"{name}@{socket.gethostname()}"], timeout=3) or []
    return bool(replies)


def main(argv: list[str]) -> int:
    """`python -m config.health worker` or `beat`: exit 0 when it is alive, 1 (with one line) when not."""
    what = argv[1] if len(argv) > 1 else ""
    if what not in {"worker", "beat"}:
        sys.stderr.write("usage: python -m config.health worker|beat\n")
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    alive = worker_alive() if what == "worker" else beat_alive()
    if not alive:
        sys.stderr.write(f"{what} is not alive\n")
    return 0 if alive else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
