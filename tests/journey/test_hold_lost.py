"""Never a booking that cannot happen (issue 15, items 3 and 12): a held time that became impossible before the
visitor confirmed it (the prison blocked the session, took it out of the timetable, or cut its capacity below the
places held) sends the visitor back to choose a time, told why, with nothing chosen; and a block counts the people
holding its places among the visits it affects."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from prisons.models import VisitSession
from tests.journey.journey_support import journey_to
from visits.errors import HoldLost
from visits.models import Visit, VisitState
from visits.services import Actor, ContactDetails, sessions_block, visit_book, visits_affected_by_block

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rochester_at_nine")]
LOST = "Your visit time is no longer available. Select a new time."


def held(client: Client) -> Visit:
    """A visitor at check your answers, holding a time."""
    journey_to(client, "check")
    return Visit.objects.select_related("session", "prison").get(pk=client.session["booking"]["hold_visit_id"])


def block(visit: Visit) -> None:
    sessions_block(
        prison=visit.prison,
        day=visit.session.date,
        start_time=visit.session.start_time,
        reason="Staff training",
        cancel_visits=False,
        actor=Actor(user=User.objects.create_user("robin")),
    )


def assert_sent_back_to_choose_a_time(client: Client, response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 302 and response["Location"] == "/choose-time?change=1"  # then back to check
    page = client.get("/choose-time").content.decode()
    assert LOST in page
    assert "checked" not in page.split("<main", 1)[1].split("</form>", 1)[0]  # nothing selected


def test_a_block_counts_the_live_holds_it_affects(client: Client) -> None:
    hold = held(client)
    affected = visits_affected_by_block(
        prison_id=hold.prison_id, day=hold.session.date, start_time=hold.session.start_time
    )
    assert hold in affected


def test_booking_a_session_blocked_since_it_was_held_sends_the_visitor_back(client: Client) -> None:
    hold = held(client)
    block(hold)
    response = client.post("/check")
    assert_sent_back_to_choose_a_time(client, response)
    assert not Visit.objects.filter(state=VisitState.BOOKED).exists()


def test_the_check_page_itself_says_the_blocked_time_has_gone(client: Client) -> None:
    hold = held(client)
    block(hold)
    assert_sent_back_to_choose_a_time(client, client.get("/check"))


def test_a_session_removed_from_the_timetable_cannot_be_booked(client: Client) -> None:
    hold = held(client)
    VisitSession.objects.filter(pk=hold.session_id).update(removed=True)
    assert_sent_back_to_choose_a_time(client, client.post("/check"))


def test_a_hold_beyond_a_reduced_capacity_cannot_be_booked_and_its_place_goes(client: Client) -> None:
    hold = held(client)
    other = Visit.objects.create(
        reference="bc-df-gh-jz",
        prison=hold.prison,
        session=hold.session,
        state=VisitState.BOOKED,
        prisoner_number="A9999AA",
        prisoner_first_name="Other",
        prisoner_last_name="Family",
    )
    VisitSession.objects.filter(pk=hold.session_id).update(open_capacity=1)  # one place left, and it is taken
    assert_sent_back_to_choose_a_time(client, client.post("/check"))
    hold.refresh_from_db()
    assert hold.state == VisitState.EXPIRED  # released at once, not left counting until it runs out
    assert other.state == VisitState.BOOKED


def test_the_service_refuses_to_confirm_a_hold_on_a_blocked_session(client: Client) -> None:
    hold = held(client)
    block(hold)
    with pytest.raises(HoldLost):
        visit_book(visit=hold, contact=ContactDetails(email="sophie@example.com"))
