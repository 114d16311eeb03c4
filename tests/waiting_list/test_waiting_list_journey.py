"""The waiting list through the public pages: a full time offers it in the picker, joining asks how to be told, the
link in the offer opens check your answers on the held place, and the staff see the list on the session's day."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from accounts.management.commands.sync_roles import sync_roles
from accounts.roles import BOOKING_CLERK
from prisons.models import VisitSession
from tests.browser.staff_helpers import make_staff
from tests.journey.journey_support import expect_redirect, first_radio_value, journey_to
from visits.models import FakeNotifyMessage, OutboxMessage, Visit, VisitState, WaitingListEntry, WaitingState
from waiting_list.services import LEAVE, entry_for_token, waiting_lists_sweep, waiting_token

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rochester_at_nine")]


def make_full(client: Client) -> VisitSession:
    session = VisitSession.objects.get(pk=first_radio_value(client.get("/choose-time").content.decode()))
    session.open_capacity = 0
    session.save()
    return session


def test_join_from_the_picker_then_book_the_place_offered(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    journey_to(client, "choose-time")
    session = make_full(client)
    picker = client.get("/choose-time").content.decode()
    assert f'href="/waiting-list-join/{session.id}"' in picker and "Tell me if a place comes up" in picker
    form = client.get(f"/waiting-list-join/{session.id}")
    assert form.status_code == 200 and "Join the waiting list" in form.content.decode()
    missing = client.post(f"/waiting-list-join/{session.id}", {})
    assert (
        missing.status_code == 400 and "Select how you want to be told if a place comes up" in missing.content.decode()
    )
    expect_redirect(
        client.post(f"/waiting-list-join/{session.id}", {"updates": ["email"], "email": "sophie@example.com"}),
        "/choose-time",
    )
    picker = client.get("/choose-time").content.decode()
    assert "You&#39;re on the waiting list for" in picker and f"/waiting-list-join/{session.id}" not in picker
    entry = WaitingListEntry.objects.get(session=session)
    assert entry.state == WaitingState.WAITING and entry.support["needs"] == ["wheelchair"]

    session.open_capacity = 1  # a place comes up
    session.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert waiting_lists_sweep() == 1
    offer = FakeNotifyMessage.objects.get(template_name="place_offered.email.en")
    path = re.search(r"https?://[^/\s]+(/waiting-list/[^\s]+)", offer.body).group(1)  # type: ignore[union-attr]
    assert entry_for_token(path.removeprefix("/waiting-list/")).pk == entry.pk  # type: ignore[union-attr]

    # The link in the message saying they joined only leaves the list: it neither shows nor books the offer.
    joined = OutboxMessage.objects.get(kind="waiting_joined").personalisation
    leave_link = re.search(r"https?://[^/\s]+(/waiting-list/[^\s]+/leave)", joined["leave_link"]).group(1)  # type: ignore[union-attr]
    as_offer = leave_link.removesuffix("/leave")
    stranger = Client()
    assert stranger.get(as_offer).status_code == 404 and stranger.post(as_offer).status_code == 404
    assert "hold_visit_id" not in stranger.session.get("journey", {})
    assert "To stay on the list, you do not need to do anything." in stranger.get(leave_link).content.decode()

    phone = Client()  # the visitor opens the link on their phone: a new session
    page = phone.get(path)
    assert page.status_code == 200 and "A place has come up" in page.content.decode()
    expect_redirect(phone.post(path), "/check")
    check = phone.get("/check").content.decode()
    assert "sophie@example.com" in check and "Sophie" in check
    expect_redirect(phone.post("/check"), "/confirmation")
    visit = Visit.objects.get(pk=phone.session["confirmed_visit_id"])
    assert visit.session_id == session.id and visit.state == VisitState.BOOKED
    assert visit.support_needs == ["wheelchair"]
    waiting_lists_sweep()
    assert WaitingListEntry.objects.get(pk=entry.pk).state == WaitingState.BOOKED
    assert "no longer held for you" in phone.get(path).content.decode()


def test_leave_by_link_and_a_bad_link() -> None:
    client = Client()
    journey_to(client, "choose-time")
    session = make_full(client)
    client.post(f"/waiting-list-join/{session.id}", {"updates": ["email"], "email": "sophie@example.com"})
    entry = WaitingListEntry.objects.get(session=session)
    leave = f"/waiting-list/{waiting_token(entry, LEAVE)}/leave"
    assert "Are you sure you want to leave the waiting list?" in Client().get(leave).content.decode()
    assert WaitingListEntry.objects.get(pk=entry.pk).state == WaitingState.WAITING  # nothing changes on GET
    assert "You've left the waiting list" in Client().post(leave).content.decode()
    assert WaitingListEntry.objects.get(pk=entry.pk).state == WaitingState.LEFT
    assert Client().get("/waiting-list/nonsense").status_code == 404


def test_a_time_with_a_place_free_is_not_joined() -> None:
    client = Client()
    journey_to(client, "choose-time")
    session_id = first_radio_value(client.get("/choose-time").content.decode())
    expect_redirect(client.get(f"/waiting-list-join/{session_id}"), "/choose-time")
    assert not WaitingListEntry.objects.exists()


def test_the_staff_see_the_waiting_list_on_the_sessions_day() -> None:
    client = Client()
    journey_to(client, "choose-time")
    session = make_full(client)
    client.post(f"/waiting-list-join/{session.id}", {"updates": ["email"], "email": "sophie@example.com"})
    sync_roles()
    staff = Client()
    staff.force_login(make_staff("clerk", BOOKING_CLERK, session.prison))
    page = staff.get(f"/staff/rochester/visits?date={session.date.isoformat()}").content.decode()
    assert "Waiting list (1)" in page and "Ryan Walker (A1001AA)" in page and "Sophie Walker" in page
