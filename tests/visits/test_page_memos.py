"""What the journey's pages keep between requests (config.memo under prisons.generations) is never shown once the
database says otherwise: another visitor's booking, a hold running out, a block, a timetable or prison change, the
visitor's own changed answers. Each test looks at a page, changes something the way the service does, and looks
again."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from prisons.models import Prison, VisitSession
from tests.visits.journey_support import (
    expect_redirect,
    first_radio_value,
    frozen_at_nine,
    journey_to,
    radio_values,
    seed_rochester,
)
from visits.rules import PartyMember
from visits.services import Actor, PrisonerDetails, sessions_block, visit_reserve

pytestmark = pytest.mark.django_db

OTHER_PRISONER = PrisonerDetails("A1011AA", "Mohammed", "Hussain", date(1975, 5, 15))
OTHER_PARTY = [PartyMember("Fatima", "Hussain", date(1977, 8, 9))]


@pytest.fixture(autouse=True)
def rochester(tmp_path, prison_data_dir):  # type: ignore[no-untyped-def]
    seed_rochester(tmp_path, prison_data_dir)


@pytest.fixture
def at_nine():  # type: ignore[no-untyped-def]
    with frozen_at_nine() as traveller:
        yield traveller


def offered(client: Client) -> list[str]:
    response = client.get("/choose-time")
    assert response.status_code == 200
    return radio_values(response.content.decode())


def test_a_kept_page_is_the_same_markup_with_this_requests_csrf_field(client: Client, at_nine) -> None:  # type: ignore[no-untyped-def]
    journey_to(client, "choose-time")
    first, second = (client.get("/choose-time").content.decode() for _ in range(2))
    tokens = [re.findall(r'name="csrfmiddlewaretoken" value="(\w+)"', page) for page in (first, second)]
    assert len(tokens[0]) == 2 and len(set(tokens[0])) == 1  # the language switch's and the picker's
    assert tokens[0] != tokens[1]  # masked afresh for each response
    assert first.replace(tokens[0][0], "") == second.replace(tokens[1][0], "")
    session_id = first_radio_value(second)  # the kept page's field is accepted
    expect_redirect(client.post("/choose-time", {"session": session_id}), "/contact")


def test_another_visitors_hold_on_the_last_place_shows_at_once_and_lapses_with_the_hold(
    client: Client, at_nine
) -> None:  # type: ignore[no-untyped-def]
    journey_to(client, "choose-time")
    session = VisitSession.objects.get(pk=int(offered(client)[0]))
    VisitSession.objects.filter(pk=session.pk).update(open_capacity=1)  # a bulk write: everything's generation
    assert str(session.pk) in offered(client)

    visit_reserve(session=session, prisoner=OTHER_PRISONER, party=OTHER_PARTY, closed=False)  # a save
    assert str(session.pk) not in offered(client)

    at_nine.shift(timedelta(minutes=10, seconds=1))  # the other hold runs out: no write, the kept answer lapses
    assert str(session.pk) in offered(client)


def test_a_blocked_session_shows_at_once(client: Client, at_nine) -> None:  # type: ignore[no-untyped-def]
    journey_to(client, "choose-time")
    session = VisitSession.objects.get(pk=int(offered(client)[0]))
    staff = Actor(user=get_user_model().objects.create_user("clerk"))
    sessions_block(
        prison=session.prison,
        day=session.date,
        start_time=session.start_time,
        reason="Staff training",
        cancel_visits=False,
        actor=staff,
    )
    assert str(session.pk) not in offered(client)


def test_a_change_to_the_prisons_row_shows_at_once(client: Client, at_nine) -> None:  # type: ignore[no-untyped-def]
    journey_to(client, "choose-time")
    prison = Prison.objects.get(slug="rochester")
    assert f'govuk-caption-l">{prison.name}<' in client.get("/choose-time").content.decode()
    prison.name = "HMP Rochester (Medway)"
    prison.save()
    assert 'govuk-caption-l">HMP Rochester (Medway)<' in client.get("/choose-time").content.decode()
    Prison.objects.filter(pk=prison.pk).update(enabled=False)  # no longer booked online: back to the start
    assert client.get("/choose-time")["Location"] == "/prison"


def test_two_visitors_to_one_prison_share_the_page_but_not_their_choices(at_nine) -> None:  # type: ignore[no-untyped-def]
    first, second = Client(), Client()
    journey_to(first, "choose-time")
    journey_to(second, "choose-time")
    assert offered(first) == offered(second)
    chosen = offered(first)[1]
    expect_redirect(first.post("/choose-time", {"session": chosen}), "/contact")
    assert re.search(f'value="{chosen}"[^>]* checked', first.get("/choose-time").content.decode())
    assert not re.search(r'name="session"[^>]* checked', second.get("/choose-time").content.decode())


def test_the_check_page_follows_the_answers(client: Client, at_nine) -> None:  # type: ignore[no-untyped-def]
    journey_to(client, "check")
    assert "A ramp, please" in client.get("/check").content.decode()
    expect_redirect(client.post("/support?change=1", {"details": "A hearing loop", "change": "1"}), "/check")
    page = client.get("/check").content.decode()
    assert "A hearing loop" in page and "A ramp, please" not in page


def test_a_page_with_a_message_is_not_kept(client: Client, at_nine) -> None:  # type: ignore[no-untyped-def]
    journey_to(client, "check")
    at_nine.shift(timedelta(minutes=11))  # the hold runs out
    assert client.get("/check")["Location"] == "/choose-time?change=1"
    message = "Your visit time is no longer available. Select a new time."
    assert message in client.get("/choose-time").content.decode()
    assert message not in client.get("/choose-time").content.decode()  # shown once, not kept with the page


def test_a_kept_pages_csrf_field_passes_djangos_check(client: Client, at_nine) -> None:  # type: ignore[no-untyped-def]
    journey_to(client, "choose-time")  # the test client skips CSRF checks: an enforcing one takes over the journey
    client.get("/")  # the CSRF cookie
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    strict.get("/choose-time")  # rendered and kept
    page = strict.get("/choose-time").content.decode()  # the kept page, with this request's field
    token = re.findall(r'name="csrfmiddlewaretoken" value="(\w+)"', page)[-1]
    session_id = first_radio_value(page)
    assert strict.post("/choose-time", {"session": session_id}).status_code == 403  # no token: refused
    response = strict.post("/choose-time", {"session": session_id, "csrfmiddlewaretoken": token})
    expect_redirect(response, "/contact")
