"""The waiting list in a real Chromium. Ryan Walker's visitor finds a time fully booked and joins its waiting list
(after the form's error); two more people join after her. A booked visitor cancels: the first place goes to her, the
fake Notify has her message, she follows its link and books the place. The visits team see the list on the day's
visits page. Another cancels: the place goes to the next
person, who lets the 30 minutes lapse, so the third person is offered it, and leaves the list by the link instead.
axe finds nothing on any page at 375 and 1280 px; screenshots ``waiting-list-*.png`` (docs/screenshots/ with
SAVE_SCREENSHOTS=1).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.management.commands.sync_roles import sync_roles
from accounts.roles import BOOKING_CLERK
from prisons.models import Prison, VisitSession
from tests.browser.conftest import DESKTOP, MOBILE, axe_violations
from tests.browser.journey_helpers import (
    RYAN,
    SCREENSHOTS,
    SOPHIE,
    assert_errors,
    give_email,
    h1,
    journey_to_time,
    path,
    press_button,
)
from tests.browser.staff_helpers import go, make_staff, sign_in
from tests.factories import MARY, book_for, details, make_prisoner
from visits.models import FakeNotifyMessage, Visit, VisitState, WaitingListEntry, WaitingState
from visits.services import Actor, ContactDetails, visit_cancel
from waiting_list.services import waiting_list_join, waiting_lists_sweep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def look_at_both_sizes(page: Any, shot: str) -> None:
    """axe finds nothing at 375 and 1280 px; full-page screenshots at both (``-375`` for the narrow one)."""
    size = page.viewport_size
    for viewport, suffix in ((MOBILE, "-375"), (DESKTOP, "")):
        page.set_viewport_size(viewport)
        assert axe_violations(page) == [], (viewport["width"], page.url)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{shot}{suffix}.png"), full_page=True)
    page.set_viewport_size(size)


def link_in_latest_offer(recipient: str) -> str:
    body = FakeNotifyMessage.objects.filter(template_name="place_offered.email.en", recipient=recipient).get().body
    return re.search(r"https?://[^/\s]+(/waiting-list/\S+)", body).group(1)  # type: ignore[union-attr]


def test_join_get_the_offer_book_it_and_the_next_offer_after_a_lapse(
    live_server: Any, page: Any, desktop: Any, rochester: Prison
) -> None:
    base = live_server.url
    journey_to_time(page, base, RYAN, SOPHIE)
    assert h1(page) == "Choose a time"
    # The first time on offer fills up while she looks: two other families book its last places.
    first = int(page.locator("details.app-picker__day input[name=session]").first.get_attribute("value"))
    session = VisitSession.objects.get(pk=first)
    session.open_capacity = 2
    session.save()
    booked = [book_for(session, make_prisoner("B0001AA")), book_for(session, make_prisoner("B0002AA"))]
    page.reload()
    join = page.locator(f'a[href="/waiting-list-join/{session.id}"]')
    assert join.count() == 1
    page.locator("details.app-picker__day", has=join).locator("summary").click()  # she opens the day
    assert join.inner_text().startswith("Tell me if a place comes up")
    look_at_both_sizes(page, "waiting-list-picker")
    with page.expect_navigation():
        join.click()
    assert h1(page) == "Join the waiting list"
    press_button(page, "Join the waiting list")
    assert_errors(page, "Select how you want to be told if a place comes up")
    give_email(page, "sophie@example.com")
    look_at_both_sizes(page, "waiting-list-join")
    press_button(page, "Join the waiting list")
    assert path(page) == "/choose-time"
    assert "You're on the waiting list for" in page.locator(".govuk-notification-banner").inner_text()
    look_at_both_sizes(page, "waiting-list-joined")

    for n, email in ((2, "second@example.com"), (3, "third@example.com")):  # two more join after her
        waiting_list_join(
            session=session,
            closed=False,
            prisoner=details(make_prisoner(f"W{n:04d}AA")),
            party=[MARY],
            contact=ContactDetails(email=email),
        )

    # The visits team see the list, in order, on the session's day.
    sync_roles()
    make_staff("clerk", BOOKING_CLERK, rochester)
    sign_in(desktop, base, "clerk")
    go(desktop, f"{base}/staff/rochester/visits?date={session.date.isoformat()}")
    table = desktop.locator("table", has_text="Waiting list (3)")
    assert (
        table.locator("tbody tr").count() == 3
        and "Ryan Walker (A1001AA)" in table.locator("tbody tr").first.inner_text()
    )
    look_at_both_sizes(desktop, "waiting-list-staff")

    # A family cancels: the place is offered to her, the first to join, and the fake Notify has the message.
    visit_cancel(visit=booked[0], reason="Someone is ill", actor=Actor.visitor())
    page.goto(base + link_in_latest_offer("sophie@example.com"))
    assert h1(page) == "A place has come up"
    look_at_both_sizes(page, "waiting-list-offer")
    press_button(page, "Book this visit")
    assert path(page) == "/check"
    press_button(page, "Book visit")
    assert path(page) == "/confirmation"
    mine = Visit.objects.get(session=session, prisoner_number=RYAN.number)
    assert mine.state == VisitState.BOOKED

    # Another cancels: the second person is offered it, and lets the 30 minutes go by; the third gets it.
    visit_cancel(visit=booked[1], reason="Someone is ill", actor=Actor.visitor())
    assert link_in_latest_offer("second@example.com")
    waiting_lists_sweep(now=timezone.now() + timedelta(minutes=31))
    states = dict(WaitingListEntry.objects.values_list("contact_email", "state"))
    assert states == {
        "sophie@example.com": WaitingState.BOOKED,
        "second@example.com": WaitingState.LAPSED,
        "third@example.com": WaitingState.OFFERED,
    }
    third = link_in_latest_offer("third@example.com")
    page.goto(base + third)
    assert h1(page) == "A place has come up"
    with page.expect_navigation():
        page.get_by_role("link", name="I do not want this place: leave the waiting list").click()
    assert h1(page) == "Are you sure you want to leave the waiting list?"
    look_at_both_sizes(page, "waiting-list-leave")
    press_button(page, "Leave the waiting list")
    assert h1(page) == "You've left the waiting list"
    assert WaitingListEntry.objects.get(contact_email="third@example.com").state == WaitingState.LEFT
