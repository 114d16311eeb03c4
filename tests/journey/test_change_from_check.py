"""Changing an answer from check your answers comes back to check your answers with the other answers kept,
re-asking only what the change invalidates, and saying why (issue 15, items 1 and 2)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.journey.journey_support import (
    expect_redirect,
    first_radio_value,
    journey_to,
    radio_values,
    visitor_data,
)
from visits.models import Visit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rochester_at_nine")]
AGAIN = "You changed who is visiting or the prisoner&#39;s details, so the time you chose was let go."
APPROVAL = "The prison must now approve this visit, because of who is visiting, so the time you chose was let go."


def answers(client: Client) -> dict:  # type: ignore[type-arg]
    return dict(client.session["booking"])


def test_changing_visitors_from_check_comes_back_to_check_keeping_the_time_while_the_party_fits(client: Client) -> None:
    """Issue 26, item 8: "Change" beside the visitors on the check page carries the change marker, like the others;
    adding a visitor comes straight back to check, and the time is kept while the new party still fits it."""
    from datetime import date

    journey_to(client, "check")
    before = answers(client)
    check = client.get("/check").content.decode()
    assert 'href="/visitors?change=1"' in check
    page = client.get("/visitors?change=1").content.decode()
    assert 'href="/visitors/0/change?change=1"' in page  # the change is carried through the section
    expect_redirect(
        client.post(
            "/visitors/0/change?change=1", visitor_data("Sophie", "Walker", date(1990, 7, 3), first_name="Sophie")
        ),
        "/visitors?change=1",
    )
    # Nothing changed: the time is kept and the visitor goes straight back.
    expect_redirect(client.post("/visitors?change=1", {"add_another": "no"}), "/check")
    assert answers(client)["hold_visit_id"] == before["hold_visit_id"]
    # Another visitor on the prisoner's approved list: the visit is still booked at once, so the time is kept.
    expect_redirect(client.post("/visitors?change=1", {"add_another": "yes"}), "/visitors/add?change=1")
    expect_redirect(
        client.post("/visitors/add?change=1", visitor_data("Karen", "Walker", date(1962, 2, 19))), "/visitors?change=1"
    )
    expect_redirect(client.post("/visitors?change=1", {"add_another": "no"}), "/check")
    after = answers(client)
    assert after["hold_visit_id"] == before["hold_visit_id"]
    assert after["support"] == before["support"] and after["contact"] == before["contact"]
    assert [v["first_name"] for v in after["visitors"]] == ["Sophie", "Karen"]
    check = client.get("/check")
    assert check.status_code == 200 and "Karen Walker" in check.content.decode()
    hold = Visit.objects.get(pk=after["hold_visit_id"])
    assert [v.first_name for v in hold.visitors.order_by("position")] == ["Sophie", "Karen"]  # the hold's party too
    assert hold.visitors.get(first_name="Karen").nomis_contact_id is not None


def test_a_visitor_the_prison_must_approve_asks_the_time_again_saying_why(client: Client) -> None:
    from datetime import date

    journey_to(client, "check")
    before = answers(client)
    client.post("/visitors/add?change=1", visitor_data("Dave", "Stranger", date(1980, 1, 1)))
    expect_redirect(client.post("/visitors?change=1", {"add_another": "no"}), "/check")
    assert client.get("/check")["Location"] == "/choose-time?change=1"  # the time, and only the time, is asked again
    picker = client.get("/choose-time?change=1").content.decode()
    assert APPROVAL in picker
    expect_redirect(client.post("/choose-time?change=1", {"session": first_radio_value(picker)}), "/check")
    after = answers(client)
    assert after["outcome"] == "request" and after["hold_visit_id"] != before["hold_visit_id"]
    assert after["support"] == before["support"] and after["contact"] == before["contact"]
    assert client.get("/check").status_code == 200


def test_removing_the_only_adult_lets_the_time_go(client: Client) -> None:
    from datetime import date

    journey_to(client, "check")
    client.post("/visitors/add?change=1", visitor_data("Lily", "Walker", date(2017, 9, 25)))
    held = answers(client)["hold_visit_id"]
    client.post("/visitors/0/remove?change=1")  # Sophie goes: Lily, 9, cannot visit alone
    assert answers(client).get("hold_visit_id") is None
    assert Visit.objects.get(pk=held).state == "expired"


def test_changing_the_prisoner_keeps_the_visitors_support_and_contact(client: Client) -> None:
    from tests.journey.journey_support import prisoner_data

    journey_to(client, "check")
    before = answers(client)
    expect_redirect(client.post("/prisoner?change=1", prisoner_data(first_name="Ryan")), "/check")
    assert client.get("/check").status_code == 200  # the same prisoner: nothing to ask again
    assert answers(client)["hold_visit_id"] == before["hold_visit_id"]


def test_changing_a_requests_first_choice_keeps_its_other_choices(client: Client) -> None:
    journey_to(client, "another-time", request=True)
    expect_redirect(client.post("/another-time", {"another": "yes"}), "/choose-time/2")
    second = first_radio_value(client.get("/choose-time/2").content.decode())
    expect_redirect(client.post("/choose-time/2", {"session": second}), "/another-time")
    expect_redirect(client.post("/another-time", {"another": "yes"}), "/choose-time/3")
    third = radio_values(client.get("/choose-time/3").content.decode())[1]
    expect_redirect(client.post("/choose-time/3", {"session": third}), "/contact")
    expect_redirect(client.post("/contact", {"updates": ["email"], "email": "dave@example.com"}), "/check")
    held = answers(client)["hold_visit_id"]
    picker = client.get("/choose-time?change=1").content.decode()
    new_first = [v for v in radio_values(picker) if v not in (second, third)][-1]
    expect_redirect(client.post("/choose-time?change=1", {"session": new_first}), "/check")
    after = answers(client)
    assert after["hold_visit_id"] != held
    assert [str(p) for p in after["preferences"]] == [second, third]  # the 2nd and 3rd choices stay, in order
