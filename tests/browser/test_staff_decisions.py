"""The staff pages this round added, seen in Chromium at 1280 and 375 px with axe: deciding on a visitor not on
the approved list, a visitor's cancellation until it is marked seen, the lockout page and the too-old visit sheet."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.management.commands.sync_roles import sync_roles
from accounts.roles import VISITS_TEAM
from prisons.models import Prison, VisitSession
from prisons.nomis.stub.seed import stub_seed
from prisons.services import sessions_generate
from tests.browser.staff_helpers import banner, go, h1, look, make_staff, press, sign_in
from tests.factories import details, make_prisoner
from visits.rules import PartyMember
from visits.services import Actor, ContactDetails, visit_book, visit_cancel, visit_request, visit_reserve

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def rochester(tmp_path: Path, prison_data_dir: Path) -> Prison:
    (tmp_path / "RCI-rochester.yml").write_text((prison_data_dir / "RCI-rochester.yml").read_text())
    call_command("import_prisons", str(tmp_path), stdout=StringIO(), stderr=StringIO())
    stub_seed(seed=1, per_prison=3, today=timezone.localdate())
    prison = Prison.objects.get(slug="rochester")
    sessions_generate(today=timezone.localdate(), prisons=[prison])
    sync_roles()
    return prison


def hold(prison: Prison, party: list[PartyMember], contacts: list[int | None], days: int = 6) -> Any:
    session = VisitSession.objects.filter(
        prison=prison, date__gte=timezone.localdate() + timedelta(days=days), blocked=False
    ).order_by("date", "start_time")[0]
    return visit_reserve(
        session=session,
        prisoner=details(make_prisoner("A1001AA")),
        party=party,
        closed=False,
        visitor_contact_ids=contacts,
    )


def test_deciding_on_visitors_and_seeing_cancellations(live_server: Any, desktop: Any, rochester: Prison) -> None:
    karen, dave = PartyMember("Karen", "Walker", date(1962, 2, 19)), PartyMember("Dave", "Stranger", date(1980, 1, 1))
    request = visit_request(
        visit=hold(rochester, [karen, dave], [100102, None]), contact=ContactDetails(email="karen@example.com")
    )
    cancelled = visit_book(visit=hold(rochester, [karen], [100102], days=9), contact=ContactDetails(email="k@x.uk"))
    visit_cancel(visit=cancelled, reason="Someone is ill", actor=Actor.visitor())
    make_staff("team", VISITS_TEAM, rochester)
    base = live_server.url
    sign_in(desktop, base, "team")

    go(desktop, f"{base}/staff/rochester/requests/{request.reference}")
    look(desktop, "request-visitor-to-decide")
    allow = desktop.locator("form", has=desktop.get_by_role("button", name="Approve visitor"))
    allow.get_by_label("Dave Stranger").check()
    press(desktop, "Approve visitor")
    assert "Visitor approved for this visit" in banner(desktop)
    look(desktop)

    go(desktop, f"{base}/staff/rochester/")
    assert desktop.get_by_role("link", name="1 visit cancelled by its visitor").count() == 1
    go(desktop, f"{base}/staff/rochester/cancellations")
    assert h1(desktop) == "Cancelled by visitors"
    look(desktop, "cancellations")
    press(desktop, f"Mark as seen {cancelled.reference}")
    assert f"Marked as seen: {cancelled.reference}" in banner(desktop)
    look(desktop)

    old = (timezone.localdate() - timedelta(days=31 * 7)).isoformat()
    go(desktop, f"{base}/staff/rochester/sheet?date={old}", status=400)
    look(desktop, "sheet-too-old")


def test_the_lockout_page(live_server: Any, desktop: Any, rochester: Prison) -> None:
    make_staff("team", VISITS_TEAM, rochester)
    for _ in range(5):
        go(desktop, live_server.url + "/staff/sign-in")
        desktop.get_by_label("Username").fill("team")
        desktop.get_by_label("Password").fill("wrong-password")
        with desktop.expect_navigation():
            desktop.get_by_role("button", name="Sign in").click()
    assert h1(desktop) == "You have tried to sign in too many times"
    look(desktop, "locked-out")
