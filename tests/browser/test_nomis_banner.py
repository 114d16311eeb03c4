"""Staff are told when NOMIS is not answering: a banner on every staff page while the circuit breaker is open or the
events poll fails (prisons.nomis.status), gone once NOMIS answers. axe finds nothing at 1280 and 375 px; screenshots
``staff-nomis-down*.png`` (docs/screenshots/ with SAVE_SCREENSHOTS=1)."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.management.commands.sync_roles import sync_roles
from accounts.roles import VISITS_TEAM
from prisons.nomis.status import nomis_outage_end, nomis_outage_start
from tests.browser.staff_helpers import banner, go, h1, make_staff, sign_in
from tests.browser.test_booking_pause import look_at_both_sizes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_see_that_nomis_is_not_answering_and_then_that_it_is(
    live_server: Any, desktop: Any, rochester: Any
) -> None:
    sync_roles()
    make_staff("team", VISITS_TEAM, rochester)
    sign_in(desktop, live_server.url, "team")
    go(desktop, f"{live_server.url}/staff/rochester/")
    assert desktop.locator(".govuk-notification-banner").count() == 0

    nomis_outage_start()
    for page in ("/staff/", "/staff/rochester/", "/staff/rochester/visits"):
        go(desktop, f"{live_server.url}{page}")
        text = banner(desktop)
        assert text.startswith("NOMIS is not answering NOMIS has not answered since "), (page, text)
        assert "Visits booked meanwhile are kept, and recorded in NOMIS once it answers again." in text
    assert h1(desktop)
    look_at_both_sizes(desktop, "staff-nomis-down")

    nomis_outage_end()
    desktop.reload()
    assert desktop.locator(".govuk-notification-banner").count() == 0
