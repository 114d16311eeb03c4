"""Test-wide fixtures and the rule for tests that need real services.

Tests marked ``postgres``, ``redis`` or ``browser`` are skipped, with the reason, where the service is missing.
CI sets REQUIRE_SERVICES=1: there a missing service fails the test instead, so nothing is skipped.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the main thread; Django's async-safety check would otherwise refuse
# database access from the live-server fixtures.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


def service_missing(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason}; REQUIRE_SERVICES=1 means nothing may be skipped", pytrace=False)
    pytest.skip(reason)


def redis_reachable() -> bool:
    url = os.environ.get("REDIS_URL")
    if not url:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres"):
        from django.db import connection

        if connection.vendor != "postgresql":
            service_missing("needs PostgreSQL: set DATABASE_URL=postgres://...")
    if item.get_closest_marker("redis") and not redis_reachable():
        service_missing("needs Redis: set REDIS_URL=redis://... to a running server")
    if item.get_closest_marker("browser") and not CHROMIUM:
        service_missing("needs Chromium: apt-get install -y chromium")


@pytest.fixture
def prison_data_dir(settings: object) -> Path:
    from django.conf import settings as django_settings

    return Path(django_settings.PRISON_DATA_DIR)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with an empty cache: sessions, rate limits, lockouts and cached NOMIS facts do not leak
    between tests."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in English: Django's LocaleMiddleware leaves the language of a Welsh request active in the
    thread after the response, and a later test's forms would speak Welsh."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


# One Chromium for the whole run (tests/browser and tests/production): Playwright's sync API allows one at a time.
@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM:
        pytest.skip("needs Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def rochester_at_nine(tmp_path: Path, prison_data_dir: Path) -> Iterator[None]:
    """Rochester with its sessions and the seeded NOMIS stub, on Monday 23 November 2026 at 9am with the clock
    stopped (tests/journey/journey_support.py): the journey tests' world."""
    from tests.journey.journey_support import frozen_at_nine, seed_rochester

    seed_rochester(tmp_path, prison_data_dir)
    with frozen_at_nine():
        yield
