"""A real Chromium (Debian's), driven by Playwright, and axe-core for accessibility."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

MOBILE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def refuse_csp_violations(page: Any) -> list[str]:
    """Collect what the Content Security Policy blocked on the page (Chromium says so on the console)."""
    blocked: list[str] = []
    page.on(
        "console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None
    )
    return blocked


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A phone-sized page with JavaScript on; nothing on it may break the Content Security Policy."""
    context = browser.new_context(viewport=MOBILE)
    page = context.new_page()
    blocked = refuse_csp_violations(page)
    yield page
    context.close()
    assert blocked == [], blocked


@pytest.fixture
def desktop(browser: Any) -> Iterator[Any]:
    """A desktop-sized page with JavaScript on (the staff console's); nothing on it may break the CSP."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    blocked = refuse_csp_violations(page)
    yield page
    context.close()
    assert blocked == [], blocked


@pytest.fixture
def page_without_js(browser: Any) -> Iterator[Any]:
    """A phone-sized page with JavaScript off."""
    context = browser.new_context(viewport=MOBILE, java_script_enabled=False)
    page = context.new_page()
    blocked = refuse_csp_violations(page)
    yield page
    context.close()
    assert blocked == [], blocked


def axe_violations(page: Any) -> list[tuple[str, str, list[Any]]]:
    """Run axe-core (WCAG 2.0, 2.1 and 2.2 A and AA rules) on the page; each violation as (rule, impact, targets)."""
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]]) for v in result.response["violations"]]


# --- The booking journey (test_booking_journey.py, test_manage_visit.py) ---------------------------------------------

JOURNEY_PRISON_FILES = ("RCI-rochester.yml", "CFI-cardiff.yml", "RSI-risley.yml", "RNI-ranby.yml", "HLI-hull.yml")


def forget_lookups(today: Any) -> None:
    """Forget the rate-limit counts and cached NOMIS facts earlier tests left in the process-wide cache. Local
    memory is simply cleared; with Redis (shared, where ``clear()`` would flush more than the tests' keys) the
    rate-limit keys are deleted and each test prisoner's cached facts invalidated."""
    from datetime import timedelta

    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    from prisons.models import Prison
    from prisons.nomis.stub.known_prisoners import KNOWN_NUMBERS
    from visits import selectors

    cache = caches["default"]
    if isinstance(cache, LocMemCache):
        cache.clear()
        return
    windows = {(today, today + timedelta(days=28))}
    windows |= {prison.bookable_window(today) for prison in Prison.objects.all()}
    keys = [f"ratelimit:{scope}:127.0.0.1" for scope in ("prisoner-client", "visit-lookup")]
    for number in KNOWN_NUMBERS:
        keys.append(f"ratelimit:prisoner-number:{number}")
        keys += [f"nomis-context:{number}:{first.isoformat()}:{last.isoformat()}" for first, last in windows]
        if hasattr(selectors, "forget_prisoner_context"):
            selectors.forget_prisoner_context(number)
    cache.delete_many(keys)


@pytest.fixture
def rochester(tmp_path: Any, prison_data_dir: Any) -> Iterator[Any]:
    """Rochester and a few other prisons imported, the NOMIS stub seeded for today (the live server runs in real
    time), Rochester's sessions generated, and no rate-limit counts or cached NOMIS facts left from other tests."""
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    from prisons.models import Prison
    from prisons.nomis.stub.seed import stub_seed
    from prisons.services import sessions_generate

    for name in JOURNEY_PRISON_FILES:
        (tmp_path / name).write_text((prison_data_dir / name).read_text())
    call_command("import_prisons", str(tmp_path), stdout=StringIO(), stderr=StringIO())
    today = timezone.localdate()
    stub_seed(seed=1, per_prison=3, today=today)
    prison = Prison.objects.get(slug="rochester")
    sessions_generate(today=today, prisons=[prison])
    forget_lookups(today)
    yield prison
    forget_lookups(today)
