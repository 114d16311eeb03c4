"""The public booking journey in a real Chromium at 375 × 812: with JavaScript, without it and by keyboard alone,
a request with three preferences, the date picker's filters and every drop-out page. axe checks every page, in its
normal state and with its errors shown; the tests save a screenshot of each (see journey_helpers)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from prisons.models import VisitSession
from tests.browser.journey_helpers import (
    CHILD,
    DANIEL,
    DAVE,
    ELAINE,
    EMMA,
    KAREN,
    LILY,
    ROCHESTER_PHONE,
    RYAN,
    SOPHIE,
    STEPHEN,
    add_party,
    answer,
    assert_errors,
    choose_prison,
    enter_prisoner,
    enter_visitor,
    focus_is_visible,
    follow_link,
    give_email,
    h1,
    is_focused,
    journey_to_time,
    look,
    overflowing,
    path,
    pick_time,
    picker_days,
    press_button,
    press_enter,
    shoot,
    start_journey,
    tab_to,
)
from visits.models import OutboxMessage, Visit, VisitState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_instant_booking_end_to_end_with_javascript(live_server: Any, page: Any, rochester: Any) -> None:
    base = live_server.url
    page.goto(base + "/")
    assert h1(page) == "Book a visit to someone in prison"
    look(page, "journey-01-start")
    press_button(page, "Start now")

    assert path(page) == "/prison"
    look(page, "journey-02-prison")
    press_button(page)
    assert_errors(page, "Enter or select the prison you are visiting")
    look(page, "journey-02-prison-error")
    page.get_by_role("combobox", name="Which prison are you visiting?").fill("R")
    expect(page.get_by_role("option", name="Risley", exact=True)).to_be_visible()
    look(page, "journey-02-prison-autocomplete")
    choose_prison(page, "Rochester")
    press_button(page)

    assert path(page) == "/prisoner" and h1(page) == "Who are you visiting?"
    look(page, "journey-03-prisoner")
    press_button(page)
    assert_errors(
        page,
        "Enter the prisoner's first name",
        "Enter the prisoner's last name",
        "Enter the prisoner's date of birth",
        "Enter the prisoner number",
    )
    look(page, "journey-03-prisoner-error")
    enter_prisoner(page, RYAN)
    page.get_by_label("Last name").fill("Smith")
    press_button(page)
    assert_errors(page, "The prisoner details do not match our records")
    look(page, "journey-03-prisoner-not-matched")
    page.get_by_label("Last name").fill("Walker")
    press_button(page)

    assert path(page) == "/visitors/add" and h1(page) == "Lead visitor"
    look(page, "journey-04-lead-visitor")
    press_button(page)
    assert_errors(page, "Enter the visitor's first name", "Enter the visitor's date of birth")
    look(page, "journey-04-lead-visitor-error")
    enter_visitor(page, SOPHIE)
    press_button(page)

    assert path(page) == "/visitors" and h1(page) == "You have added 1 visitor"
    look(page, "journey-05-visitors")
    press_button(page)
    assert_errors(page, "Select yes if you need to add another visitor")
    look(page, "journey-05-visitors-error")
    answer(page, "Yes")
    assert path(page) == "/visitors/add" and h1(page) == "Add another visitor"
    look(page, "journey-06-another-visitor")
    enter_visitor(page, LILY)
    press_button(page)
    assert h1(page) == "You have added 2 visitors"
    assert "Lily Walker" in page.locator(".govuk-summary-list").inner_text()
    look(page, "journey-06-visitors-two")
    answer(page, "No")

    assert path(page) == "/support"
    look(page, "journey-07-support")
    page.get_by_label("Something else").check()
    press_button(page)
    assert_errors(page, "Tell us what help or support is needed")
    look(page, "journey-07-support-error")
    page.get_by_label("Something else").uncheck()
    page.get_by_label("Wheelchair access").check()
    press_button(page)

    assert path(page) == "/choose-time" and h1(page) == "Choose a time"
    assert "Week starting" in page.locator(".app-picker").inner_text()
    look(page, "journey-08-choose-time")
    press_button(page)
    assert_errors(page, "Select a visit time")
    assert picker_days(page).first.get_attribute("open") is not None  # the error's day is open
    look(page, "journey-08-choose-time-error")
    session_id = pick_time(page, day=1)
    look(page, "journey-08-choose-time-chosen")
    press_button(page)

    hold = Visit.objects.get()
    assert hold.state == VisitState.RESERVED and hold.session_id == session_id
    assert path(page) == "/contact"
    look(page, "journey-09-contact")
    press_button(page)
    assert_errors(page, "Select how you want to get updates about this visit")
    look(page, "journey-09-contact-error")
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("Email address").fill("not an email")
    press_button(page)
    assert_errors(page, "Enter an email address in the correct format, like name@example.com")
    give_email(page, "sophie@example.com")
    press_button(page)

    assert path(page) == "/check" and h1(page) == "Check your booking details"
    details = page.locator("main").inner_text()
    session = VisitSession.objects.get(pk=session_id)
    for expected in ("Rochester", "Ryan Walker", "A1001AA", "Sophie Walker", "Lily Walker", "Wheelchair access"):
        assert expected in details, expected
    assert f"{session.date.day} {session.date:%B %Y}" in details
    assert "sophie@example.com" in details
    look(page, "journey-10-check")
    press_button(page, "Book visit")

    visit = Visit.objects.get()
    assert visit.state == VisitState.BOOKED and visit.session_id == session_id
    assert [v.nomis_contact_id for v in visit.visitors.all()] == [100101, 100103]
    assert visit.support_needs == ["wheelchair"] and visit.contact_email == "sophie@example.com"
    assert OutboxMessage.objects.filter(visit=visit, kind="booked").count() == 1
    assert path(page) == "/confirmation"
    assert page.locator(".govuk-panel__title").inner_text().strip() == "Visit booked"
    assert visit.reference in page.locator(".govuk-panel").inner_text()
    assert "Add this visit to your calendar" in page.locator("main").inner_text()
    look(page, "journey-11-confirmation")


def test_a_visitor_not_on_the_list_sends_a_request_with_three_times(
    live_server: Any, page: Any, rochester: Any
) -> None:
    journey_to_time(page, live_server.url, RYAN, DAVE)

    assert path(page) == "/choose-time"
    inset = page.locator(".govuk-inset-text").inner_text()
    assert "You can choose up to 3 times, in order of preference" in inset
    look(page, "request-08-choose-time")
    first = pick_time(page, day=0)
    press_button(page)

    assert path(page) == "/another-time"
    assert "You have chosen 1 time." in page.locator("main").inner_text()
    look(page, "request-09-another-time")
    press_button(page)
    assert_errors(page, "Select yes if you want to choose another time")
    look(page, "request-09-another-time-error")
    answer(page, "Yes")

    assert path(page) == "/choose-time/2" and h1(page) == "Choose your second choice"
    assert page.locator(f"input[name=session][value='{first}']").count() == 0  # not offered twice
    look(page, "request-10-choose-time-2")
    press_button(page)
    assert_errors(page, "Select a visit time")
    look(page, "request-10-choose-time-2-error")
    second = pick_time(page, day=2)
    press_button(page)

    assert path(page) == "/another-time"
    assert "You have chosen 2 times." in page.locator("main").inner_text()
    look(page)
    answer(page, "Yes")
    assert path(page) == "/choose-time/3" and h1(page) == "Choose your third choice"
    look(page, "request-11-choose-time-3")
    third = pick_time(page, day=4)
    press_button(page)

    assert path(page) == "/contact"
    look(page)
    give_email(page, "dave@example.com")
    press_button(page)

    assert path(page) == "/check"
    times = page.locator(".govuk-summary-list__row", has_text="Times, in order of preference")
    assert times.locator("li").count() == 3
    sessions = [VisitSession.objects.get(pk=pk) for pk in (first, second, third)]
    for item, session in zip(times.locator("li").all(), sessions, strict=True):
        assert f"{session.date.day} {session.date:%B %Y}" in item.inner_text()
    assert "Now send your request" in page.locator("main").inner_text()
    look(page, "request-12-check")
    press_button(page, "Send request")

    visit = Visit.objects.get()
    assert visit.state == VisitState.REQUESTED and visit.session_id == first
    assert list(visit.preferences.order_by("rank").values_list("rank", "session_id")) == [
        (1, first),
        (2, second),
        (3, third),
    ]
    assert path(page) == "/confirmation"
    assert page.locator(".govuk-panel__title").inner_text().strip() == "Request sent"
    assert visit.reference in page.locator(".govuk-panel").inner_text()
    assert "within 3 working days" in page.locator("main").inner_text()
    look(page, "request-13-confirmation")


def test_the_date_picker_fits_a_phone_without_scrolling_sideways(live_server: Any, page: Any, rochester: Any) -> None:
    journey_to_time(page, live_server.url, RYAN, SOPHIE)
    look(page)
    for day in picker_days(page).all():
        day.locator("summary").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert overflowing(page, known="") == []


# --- Drop-out pages, each reached the way a visitor would reach it ----------------------------------------------------


def assert_drop_out(page: Any, reason: str, title: str, *says: str) -> None:
    assert path(page) == f"/cannot-book/{reason}"
    assert h1(page) == title
    text = page.locator("main").inner_text()
    for expected in ("What you can do", "Go back to the start", *says):
        assert expected in text, (expected, text)
    look(page, f"drop-out-{reason}")


def test_no_visiting_orders_left_says_when_the_allowance_renews(live_server: Any, page: Any, rochester: Any) -> None:
    journey_to_time(page, live_server.url, DANIEL, EMMA)
    renews = timezone.localdate() + timedelta(days=10)  # the stub renews A1002AA's orders 10 days after seeding
    assert_drop_out(
        page,
        "no-allowance",
        "The prisoner has no visits left",
        f"Their allowance renews on {renews:%A} {renews.day} {renews:%B %Y}. You can book a visit from then.",
        f"Phone Rochester on {ROCHESTER_PHONE}",
    )
    assert Visit.objects.count() == 0


@pytest.mark.parametrize(
    ("event", "options", "title"),
    [
        ("moved", ["--to-prison", "CFI"], "The prisoner is not at this prison"),
        ("released", [], "You cannot book a visit with this prisoner"),
    ],
)
def test_a_prisoner_who_has_moved_or_been_released(
    live_server: Any, page: Any, rochester: Any, event: str, options: list[str], title: str
) -> None:
    call_command("nomis_event", event, RYAN.number, *options, stdout=StringIO())
    start_journey(page, live_server.url, RYAN)
    assert_drop_out(page, event, title, f"Phone Rochester on {ROCHESTER_PHONE}")


def test_a_prison_that_does_not_take_online_bookings(live_server: Any, page: Any, rochester: Any) -> None:
    # No step of the journey leads here (the prison list only offers prisons taking online bookings, and a stale
    # answer sends the visitor back to choose), so the page is visited directly, as from an old bookmark.
    page.goto(live_server.url + "/prison")
    look(page)
    assert page.locator("select#prison option", has_text="Hull").count() == 0
    page.goto(live_server.url + "/cannot-book/not-online")
    assert_drop_out(
        page,
        "not-online",
        "You cannot book visits to this prison online",
        "Phone the prison to ask about visits.",
    )


def test_a_lead_visitor_under_18(live_server: Any, page: Any, rochester: Any) -> None:
    start_journey(page, live_server.url, RYAN)
    look(page)
    enter_visitor(page, CHILD)
    press_button(page)
    assert_drop_out(page, "no-adult", "Someone aged 18 or over must book the visit", "Ask an adult who is coming")


def test_nothing_bookable_in_the_window(live_server: Any, page: Any, rochester: Any) -> None:
    assert VisitSession.objects.filter(prison=rochester).update(blocked=True) > 0
    journey_to_time(page, live_server.url, RYAN, SOPHIE)
    assert_drop_out(
        page,
        "nothing-bookable",
        "There are no visit times you can book online",
        f"Phone Rochester on {ROCHESTER_PHONE}",
    )


def test_a_prisoner_who_cannot_have_visits(live_server: Any, page: Any, rochester: Any) -> None:
    journey_to_time(page, live_server.url, STEPHEN, ELAINE)
    assert_drop_out(
        page,
        "no-visits",
        "The prisoner cannot have visits at the moment",
        f"Phone Rochester on {ROCHESTER_PHONE}",
    )


def test_a_visitor_banned_with_no_end_date(live_server: Any, page: Any, rochester: Any) -> None:
    call_command("nomis_event", "visitor_banned", RYAN.number, "--contact-id", "100102", stdout=StringIO())
    journey_to_time(page, live_server.url, RYAN, SOPHIE, KAREN)
    assert_drop_out(page, "visitor-banned", "One of the visitors cannot visit this prisoner", "Change the visitors")
    follow_link(page, "Change the visitors")
    assert path(page) == "/visitors" and "Karen Walker" in page.locator(".govuk-summary-list").inner_text()
    look(page)


# --- Without JavaScript, by keyboard alone, and the date picker's filters -------------------------------------------


def test_the_whole_booking_without_javascript(live_server: Any, page_without_js: Any, rochester: Any) -> None:
    page = page_without_js
    page.goto(live_server.url + "/")
    look(page)
    press_button(page, "Start now")
    assert page.locator("select#prison").is_visible()  # the plain select, not the autocomplete
    assert page.get_by_role("combobox", name="Which prison are you visiting?").evaluate("e => e.tagName") == "SELECT"
    look(page, "nojs-02-prison")
    choose_prison(page, "Rochester", js=False)
    press_button(page)
    look(page)
    enter_prisoner(page, RYAN)
    press_button(page)
    add_party(page, SOPHIE)
    look(page)
    press_button(page)

    assert path(page) == "/choose-time"
    assert picker_days(page).count() > 7
    assert page.locator("details.app-picker__day[open]").count() == 0
    look(page, "nojs-08-choose-time")
    press_button(page)
    assert_errors(page, "Select a visit time")
    # Without JavaScript the server opens the first day, where the error summary's link leads.
    assert page.locator("details.app-picker__day[open]").count() == 1
    assert picker_days(page).first.get_attribute("open") is not None
    assert page.locator("#session").is_visible()
    look(page, "nojs-08-choose-time-error")
    session_id = pick_time(page, day=3)  # the summary opens its <details> natively
    look(page, "nojs-08-choose-time-chosen")
    press_button(page)

    assert path(page) == "/contact"
    look(page)
    give_email(page, "sophie@example.com")
    press_button(page)
    assert path(page) == "/check"
    look(page)
    press_button(page, "Book visit")

    visit = Visit.objects.get()
    assert visit.state == VisitState.BOOKED and visit.session_id == session_id
    assert path(page) == "/confirmation" and visit.reference in page.locator(".govuk-panel").inner_text()
    assert not page.get_by_text("Print this page").is_visible()  # a JavaScript-only link stays hidden
    look(page, "nojs-11-confirmation")


def test_the_whole_booking_by_keyboard_alone(live_server: Any, page: Any, rochester: Any) -> None:
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.locator(".govuk-skip-link")
    assert is_focused(skip) and focus_is_visible(page) and skip.bounding_box()["height"] > 10
    look(page)
    tab_to(page, page.get_by_role("button", name="Start now"))
    press_enter(page)

    assert path(page) == "/prison"
    look(page)
    combobox = page.get_by_role("combobox", name="Which prison are you visiting?")
    tab_to(page, combobox)
    page.keyboard.type("Roch")
    expect(page.get_by_role("option", name="Rochester", exact=True)).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(combobox).to_have_value("Rochester")
    tab_to(page, page.get_by_role("button", name="Continue"))
    press_enter(page)

    assert path(page) == "/prisoner"
    look(page)
    tab_to(page, page.get_by_role("button", name="Continue"))
    press_enter(page)  # nothing entered
    assert_errors(page, "Enter the prisoner's first name")
    assert is_focused(page.locator(".govuk-error-summary"))  # the summary takes the focus, and is read out
    look(page)
    page.keyboard.press("Tab")
    assert is_focused(page.get_by_role("link", name="Enter the prisoner's first name")) and focus_is_visible(page)
    page.keyboard.press("Enter")  # the error's link moves the focus to the field
    first_name = page.get_by_label("First name")
    assert is_focused(first_name) and focus_is_visible(page)
    page.keyboard.type(RYAN.first_name)
    for label, value in (
        ("Last name", RYAN.last_name),
        ("Day", str(RYAN.born.day)),
        ("Month", str(RYAN.born.month)),
        ("Year", str(RYAN.born.year)),
        ("Prisoner number", RYAN.number),
    ):
        tab_to(page, page.get_by_label(label, exact=True), limit=2)  # the next field, in reading order
        page.keyboard.press("Control+A")
        page.keyboard.type(value)
    tab_to(page, page.get_by_role("button", name="Continue"))
    press_enter(page)

    assert path(page) == "/visitors/add"
    look(page)
    tab_to(page, page.get_by_label("First name"))
    page.keyboard.type(SOPHIE.first_name)
    for label, value in (
        ("Last name", SOPHIE.last_name),
        ("Day", str(SOPHIE.born.day)),
        ("Month", str(SOPHIE.born.month)),
        ("Year", str(SOPHIE.born.year)),
    ):
        tab_to(page, page.get_by_label(label, exact=True), limit=2)
        page.keyboard.type(value)
    tab_to(page, page.get_by_role("button", name="Continue"))
    press_enter(page)

    assert path(page) == "/visitors"
    look(page)
    tab_to(page, page.get_by_label("Yes", exact=True))
    page.keyboard.press("ArrowRight")  # within a radio group the arrow keys move and choose
    no = page.get_by_label("No", exact=True)
    assert is_focused(no) and no.is_checked() and focus_is_visible(page)
    tab_to(page, page.get_by_role("button", name="Continue"))
    press_enter(page)

    assert path(page) == "/support"
    look(page)
    tab_to(page, page.get_by_label("Step-free access"))
    page.keyboard.press("Space")
    assert page.get_by_label("Step-free access").is_checked()
    tab_to(page, page.get_by_role("button", name="Continue"))
    press_enter(page)

    assert path(page) == "/choose-time"
    look(page)
    day = picker_days(page).nth(2)
    tab_to(page, day.locator("summary"))
    page.keyboard.press("Enter")
    expect(day).to_have_attribute("open", "")
    radio = day.locator("input[name=session]").first
    tab_to(page, radio, limit=1)  # the day's first time comes straight after its summary
    page.keyboard.press("Space")
    assert radio.is_checked()
    look(page)
    shoot(page, "keyboard-08-choose-time-focus")
    session_id = int(radio.get_attribute("value"))
    tab_to(page, page.get_by_role("button", name="Continue"))
    press_enter(page)

    assert path(page) == "/contact"
    look(page)
    tab_to(page, page.get_by_label("Text message", exact=True))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_label("UK mobile number"))
    page.keyboard.type("07712 345678")
    tab_to(page, page.get_by_role("button", name="Continue"))
    press_enter(page)

    assert path(page) == "/check"
    look(page)
    tab_to(page, page.get_by_role("button", name="Book visit"))
    press_enter(page)

    visit = Visit.objects.get()
    assert visit.state == VisitState.BOOKED and visit.session_id == session_id
    assert visit.support_needs == ["step_free"] and visit.contact_phone == "+447712345678"
    assert path(page) == "/confirmation" and visit.reference in page.locator(".govuk-panel").inner_text()
    look(page)


def day_lines(page: Any) -> list[str]:
    """Each day of the picker as its text: a day's summary, or a day with nothing bookable and why."""
    return [line.inner_text().strip() for line in page.locator(".app-picker .app-picker__day").all()]


def time_labels(page: Any) -> set[str]:
    """Every time on offer, in open days and closed ones."""
    return {text.strip() for text in page.locator(".app-picker .govuk-radios__label").all_text_contents()}


def set_filters(page: Any, *labels: str) -> None:
    for label in ("Weekdays", "Weekends", "Morning (before midday)", "Afternoon and evening"):
        page.get_by_label(label, exact=True).set_checked(label in labels)
    press_button(page, "Show times")


def test_the_date_pickers_filters_without_javascript(live_server: Any, page_without_js: Any, rochester: Any) -> None:
    page = page_without_js
    journey_to_time(page, live_server.url, RYAN, SOPHIE, js=False)
    assert path(page) == "/choose-time"
    look(page)
    filters = page.locator("form.app-picker-filters details")
    assert filters.get_attribute("open") is None
    filters.locator("summary").click()
    look(page, "filters-open")

    set_filters(page, "Weekends", "Morning (before midday)")
    assert "days=weekends" in page.url and "times=morning" in page.url
    assert filters.get_attribute("open") is not None  # the filters stay in view while they are on
    assert page.get_by_label("Weekends", exact=True).is_checked()
    lines = day_lines(page)
    assert lines and all(line.startswith(("Saturday", "Sunday")) for line in lines), lines
    assert {line.split()[0] for line in picker_days(page).all_inner_texts()} == {"Saturday"}
    assert all("No visits at times you can make" in line for line in lines if line.startswith("Sunday"))
    for day in picker_days(page).all():
        day.locator("summary").click()  # every Saturday open, for the screenshot
    assert time_labels(page) == {"9:15am to 10:45am"}  # Rochester's only morning visits are on Saturdays
    look(page, "filters-weekends-morning")

    set_filters(page, "Weekdays", "Afternoon and evening")
    lines = day_lines(page)
    assert lines and not any(line.startswith(("Saturday", "Sunday")) for line in lines), lines
    assert time_labels(page) == {"2pm to 3:45pm"}
    look(page, "filters-weekdays-afternoon")

    set_filters(page, "Weekdays", "Morning (before midday)")
    assert picker_days(page).count() == 0
    assert all("No visits at times you can make" in line for line in day_lines(page))
    look(page, "filters-nothing-matches")

    set_filters(page, "Weekends", "Morning (before midday)")
    session_id = pick_time(page, day=1)
    press_button(page)
    assert path(page) == "/contact"
    look(page)
    session = Visit.objects.get().session
    assert session.id == session_id and session.date.weekday() == 5 and session.start_time.hour == 9
