"""Changing an answer from check your answers comes back to check your answers with the other answers kept,
re-asking only what the change invalidates, and saying why (issue 15, items 1 and 2)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.visits.journey_support import (
    expect_redirect,
    first_radio_value,
    journey_to,
    radio_values,
    visitor_data,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rochester_at_nine")]
AGAIN = "You changed who is visiting or the prisoner&#39;s details, so the time you chose was let go."


def answers(client: Client) -> dict:  # type: ignore[type-arg]
    return dict(client.session["booking"])


def test_changing_a_visitor_comes_back_to_check_asking_only_the_time_again(client: Client) -> None:
    from datetime import date

    journey_to(client, "check")
    before = answers(client)
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
    # A real change: another visitor added.
    expect_redirect(client.post("/visitors?change=1", {"add_another": "yes"}), "/visitors/add?change=1")
    expect_redirect(
        client.post("/visitors/add?change=1", visitor_data("Karen", "Walker", date(1962, 2, 19))), "/visitors?change=1"
    )
    expect_redirect(client.post("/visitors?change=1", {"add_another": "no"}), "/check")
    response = client.get("/check")
    assert response["Location"] == "/choose-time?change=1"  # the time, and only the time, is asked again
    picker = client.get("/choose-time?change=1").content.decode()
    assert AGAIN in picker
    expect_redirect(client.post("/choose-time?change=1", {"session": first_radio_value(picker)}), "/check")
    after = answers(client)
    assert after["support"] == before["support"] and after["contact"] == before["contact"]
    assert [v["first_name"] for v in after["visitors"]] == ["Sophie", "Karen"]
    assert client.get("/check").status_code == 200


def test_changing_the_prisoner_keeps_the_visitors_support_and_contact(client: Client) -> None:
    from tests.visits.journey_support import prisoner_data

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
