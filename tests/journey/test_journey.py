"""The booking journey through Django's test client, against the seeded NOMIS stub: a user's script."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from prisons.models import VisitSession
from prisons.nomis.stub.seed import stub_seed
from prisons.services import sessions_generate
from visits.models import OutboxMessage, Visit, VisitState

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)  # a Monday


@pytest.fixture(autouse=True)
def rochester(tmp_path, prison_data_dir):  # type: ignore[no-untyped-def]
    (tmp_path / "RCI-rochester.yml").write_text((prison_data_dir / "RCI-rochester.yml").read_text())
    with time_machine.travel(datetime(2026, 11, 23, 9, 0, tzinfo=timezone.get_current_timezone()), tick=False):
        call_command("import_prisons", str(tmp_path), stdout=open("/dev/null", "w"))  # noqa: SIM115
        stub_seed(seed=1, per_prison=3, today=TODAY)
        sessions_generate(today=TODAY)


@pytest.fixture
def at_nine():  # type: ignore[no-untyped-def]
    with time_machine.travel(datetime(2026, 11, 23, 9, 0, tzinfo=timezone.get_current_timezone()), tick=True) as t:
        yield t


def dob(prefix: str, day: date) -> dict[str, str]:
    return {f"{prefix}-day": str(day.day), f"{prefix}-month": str(day.month), f"{prefix}-year": str(day.year)}


def start_to_visitors(
    client: Client, number: str = "A1001AA", last_name: str = "Walker", born: date = date(1988, 4, 12)
) -> None:
    assert client.post("/prison", {"prison": "rochester"})["Location"] == "/prisoner"
    response = client.post(
        "/prisoner", {"first_name": "Ryan", "last_name": last_name, "number": number, **dob("date_of_birth", born)}
    )
    assert response.status_code == 302 and response["Location"] == "/visitors", response.content.decode()[:3000]


def add_visitor(client: Client, first: str, last: str, born: date) -> None:
    response = client.post("/visitors/add", {"first_name": first, "last_name": last, **dob("date_of_birth", born)})
    assert response["Location"] == "/visitors", response.content.decode()[:2000]


def first_radio_value(html: str) -> str:
    marker = 'name="session" type="radio" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def test_instant_booking_end_to_end(client: Client, at_nine) -> None:  # type: ignore[no-untyped-def]
    start_to_visitors(client)
    add_visitor(client, "Sophie", "Walker", date(1990, 7, 3))
    assert client.post("/visitors", {"add_another": "yes"})["Location"] == "/visitors/add"
    add_visitor(client, "Lily", "Walker", date(2017, 9, 25))
    assert client.post("/visitors", {"add_another": "no"})["Location"] == "/support"
    assert client.post("/support", {"needs": ["wheelchair"]})["Location"] == "/choose-time"
    picker = client.get("/choose-time").content.decode()
    assert "Choose a time" in picker and "Week starting" in picker
    session_id = first_radio_value(picker)
    assert client.post("/choose-time", {"session": session_id})["Location"] == "/contact"
    hold = Visit.objects.get()
    assert hold.state == VisitState.RESERVED and [v.nomis_contact_id for v in hold.visitors.all()] == [100101, 100103]
    assert client.post("/contact", {"updates": ["email"], "email": "sophie@example.com"})["Location"] == "/check"
    check = client.get("/check").content.decode()
    assert "Book visit" in check and "Sophie Walker" in check and "Wheelchair access" in check
    assert client.post("/check")["Location"] == "/confirmation"
    assert client.post("/check")["Location"] == "/confirmation"  # a double click books once
    visit = Visit.objects.get()
    assert visit.state == VisitState.BOOKED and visit.session_id == int(session_id)
    confirmation = client.get("/confirmation").content.decode()
    assert "Visit booked" in confirmation and visit.reference in confirmation
    assert OutboxMessage.objects.filter(visit=visit, kind="booked").count() == 1


def test_visitor_not_on_the_list_makes_a_request_with_three_preferences(client: Client, at_nine) -> None:  # type: ignore[no-untyped-def]
    start_to_visitors(client)
    add_visitor(client, "Dave", "Stranger", date(1980, 1, 1))
    client.post("/visitors", {"add_another": "no"})
    client.post("/support", {})
    picker = client.get("/choose-time").content.decode()
    assert "You can choose up to 3 times" in picker
    first = first_radio_value(picker)
    assert client.post("/choose-time", {"session": first})["Location"] == "/another-time"
    assert client.post("/another-time", {"another": "yes"})["Location"] == "/choose-time/2"
    second_page = client.get("/choose-time/2").content.decode()
    assert f'value="{first}"' not in second_page  # the first choice is not offered again
    second = first_radio_value(second_page)
    assert client.post("/choose-time/2", {"session": second})["Location"] == "/another-time"
    client.post("/another-time", {"another": "yes"})
    third = first_radio_value(client.get("/choose-time/3").content.decode())
    assert client.post("/choose-time/3", {"session": third})["Location"] == "/contact"
    client.post("/contact", {"updates": ["email"], "email": "dave@example.com"})
    assert "Send request" in client.get("/check").content.decode()
    client.post("/check")
    visit = Visit.objects.get()
    assert visit.state == VisitState.REQUESTED
    assert [str(i) for i in visit.preferences.values_list("session_id", flat=True)] == [first, second, third]
    assert "Request sent" in client.get("/confirmation").content.decode()


def test_prisoner_mismatch_gives_one_message_and_nothing_else(client: Client, at_nine) -> None:  # type: ignore[no-untyped-def]
    client.post("/prison", {"prison": "rochester"})
    for wrong in ({"last_name": "Wrong"}, {"number": "Z9999ZZ"}, {"date_of_birth-day": "13"}):
        data = {
            "first_name": "Ryan",
            "last_name": "Walker",
            "number": "A1001AA",
            **dob("date_of_birth", date(1988, 4, 12)),
            **wrong,
        }
        html = client.post("/prisoner", data).content.decode()
        assert "The prisoner details do not match our records" in html


@pytest.mark.parametrize(
    ("number", "last_name", "born", "reason"),
    [
        ("A1002AA", "Hughes", date(1979, 11, 30), "no-allowance"),
    ],
)
def test_drop_out_pages(client: Client, at_nine, number, last_name, born, reason) -> None:  # type: ignore[no-untyped-def]
    start_to_visitors(client, number, last_name, born)
    add_visitor(client, "Someone", "Adult", date(1980, 1, 1))
    client.post("/visitors", {"add_another": "no"})
    client.post("/support", {})
    response = client.get("/choose-time")
    assert response["Location"] == f"/cannot-book/{reason}"
    page = client.get(response["Location"]).content.decode()
    assert "0300 060 6513" in page


def test_a_lead_visitor_under_18_drops_out(client: Client, at_nine) -> None:  # type: ignore[no-untyped-def]
    start_to_visitors(client)
    response = client.post(
        "/visitors/add", {"first_name": "Kid", "last_name": "Walker", **dob("date_of_birth", date(2012, 1, 1))}
    )
    assert response["Location"] == "/cannot-book/no-adult"


def test_skipping_ahead_goes_back_to_the_first_unanswered_step(client: Client, at_nine) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/check")["Location"] == "/prison"
    client.post("/prison", {"prison": "rochester"})
    assert client.get("/choose-time")["Location"] == "/prisoner"


def test_an_expired_hold_sends_the_visitor_back_to_choose(client: Client, at_nine) -> None:  # type: ignore[no-untyped-def]
    start_to_visitors(client)
    add_visitor(client, "Sophie", "Walker", date(1990, 7, 3))
    client.post("/visitors", {"add_another": "no"})
    client.post("/support", {})
    client.post("/choose-time", {"session": first_radio_value(client.get("/choose-time").content.decode())})
    client.post("/contact", {"updates": ["email"], "email": "sophie@example.com"})
    at_nine.shift(timedelta(minutes=11))
    response = client.get("/check")
    assert response["Location"] == "/choose-time?change=1"
    assert "Your visit time is no longer available. Select a new time." in client.get("/choose-time").content.decode()


def test_manage_cancel_and_change(client: Client, at_nine) -> None:  # type: ignore[no-untyped-def]
    test_instant_booking_end_to_end(client, at_nine)
    from visits.links import manage_token, visit_for_token

    visit = Visit.objects.get()
    token = manage_token(visit)
    page = client.get(f"/visit/{token}").content.decode()
    assert "Change the time" in page and "Cancel visit" in page
    new_session = VisitSession.objects.filter(date__gt=visit.session.date, blocked=False).first()
    assert client.post(f"/visit/{token}/change", {"session": new_session.id})["Location"] == f"/visit/{token}"
    visit.refresh_from_db()
    assert visit.session_id == new_session.id
    found = client.post("/manage", {"reference": visit.reference.upper(), "email": "SOPHIE@example.com"})
    assert visit_for_token(found["Location"].removeprefix("/visit/")) == visit  # a signed link to the same visit
    assert client.post(f"/visit/{token}/cancel", {"reason": "ill"})["Location"] == "/visit-ended"
    visit.refresh_from_db()
    assert visit.state == VisitState.CANCELLED
    ics = client.get(f"/visit/{token}/calendar.ics")
    assert ics.status_code == 404  # cancelled: no calendar entry
    found = client.post("/manage", {"reference": visit.reference.upper(), "email": "SOPHIE@example.com"})
    assert found["Location"] == "/visit-ended"  # the visitor cancelled it: its link has ended
    assert visit_for_token(token) is None


def test_back_at_the_picker_the_held_time_is_chosen_and_can_be_kept(client: Client, at_nine) -> None:  # type: ignore[no-untyped-def]
    start_to_visitors(client)
    add_visitor(client, "Sophie", "Walker", date(1990, 7, 3))
    client.post("/visitors", {"add_another": "no"})
    client.post("/support", {})
    session_id = first_radio_value(client.get("/choose-time").content.decode())
    client.post("/choose-time", {"session": session_id})
    client.post("/contact", {"updates": ["email"], "email": "sophie@example.com"})
    hold = Visit.objects.get(state=VisitState.RESERVED)
    page = client.get("/choose-time?change=1").content.decode()  # the check page's "Change" link
    assert re.search(f'value="{session_id}"[^>]* checked', page)  # the held time, not "Already booked"
    response = client.post("/choose-time?change=1", {"session": session_id, "change": "1"})
    assert response.status_code == 302 and response["Location"] == "/check"
    assert Visit.objects.get(state=VisitState.RESERVED) == hold  # the same hold, kept
