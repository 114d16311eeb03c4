"""NOMIS's data as it really is, in a real Chromium (issue 28): a family books for a prisoner NOMIS holds no visit
balance for and gets a request, not an error page; the prison's staff see what to put right in NOMIS, and the count
on their figures page. axe finds nothing at 1280 and 375 px; screenshots ``nomis-checks*.png``."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from accounts.management.commands.sync_roles import sync_roles
from accounts.roles import VISITS_TEAM
from tests.browser.journey_helpers import Person, answer, give_email, journey_to_time, path, pick_time, press_button
from tests.browser.staff_helpers import go, h1, make_staff, sign_in
from tests.browser.test_booking_pause import look_at_both_sizes
from visits.models import Visit, VisitState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LEE = Person("Lee", "Carter", date(1991, 9, 14), "A1013AA")  # no visit balance in NOMIS
AMY = Person("Amy", "Carter", date(1993, 2, 27))  # his partner, approved
PAUL = Person("Paul", "Foster", date(1984, 3, 8), "A1012AA")  # no cell; a visitor twice, one with no birth date
MICHELLE = Person("Michelle", "Foster", date(1986, 11, 2))  # NOMIS has her as "Michele"


def test_a_family_gets_a_request_and_the_prison_a_list_of_what_to_put_right(
    live_server: Any, page: Any, desktop: Any, rochester: Any
) -> None:
    journey_to_time(page, live_server.url, LEE, AMY)
    assert path(page) == "/choose-time"
    pick_time(page, day=0)
    press_button(page)
    assert path(page) == "/another-time"  # a request: the prison checks his allowance
    answer(page, "No")
    give_email(page, "amy@example.com")
    press_button(page)
    assert path(page) == "/check"
    press_button(page, "Send request")
    assert page.locator(".govuk-panel__title").inner_text().strip() == "Request sent"
    assert Visit.objects.get(prisoner_number="A1013AA").state == VisitState.REQUESTED

    journey_to_time(page, live_server.url, PAUL, MICHELLE)  # no error page for a prisoner with no cell
    assert path(page) == "/choose-time"

    sync_roles()
    make_staff("team", VISITS_TEAM, rochester)
    sign_in(desktop, live_server.url, "team")
    go(desktop, f"{live_server.url}/staff/rochester/")
    desktop.get_by_role("link", name="5 things to check in NOMIS").click()
    assert h1(desktop) == "To check in NOMIS"
    table = desktop.locator("table").inner_text()
    for text in ("A1012AA", "No cell location", "Tina Foster (101202,101203)", "Jordan Foster (101204)"):
        assert text in table
    assert "A1013AA" in table and "No visit balance" in table
    look_at_both_sizes(desktop, "nomis-checks")
    go(desktop, f"{live_server.url}/staff/rochester/performance")
    row = desktop.locator(".govuk-summary-list__row", has_text="Things to check in NOMIS now").inner_text()
    assert row.split()[-1] == "5"
    assert desktop.title().startswith("Performance figures – ")  # the page's title is its title, nothing more
    look_at_both_sizes(desktop)
