"""The prison's visits mailbox in a real Chromium: a visits admin sets it in the timetable settings (after the form's
error for an address that is not one), and a request made afterwards sends the mailbox one email. axe finds nothing
at 1280 and 375 px; screenshots ``staff-mailbox-settings*.png`` (docs/screenshots/ with SAVE_SCREENSHOTS=1)."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.management.commands.sync_roles import sync_roles
from accounts.roles import VISITS_ADMIN
from prisons.models import Prison
from tests.browser.journey_helpers import DAVE, visit_made_with_client
from tests.browser.staff_helpers import assert_errors, banner, go, h1, make_staff, press, sign_in
from tests.browser.test_booking_pause import look_at_both_sizes
from visits.models import MessageKind, OutboxMessage, VisitState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MAILBOX = "socialvisits.rochester@justice.gov.uk"


def test_a_mailbox_set_in_the_console_gets_one_email_per_request(
    live_server: Any, desktop: Any, rochester: Any
) -> None:
    sync_roles()
    make_staff("admin", VISITS_ADMIN, rochester)
    sign_in(desktop, live_server.url, "admin")
    go(desktop, f"{live_server.url}/staff/rochester/timetable/settings")
    assert h1(desktop) == "Timetable settings"
    look_at_both_sizes(desktop, "staff-mailbox-settings")

    desktop.get_by_label("Visits mailbox (optional)").fill("not an address")
    press(desktop, "Save")
    assert_errors(desktop, "Enter an email address in the correct format, like name@example.com")
    look_at_both_sizes(desktop, "staff-mailbox-settings-error")
    desktop.get_by_label("Visits mailbox (optional)").fill(MAILBOX)
    press(desktop, "Save")
    assert "Settings saved" in banner(desktop)
    assert Prison.objects.get(slug="rochester").visits_mailbox == MAILBOX
    # Who changed it and when, on the timetable page (a first mailbox: no old address to tell).
    changed = desktop.locator(".govuk-summary-list__row", has_text="Mailbox last changed").inner_text()
    assert "Admin Tester, " in changed  # the full name where the user has one
    look_at_both_sizes(desktop, "staff-timetable-mailbox-changed")

    visit = visit_made_with_client(DAVE, email="dave@example.com")  # not on the approved list: a request
    assert visit.state == VisitState.REQUESTED
    to_mailbox = OutboxMessage.objects.filter(recipient=MAILBOX)
    assert [m.kind for m in to_mailbox] == [MessageKind.PRISON_NEW_REQUEST]
    assert visit.reference in str(to_mailbox.get().personalisation) and "Dave" not in str(
        to_mailbox.get().personalisation
    )
