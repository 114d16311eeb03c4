"""The maintenance switch in a real Chromium: a visits admin pauses online booking at Rochester (after the form's
error), a visitor choosing Rochester gets the GOV.UK "service unavailable" page with the prison's phone number, and
the admin resumes it. axe finds nothing on either page at 1280 and 375 px; screenshots of both at both sizes are
saved as ``booking-paused-staff*.png`` and ``booking-paused-public*.png`` (docs/screenshots/ with SAVE_SCREENSHOTS=1).
"""

from __future__ import annotations

from typing import Any

import pytest

from accounts.management.commands.sync_roles import sync_roles
from accounts.models import BookingPause
from accounts.roles import VISITS_ADMIN
from prisons.models import Prison
from tests.browser.conftest import DESKTOP, MOBILE, axe_violations
from tests.browser.journey_helpers import choose_prison
from tests.browser.staff_helpers import (
    SCREENSHOTS,
    assert_errors,
    banner,
    follow,
    go,
    h1,
    make_staff,
    press,
    sign_in,
    subnav,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def look_at_both_sizes(page: Any, shot: str | None = None) -> None:
    """axe finds nothing at 1280 and at 375 px; if named, full-page screenshots at both (``-375`` for the narrow)."""
    size = page.viewport_size
    for viewport, suffix in ((DESKTOP, ""), (MOBILE, "-375")):
        page.set_viewport_size(viewport)
        violations = axe_violations(page)
        assert violations == [], (viewport["width"], page.url, violations)
        if shot:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{shot}{suffix}.png"), full_page=True)
    page.set_viewport_size(size)


def test_pause_and_resume_online_booking(live_server: Any, desktop: Any, page: Any, rochester: Prison) -> None:
    sync_roles()
    make_staff("admin", VISITS_ADMIN, rochester)
    base = live_server.url
    sign_in(desktop, base, "admin")
    go(desktop, f"{base}/staff/rochester/")
    follow(desktop, "Pause booking", subnav(desktop))
    assert h1(desktop) == "Pause online booking"
    look_at_both_sizes(desktop)

    press(desktop, "Pause online booking")
    assert_errors(desktop, "Enter a message for visitors")
    look_at_both_sizes(desktop)
    desktop.get_by_label("Message for visitors").fill("The visits hall is closed for repairs until Monday.")
    desktop.get_by_label("Message in Welsh (optional)").fill("Mae'r neuadd ymweld ar gau tan ddydd Llun.")
    press(desktop, "Pause online booking")
    assert "Online booking is paused" in banner(desktop)
    assert desktop.get_by_role("button", name="Resume online booking").is_visible()
    look_at_both_sizes(desktop, "booking-paused-staff")

    # A visitor choosing Rochester is told, with the prison's number; managing a visit is a link away.
    response = page.goto(base + "/prison")
    assert response is not None and response.status == 200
    choose_prison(page, "Rochester")
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    assert h1(page) == "Sorry, the service is unavailable"
    text = page.locator("main").inner_text()
    assert "The visits hall is closed for repairs until Monday." in text
    assert "0300 060 6513" in text
    assert page.get_by_role("link", name="0300 060 6513").get_attribute("href") == "tel:03000606513"
    look_at_both_sizes(page, "booking-paused-public")

    press(desktop, "Resume online booking")
    assert "Online booking has resumed" in banner(desktop)
    assert BookingPause.objects.get().resumed_at is not None
    go(page, base + "/prison")  # the cache was cleared: the journey carries on at once
    choose_prison(page, "Rochester")
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    assert h1(page) == "Who are you visiting?"
