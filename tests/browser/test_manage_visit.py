"""Managing a visit in a real Chromium at 375 × 812: from the signed link, cancel a booked visit with a reason,
withdraw a request, change the time, find a visit by reference and email. The visits are made through Django's
test client first (the journey itself is tested in test_booking_journey.py); axe checks every page, normal and with
its errors shown, and the tests save a screenshot of each (see journey_helpers)."""

from __future__ import annotations

from typing import Any

import pytest

from prisons.models import VisitSession
from tests.browser.journey_helpers import (
    DAVE,
    LILY,
    SOPHIE,
    answer,
    assert_errors,
    follow_link,
    h1,
    look,
    path,
    pick_time,
    press_button,
    visit_made_with_client,
)
from visits.links import manage_token, visit_for_token
from visits.models import PLACE_TAKING_STATES, EventType, Visit, VisitState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def when(session: VisitSession) -> str:
    """A session's date as the pages write it, e.g. "Thursday 26 November 2026"."""
    return f"{session.date:%A} {session.date.day} {session.date:%B %Y}"


def banner(page: Any) -> str:
    return page.locator(".govuk-notification-banner").inner_text()


def state_tag(page: Any) -> str:
    return page.locator("main .govuk-tag").inner_text().strip()


def test_cancel_a_booked_visit_with_a_reason(live_server: Any, page: Any, rochester: Any) -> None:
    visit = visit_made_with_client(SOPHIE, LILY)
    assert visit.state == VisitState.BOOKED
    token = manage_token(visit)
    page.goto(f"{live_server.url}/visit/{token}")
    assert h1(page) == "Your visit" and visit.reference in page.locator(".govuk-caption-l").inner_text()
    assert state_tag(page) == "Booked"
    text = page.locator("main").inner_text()
    for expected in (when(visit.session), "Ryan Walker", "Sophie Walker", "Lily Walker", "Open visit"):
        assert expected in text, expected
    look(page, "manage-01-booked")

    calendar = page.request.get(f"{live_server.url}/visit/{token}/calendar.ics")
    assert calendar.ok and calendar.headers["content-type"].startswith("text/calendar")
    assert f"UID:{visit.reference}@" in calendar.text() and "DTSTART:" in calendar.text()

    press_button(page, "Cancel visit")  # the link, styled as a button
    assert path(page) == f"/visit/{token}/cancel" and h1(page) == "Why are you cancelling this visit?"
    look(page, "manage-02-cancel")
    press_button(page, "Cancel visit")
    assert_errors(page, "Select why you are cancelling this visit")
    look(page, "manage-02-cancel-error")
    answer(page, "Someone is ill", "Cancel visit")

    visit.refresh_from_db()
    assert visit.state == VisitState.CANCELLED
    assert visit.events.get(type=EventType.CANCELLED).reason == "Someone is ill"
    assert path(page) == "/visit-ended" and h1(page) == "Visit cancelled"
    assert visit.reference in page.locator(".govuk-panel").inner_text()
    look(page, "manage-03-cancelled")
    assert page.request.get(f"{live_server.url}/visit/{token}/calendar.ics").status == 404
    # The visitor ended it: the link ends with it, and booking again starts at the same prison.
    page.goto(f"{live_server.url}/visit/{token}")
    assert h1(page) == "This link has expired"
    page.go_back()
    follow_link(page, "Book another visit to Rochester")
    assert path(page) == "/prison?prison=rochester"
    assert page.locator("#prison").input_value() == "Rochester"  # offered in the autocomplete, not yet chosen


def test_withdraw_a_request(live_server: Any, page: Any, rochester: Any) -> None:
    visit = visit_made_with_client(DAVE, email="dave@example.com", times=2)
    assert visit.state == VisitState.REQUESTED and visit.preferences.count() == 2
    token = manage_token(visit)
    page.goto(f"{live_server.url}/visit/{token}")
    assert state_tag(page) == "Requested"
    assert page.get_by_role("button", name="Cancel visit").count() == 0
    assert page.get_by_role("button", name="Change the time").count() == 0
    look(page, "manage-04-requested")

    press_button(page, "Withdraw request")
    assert path(page) == f"/visit/{token}/withdraw"
    assert h1(page) == "Are you sure you want to withdraw your request?"
    look(page, "manage-05-withdraw")
    press_button(page, "Withdraw request")  # the form has no fields: submitting it is the answer

    visit.refresh_from_db()
    assert visit.state == VisitState.WITHDRAWN
    assert visit.events.filter(type=EventType.WITHDRAWN).count() == 1
    assert path(page) == "/visit-ended" and h1(page) == "Request withdrawn"
    look(page, "manage-06-withdrawn")
    assert page.get_by_role("link", name="Book another visit to Rochester").count() == 1

    # Back to the old withdraw page (the browser's back button, a second tab): it says it is done (and the link to
    # the visit itself has ended).
    page.goto(f"{live_server.url}/visit/{token}/withdraw")
    assert h1(page) == "You have already withdrawn this request"
    assert visit.reference not in page.content()
    look(page, "manage-05-withdraw-again")
    visit.refresh_from_db()
    assert visit.state == VisitState.WITHDRAWN


def test_change_the_time_of_a_booked_visit(live_server: Any, page: Any, rochester: Any) -> None:
    visit = visit_made_with_client(SOPHIE)
    old = visit.session
    token = manage_token(visit)
    page.goto(f"{live_server.url}/visit/{token}")
    look(page)
    press_button(page, "Change the time")

    assert path(page) == f"/visit/{token}/change" and h1(page) == "Choose a new time"
    assert page.locator(f"input[name=session][value='{old.id}']").count() == 0  # not its own time again
    look(page, "manage-07-change")
    press_button(page)
    assert_errors(page, "Select a visit time")
    look(page, "manage-07-change-error")
    new_id = pick_time(page, day=2)
    assert new_id != old.id
    press_button(page)

    visit.refresh_from_db()
    assert visit.state == VisitState.BOOKED and visit.session_id == new_id
    change = visit.events.get(type=EventType.CHANGED)
    assert change.data == {"from_session_id": old.id, "to_session_id": new_id}
    assert not Visit.objects.filter(session=old, state__in=PLACE_TAKING_STATES).exists()  # the old place is free
    assert path(page) == f"/visit/{token}"
    assert "Your visit time has been changed" in banner(page)
    assert when(visit.session) in page.locator("main").inner_text()
    assert when(old) not in page.locator("main").inner_text()
    look(page, "manage-08-changed")

    # The old time is on offer again, to anyone, and this visit's new time is not.
    press_button(page, "Change the time")
    assert page.locator(f"input[name=session][value='{old.id}']").count() == 1
    assert page.locator(f"input[name=session][value='{new_id}']").count() == 0
    look(page)


def test_find_a_visit_by_reference_and_email(live_server: Any, page: Any, rochester: Any) -> None:
    visit = visit_made_with_client(SOPHIE, email="sophie@example.com")
    page.goto(live_server.url + "/manage")
    assert h1(page) == "Find your visit"
    look(page, "manage-09-find")
    press_button(page)
    assert_errors(page, "Enter your booking reference", "Enter the email address you booked with")
    look(page, "manage-09-find-error")

    wrong = "bc-df-gh-jk" if visit.reference != "bc-df-gh-jk" else "bc-df-gh-jm"
    page.get_by_label("Booking reference").fill(wrong)
    page.get_by_label("Email address").fill("sophie@example.com")
    press_button(page)
    assert_errors(page, "We could not find a visit with that reference and email address")
    look(page, "manage-09-find-not-found")

    page.get_by_label("Booking reference").fill(visit.reference.upper().replace("-", " "))
    page.get_by_label("Email address").fill("Sophie@Example.com")
    press_button(page)
    token = path(page).removeprefix("/visit/")
    assert visit_for_token(token) == visit  # a signed link of its own (each one carries when it was made)
    assert visit.reference in page.locator(".govuk-caption-l").inner_text()
    look(page)


def test_a_bad_manage_link(live_server: Any, page: Any, rochester: Any) -> None:
    response = page.goto(live_server.url + "/visit/not-a-real-token")
    assert response.status == 404
    assert h1(page) == "This link has expired"
    look(page, "manage-10-link-expired")
