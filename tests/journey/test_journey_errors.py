"""Every question of the journey answered wrongly: the exact GOV.UK error message, an error summary whose links
land on the page, a title starting "Error: ", a 200 or 400 (never a 500), and nothing saved for the step."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.test import Client

from prisons.models import Prison, VisitSession
from tests.journey.journey_support import (
    APPROVED_VISITOR,
    VALID_MOBILE,
    add_visitor,
    assert_error_page,
    book_visit,
    booking_answers,
    expect_redirect,
    first_radio_value,
    journey_to,
    manage_path,
    prisoner_data,
    radio_values,
    read_page,
    visitor_data,
)
from visits.models import Visit, VisitEvent, VisitState

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rochester_at_nine")]


# --- The steps and a valid answer to each ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    path: str
    reach: Callable[[Client], None]  # answer the steps before it
    valid: Callable[[Client], dict[str, Any]]  # a complete valid answer, which each case spoils in one way
    next_path: str  # where the valid answer goes
    saves: bool = True  # whether the valid answer is kept in the session (a yes/no that only routes is not)


def _lead_visitor(client: Client) -> None:
    journey_to(client, "visitor-add")


def _other_visitor(client: Client) -> None:
    journey_to(client, "visitors")


def _first_session(client: Client) -> dict[str, Any]:
    return {"session": first_radio_value(client.get("/choose-time").content.decode())}


def _request(client: Client) -> None:
    journey_to(client, "another-time", request=True)


def _second_choice(client: Client) -> None:
    _request(client)
    expect_redirect(client.post("/another-time", {"another": "yes"}), "/choose-time/2")


def _second_session(client: Client) -> dict[str, Any]:
    return {"session": first_radio_value(client.get("/choose-time/2").content.decode())}


STEPS: dict[str, Step] = {
    "prison": Step("/prison", lambda c: None, lambda c: {"prison": "rochester"}, "/prisoner"),
    "prisoner": Step("/prisoner", lambda c: journey_to(c, "prisoner"), lambda c: prisoner_data(), "/visitors"),
    "lead visitor": Step("/visitors/add", _lead_visitor, lambda c: visitor_data(*APPROVED_VISITOR), "/visitors"),
    "other visitor": Step(
        "/visitors/add", _other_visitor, lambda c: visitor_data("Karen", "Walker", date(1962, 2, 19)), "/visitors"
    ),
    "change visitor": Step(
        "/visitors/0/change", _other_visitor, lambda c: visitor_data("Sophia", "Walker", date(1990, 7, 3)), "/visitors"
    ),
    "add another": Step("/visitors", _other_visitor, lambda c: {"add_another": "no"}, "/support", saves=False),
    "support": Step(
        "/support",
        lambda c: journey_to(c, "support"),
        lambda c: {"needs": ["other"], "details": "x" * 200},
        "/choose-time",
    ),
    "choose time": Step("/choose-time", lambda c: journey_to(c, "choose-time"), _first_session, "/contact"),
    "second choice": Step("/choose-time/2", _second_choice, _second_session, "/another-time"),
    "another time": Step("/another-time", _request, lambda c: {"another": "no"}, "/contact", saves=False),
    "contact": Step(
        "/contact",
        lambda c: journey_to(c, "contact"),
        lambda c: {"updates": ["email", "sms"], "email": "sophie@example.com", "phone": VALID_MOBILE},
        "/check",
    ),
}

NUMBER = "Enter a prisoner number in the correct format, like A1234BC"
EMAIL = "Enter an email address in the correct format, like name@example.com"
MOBILE = "Enter a UK mobile number, like 07700 900 982"
EMAIL_254 = "Email address must be 254 characters or less"
FIRST_35, LAST_35 = "First name must be 35 characters or less", "Last name must be 35 characters or less"
HIDDEN_FIRST = "First name must not include hidden characters"
HIDDEN_LAST = "Last name must not include hidden characters"
HIDDEN_DETAILS = "Details must not include hidden characters"
ENTER_FIRST = "Enter the visitor's first name"
DROP = object()  # a key left out of the POST altogether

# (step, case id, changes to the valid answer, message, the summary link's target)
CASES: list[tuple[str, str, dict[str, Any], str, str]] = [
    ("prison", "empty", {"prison": ""}, "Enter or select the prison you are visiting", "#prison"),
    ("prison", "missing", {"prison": DROP}, "Enter or select the prison you are visiting", "#prison"),
    ("prison", "unknown", {"prison": "hogwarts"}, "Select a prison from the list", "#prison"),
    ("prisoner", "first name empty", {"first_name": ""}, "Enter the prisoner's first name", "#first_name"),
    ("prisoner", "first name spaces", {"first_name": "   "}, "Enter the prisoner's first name", "#first_name"),
    ("prisoner", "first name 36", {"first_name": "R" * 36}, FIRST_35, "#first_name"),
    ("prisoner", "last name empty", {"last_name": ""}, "Enter the prisoner's last name", "#last_name"),
    ("prisoner", "last name 36", {"last_name": "W" * 36}, LAST_35, "#last_name"),
    ("prisoner", "number empty", {"number": ""}, "Enter the prisoner number", "#number"),
    ("prisoner", "number digits", {"number": "12345"}, NUMBER, "#number"),
    ("prisoner", "number letters", {"number": "AB1234C"}, NUMBER, "#number"),
    ("prisoner", "number 13", {"number": "A1001AA" * 2}, NUMBER, "#number"),
    ("lead visitor", "first name empty", {"first_name": ""}, "Enter the visitor's first name", "#first_name"),
    ("lead visitor", "first name 36", {"first_name": "S" * 36}, FIRST_35, "#first_name"),
    ("lead visitor", "last name empty", {"last_name": DROP}, "Enter the visitor's last name", "#last_name"),
    ("other visitor", "first name empty", {"first_name": "  "}, "Enter the visitor's first name", "#first_name"),
    ("other visitor", "last name 36", {"last_name": "K" * 36}, LAST_35, "#last_name"),
    ("change visitor", "first name empty", {"first_name": ""}, "Enter the visitor's first name", "#first_name"),
    ("add another", "empty", {"add_another": DROP}, "Select yes if you need to add another visitor", "#add_another"),
    ("support", "other without details", {"details": "  "}, "Tell us what help or support is needed", "#details"),
    ("support", "201 characters", {"details": "x" * 201}, "Details must be 200 characters or less", "#details"),
    ("support", "unknown need", {"needs": ["teleport"]}, "Select the help or support needed", "#needs"),
    # Text that reads differently from what it says, or that cannot be seen at all (issue 13, item 6).
    ("prisoner", "first name bidi", {"first_name": "Ryan\u202e"}, HIDDEN_FIRST, "#first_name"),
    ("prisoner", "last name NUL", {"last_name": "Wal\x00ker"}, HIDDEN_LAST, "#last_name"),
    ("lead visitor", "first name isolate", {"first_name": "\u2066Sophie\u2069"}, HIDDEN_FIRST, "#first_name"),
    ("lead visitor", "first name bell", {"first_name": "Soph\x07ie"}, HIDDEN_FIRST, "#first_name"),
    ("lead visitor", "first name line break", {"first_name": "Sophie\nWalker"}, HIDDEN_FIRST, "#first_name"),
    ("lead visitor", "first name zero width", {"first_name": "So\u200bphie"}, HIDDEN_FIRST, "#first_name"),
    ("other visitor", "first name only joiners", {"first_name": "\u200d\u200c"}, ENTER_FIRST, "#first_name"),
    ("support", "details override", {"details": "Wheelchair \u202eesu"}, HIDDEN_DETAILS, "#details"),
    ("support", "details NUL", {"details": "Wheelchair\x00"}, HIDDEN_DETAILS, "#details"),
    ("choose time", "nothing chosen", {"session": DROP}, "Select a visit time", "#session"),
    ("choose time", "not a number", {"session": "tomorrow"}, "Select a visit time from the list", "#session"),
    ("choose time", "no such session", {"session": "999999"}, "Select a visit time from the list", "#session"),
    ("second choice", "nothing chosen", {"session": ""}, "Select a visit time", "#session"),
    ("second choice", "negative", {"session": "-1"}, "Select a visit time from the list", "#session"),
    ("another time", "empty", {"another": DROP}, "Select yes if you want to choose another time", "#another"),
    ("contact", "nothing ticked", {"updates": DROP}, "Select how you want to get updates about this visit", "#updates"),
    ("contact", "email missing", {"email": ""}, "Enter your email address", "#email"),
    ("contact", "email name@", {"email": "name@"}, EMAIL, "#email"),
    ("contact", "email no at", {"email": "sophie.example.com"}, EMAIL, "#email"),
    ("contact", "email 255", {"email": "a" * 243 + "@example.com"}, EMAIL_254, "#email"),
    ("contact", "mobile missing", {"phone": " "}, "Enter your UK mobile number", "#phone"),
    ("contact", "landline", {"phone": "020 7946 0000"}, MOBILE, "#phone"),
    ("contact", "French mobile", {"phone": "+33 6 12 34 56 78"}, MOBILE, "#phone"),
    ("contact", "too short", {"phone": "07912 345 67"}, MOBILE, "#phone"),
    ("contact", "letters", {"phone": "call me"}, MOBILE, "#phone"),
    ("contact", "21 characters", {"phone": "0" * 21}, MOBILE, "#phone"),
]  # fmt: skip

# Radio and checkbox answers the form never offers (a tampered or stale POST): the message should still be the
# field's GOV.UK one, but these fields set only "required", so the base words one from the question's label.
TAMPERED_CHOICES: list[tuple[str, str, dict[str, Any], str, str]] = [
    ("add another", "maybe", {"add_another": "maybe"}, "Select yes if you need to add another visitor", "#add_another"),
    ("another time", "perhaps", {"another": "perhaps"}, "Select yes if you want to choose another time", "#another"),
    ("contact", "fax", {"updates": ["fax"]}, "Select how you want to get updates about this visit", "#updates"),
]  # fmt: skip

# Date of birth boxes: (case id, day, month, year, message after the noun, the box linked to)
DATE_CASES = [
    ("all empty", "", "", "", "required", "day"),
    ("no month", "12", "", "1988", "must include a month", "month"),
    ("no day or year", "", "4", "", "must include a day and year", "day"),
    ("31 February", "31", "2", "1988", "must be a real date", "day"),
    ("29 February 1989", "29", "2", "1989", "must be a real date", "day"),
    ("day 32", "32", "4", "1988", "must be a real date", "day"),
    ("month 13", "12", "13", "1988", "must be a real date", "month"),
    ("day 0", "0", "4", "1988", "must be a real date", "day"),
    ("year in words", "12", "4", "nineteen", "must be a real date", "year"),
    ("Arabic-Indic digits", "١٢", "4", "1988", "must be a real date", "day"),
    ("year 85", "12", "4", "85", "Year must include 4 numbers", "year"),
    ("year 5 digits", "12", "4", "19888", "Year must include 4 numbers", "year"),
    ("today", "23", "11", "2026", "must be in the past", "day"),
    ("in the future", "1", "1", "2027", "must be in the past", "day"),
]
DATE_STEPS = {
    "prisoner": ("the prisoner's date of birth", "Enter the prisoner's date of birth"),
    "lead visitor": ("the visitor's date of birth", "Enter the visitor's date of birth"),
    "other visitor": ("the visitor's date of birth", "Enter the visitor's date of birth"),
    "change visitor": ("the visitor's date of birth", "Enter the visitor's date of birth"),
}


def _date_case(step: str, day: str, month: str, year: str, ending: str) -> tuple[dict[str, str], str]:
    noun, required = DATE_STEPS[step]
    if ending == "required":
        message = required
    elif ending.startswith("Year"):
        message = ending
    else:
        message = f"{noun[:1].upper()}{noun[1:]} {ending}"
    return {"date_of_birth-day": day, "date_of_birth-month": month, "date_of_birth-year": year}, message


def _post(client: Client, step: Step, changes: dict[str, Any]) -> Any:
    data = {**step.valid(client), **changes}
    return client.post(step.path, {key: value for key, value in data.items() if value is not DROP})


def _assert_refused(client: Client, step_name: str, changes: dict[str, Any], message: str, href: str) -> None:
    step = STEPS[step_name]
    step.reach(client)
    before = booking_answers(client)
    response = _post(client, step, changes)
    assert_error_page(response, message, href=href)
    assert response.status_code == (400 if step.path.startswith("/choose-time") else 200)
    assert booking_answers(client) == before, "an invalid answer changed the saved answers"


@pytest.mark.parametrize("step_name", list(STEPS))
def test_the_valid_answer_each_case_spoils_is_accepted(client: Client, step_name: str) -> None:
    step = STEPS[step_name]
    step.reach(client)
    before = booking_answers(client)
    expect_redirect(_post(client, step, {}), step.next_path)
    assert (booking_answers(client) != before) is step.saves


@pytest.mark.parametrize(
    ("step_name", "changes", "message", "href"),
    [pytest.param(s, c, m, h, id=f"{s}: {i}") for s, i, c, m, h in CASES],
)
def test_a_wrong_answer_gets_its_govuk_message(client: Client, step_name, changes, message, href) -> None:  # type: ignore[no-untyped-def]
    _assert_refused(client, step_name, changes, message, href)


@pytest.mark.parametrize(
    ("step_name", "changes", "message", "href"),
    [pytest.param(s, c, m, h, id=f"{s}: {i}") for s, i, c, m, h in TAMPERED_CHOICES],
)
def test_a_choice_not_offered_gets_the_questions_message(client: Client, step_name, changes, message, href) -> None:  # type: ignore[no-untyped-def]
    _assert_refused(client, step_name, changes, message, href)


@pytest.mark.parametrize("step_name", list(DATE_STEPS))
@pytest.mark.parametrize(
    ("day", "month", "year", "ending", "part"),
    [pytest.param(d, m, y, e, p, id=i) for i, d, m, y, e, p in DATE_CASES],
)
def test_a_wrong_date_of_birth_gets_its_govuk_message(client, step_name, day, month, year, ending, part) -> None:  # type: ignore[no-untyped-def]
    changes, message = _date_case(step_name, day, month, year, ending)
    _assert_refused(client, step_name, changes, message, f"#date_of_birth-{part}")


def test_details_that_do_not_match_nomis_get_one_message_linked_to_the_first_box(client: Client) -> None:
    journey_to(client, "prisoner")
    response = client.post("/prisoner", prisoner_data(last_name="Walkerson-Smythe"))
    message = "The prisoner details do not match our records. Check them and try again."
    assert_error_page(response, message, href="#first_name", inline=False)
    assert booking_answers(client) == {"prison": "rochester"}


# --- The party: limits that depend on the prison and on the visitors already added -------------------------------


def test_a_fourth_visitor_aged_16_is_too_many_adults_at_rochester(client: Client) -> None:
    journey_to(client, "visitors")  # Sophie, 36
    add_visitor(client, "Karen", "Walker", date(1962, 2, 19))
    add_visitor(client, "Tom", "Walker", date(2008, 1, 1))  # 18
    before = booking_answers(client)
    response = client.post("/visitors/add", visitor_data("Jo", "Walker", date(2010, 11, 23)))  # 16 today
    assert_error_page(response, "A visit can have up to 3 people aged 16 or over", href="#date_of_birth-day")
    assert booking_answers(client) == before
    # a day younger, Jo is a child at Rochester and comes along
    expect_redirect(client.post("/visitors/add", visitor_data("Jo", "Walker", date(2010, 11, 24))), "/visitors")


def test_a_seventh_visitor_is_refused(client: Client) -> None:
    journey_to(client, "visitors")
    for first, born in (("Lily", date(2017, 9, 25)), ("Max", date(2019, 1, 1)), ("Amy", date(2020, 2, 2))):
        add_visitor(client, first, "Walker", born)
    add_visitor(client, "Karen", "Walker", date(1962, 2, 19))
    add_visitor(client, "Ben", "Walker", date(2021, 3, 3))
    assert len(booking_answers(client)["visitors"]) == 6
    before = booking_answers(client)
    response = client.post("/visitors/add", visitor_data("Zoe", "Walker", date(2022, 4, 4)))
    assert_error_page(response, "A visit can have up to 6 visitors", href="#date_of_birth-day")
    assert booking_answers(client) == before
    expect_redirect(client.get("/visitors/add"), "/visitors")  # no form for a 7th
    page = client.get("/visitors").content.decode()
    assert "You have added the most visitors a visit can have." in page and 'name="add_another"' not in page


def test_changing_the_lead_visitor_to_a_child_is_refused(client: Client) -> None:
    journey_to(client, "visitors")
    add_visitor(client, "Lily", "Walker", date(2017, 9, 25))
    before = booking_answers(client)
    response = client.post("/visitors/0/change", visitor_data("Lily", "Walker", date(2017, 9, 25)))
    message = "The lead visitor must be 18 or over on the day of the visit"
    assert_error_page(response, message, href="#date_of_birth-day")
    assert booking_answers(client) == before


def test_removing_the_lead_visitor_leaves_a_party_that_cannot_continue(client: Client) -> None:
    journey_to(client, "visitors")
    add_visitor(client, "Lily", "Walker", date(2017, 9, 25))
    expect_redirect(client.post("/visitors/0/remove"), "/visitors")
    message = "The lead visitor must be 18 or over on the day of the visit"
    assert_error_page(client.get("/visitors"), message, href="#visitors-list", inline=False)
    assert_error_page(client.post("/visitors", {"add_another": "no"}), message, href="#visitors-list", inline=False)
    assert "support" not in booking_answers(client)


def test_a_party_over_a_lowered_limit_cannot_continue(client: Client) -> None:
    journey_to(client, "visitors")
    add_visitor(client, "Karen", "Walker", date(1962, 2, 19))
    Prison.objects.filter(slug="rochester").update(max_adults=1)
    response = client.post("/visitors", {"add_another": "no"})
    page = assert_error_page(
        response, "A visit can have up to 1 people aged 16 or over", href="#visitors-list", inline=False
    )
    assert "visitors-list" in page.ids
    assert "support" not in booking_answers(client)
    expect_redirect(client.get("/support"), "/visitors")


# --- Choosing a time: the picker's own URLs ----------------------------------------------------------------------


def test_an_old_or_blocked_session_cannot_be_chosen(client: Client) -> None:
    journey_to(client, "choose-time")
    today = VisitSession.objects.get(date=date(2026, 11, 23))  # before the window opens
    blocked = VisitSession.objects.filter(date=date(2026, 12, 1)).first()
    blocked.blocked = True
    blocked.save()
    for session in (today, blocked):
        before = booking_answers(client)
        response = client.post("/choose-time", {"session": str(session.pk)})
        assert_error_page(response, "Select a visit time from the list", href="#session")
        assert response.status_code == 400 and booking_answers(client) == before
    assert not Visit.objects.exists()


@pytest.mark.parametrize("where", ["change a booked visit, every other time blocked", "filters that match nothing"])
def test_choosing_nothing_when_nothing_is_offered_links_to_the_page(client: Client, where: str) -> None:
    if where.startswith("change"):
        visit = book_visit(client)
        VisitSession.objects.exclude(pk=visit.session_id).update(blocked=True)
        path = manage_path(visit, "/change")
    else:
        journey_to(client, "choose-time")
        path = "/choose-time?days=weekdays&times=morning"  # Rochester's only mornings are on Saturdays
    assert 'type="radio"' not in client.get(path).content.decode()
    response = client.post(path, {})
    assert response.status_code == 400
    assert_error_page(response, "Select a visit time")


def test_the_picker_for_rank_0_is_not_a_server_error(client: Client) -> None:
    journey_to(client, "choose-time")
    assert client.get("/choose-time/0").status_code in (302, 404)


def test_a_fourth_choice_cannot_break_the_request(client: Client) -> None:
    journey_to(client, "another-time", request=True)
    offered = radio_values(client.get("/choose-time/2").content.decode())
    for rank, session_id in zip((2, 3, 4), offered[:3], strict=True):
        client.post(f"/choose-time/{rank}", {"session": session_id})
    client.post("/contact", {"updates": ["email"], "email": "dave@example.com"})
    response = client.post("/check")  # the test client raises the view's exception: a 500 fails here
    assert response.status_code in (200, 302, 400)


# --- Contact: what is kept ----------------------------------------------------------------------------------------


def test_contact_keeps_only_the_ticked_ways_and_normalises_them(client: Client) -> None:
    journey_to(client, "contact")
    data = {"updates": ["sms"], "email": "name@", "phone": "+44 7912 345678"}
    response = client.post("/contact", data)
    assert_error_page(response, "Enter an email address in the correct format, like name@example.com", href="#email")
    expect_redirect(client.post("/contact", {**data, "email": ""}), "/check")
    assert booking_answers(client)["contact"] == {"updates": ["sms"], "email": "", "phone": "+447912345678"}


# --- Managing a visit: find it, cancel it, change its time -------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        pytest.param(
            {},
            [("#reference", "Enter your booking reference"), ("#email", "Enter the email address you booked with")],
            id="empty",
        ),
        pytest.param(
            {"reference": "bc-df-gh", "email": "sophie@example.com"},
            [("#reference", "Enter a booking reference in the correct format, like bc-df-gh-jk")],
            id="reference short",
        ),
        pytest.param(
            {"reference": "12-34-56-78", "email": "sophie@example.com"},
            [("#reference", "Enter a booking reference in the correct format, like bc-df-gh-jk")],
            id="reference digits",
        ),
        pytest.param(
            {"reference": "bc-df-gh-jk-" * 2, "email": "sophie@example.com"},
            [("#reference", "Booking reference must be 20 characters or less")],
            id="reference 24",
        ),
        pytest.param(
            {"reference": "bc-df-gh-jk", "email": "a" * 255},
            [("#email", "Email address must be 254 characters or less")],
            id="email 255",
        ),
        pytest.param(
            {"reference": "bc-df-gh-jk", "email": "name@"},
            [("#email", "Enter an email address in the correct format, like name@example.com")],
            id="email name@",
        ),
        pytest.param(
            {"reference": "bc-df-gh-jk", "email": "nobody@example.com"},
            [("#reference", "We could not find a visit with that reference and email address")],
            id="not found",
        ),
    ],
)
def test_find_your_visit_errors(client: Client, data, errors) -> None:  # type: ignore[no-untyped-def]
    book_visit(Client())
    response = client.post("/manage", data)
    for href, message in errors:
        assert_error_page(response, message, href=href, inline="could not find" not in message)
    assert len(read_page(response.content.decode()).summary) == len(errors)


def test_find_your_visit_accepts_the_reference_in_any_form(client: Client) -> None:
    visit = book_visit(Client())
    reference = visit.reference.upper().replace("-", " ")
    response = client.post("/manage", {"reference": reference, "email": " SOPHIE@example.com "})
    expect_redirect(response, manage_path(visit))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param({}, "Select why you are cancelling this visit", id="empty"),
        pytest.param(
            {"reason": "bored"},
            "Select why you are cancelling this visit",
            id="not offered",
        ),
    ],
)
def test_cancel_needs_a_reason(client: Client, data, message) -> None:  # type: ignore[no-untyped-def]
    visit = book_visit(client)
    events = VisitEvent.objects.filter(visit=visit).count()
    response = client.post(manage_path(visit, "/cancel"), data)
    assert_error_page(response, message, href="#reason")
    visit.refresh_from_db()
    assert visit.state == VisitState.BOOKED and VisitEvent.objects.filter(visit=visit).count() == events


@pytest.mark.parametrize(
    ("session", "message"),
    [
        pytest.param(None, "Select a visit time", id="nothing chosen"),
        pytest.param("current", "Select a visit time from the list", id="the same time"),
        pytest.param("abc", "Select a visit time from the list", id="not a number"),
    ],
)
def test_change_time_errors(client: Client, session, message) -> None:  # type: ignore[no-untyped-def]
    visit = book_visit(client)
    booked_in = visit.session_id
    value = str(booked_in) if session == "current" else session
    response = client.post(manage_path(visit, "/change"), {} if value is None else {"session": value})
    assert response.status_code == 400
    assert_error_page(response, message, href="#session")
    visit.refresh_from_db()
    assert visit.session_id == booked_in and visit.state == VisitState.BOOKED


def test_dates_of_birth_accept_spaces_and_month_names(client: Client) -> None:
    journey_to(client, "visitor-add")
    data = visitor_data(*APPROVED_VISITOR)
    data |= {"date_of_birth-day": " 3 ", "date_of_birth-month": "Jul", "date_of_birth-year": " 1990"}
    expect_redirect(client.post("/visitors/add", data), "/visitors")
    assert booking_answers(client)["visitors"][0]["date_of_birth"] == "1990-07-03"
