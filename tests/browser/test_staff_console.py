"""The staff console in a real Chromium at 1280 × 900 (staff use desktops), signed in through the real sign-in page.

A booking clerk books for a caller and overbooks a full session; a visits team member approves a request, prints
a visit sheet (print media, a PDF and the CSV) and blocks a date; a visits admin walks every other page; and the
sub-navigation and main forms work with the keyboard alone. ``look`` runs axe on every page (in its normal state
and with its errors shown) at 1280 and at 375 px, and saves a full-page screenshot of each (see staff_helpers).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, time, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.management.commands.sync_roles import sync_roles
from accounts.roles import BOOKING_CLERK, VISITS_ADMIN, VISITS_TEAM
from prisons.models import BlockedDate, Prison, VisitSession
from prisons.nomis.stub.seed import stub_seed
from prisons.services import sessions_generate
from tests.browser.staff_helpers import (
    PASSWORD,
    RESULTS,
    SCREENSHOTS,
    assert_errors,
    banner,
    fill_date,
    find_prisoner,
    focus_is_visible,
    follow,
    go,
    group,
    h1,
    look,
    make_staff,
    path,
    press,
    session_options,
    sign_in,
    subnav,
    tab_to,
    tick_visitors,
)
from tests.factories import make_prisoner
from visits.models import EventType, Visit, VisitFlag, VisitState
from visits.rules import PartyMember
from visits.services import (
    ContactDetails,
    PrisonerDetails,
    visit_book,
    visit_flag,
    visit_reserve,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RYAN_BORN = date(1988, 4, 12)
JASON_BORN = date(1985, 2, 28)


@pytest.fixture
def console(tmp_path: Path, prison_data_dir: Path) -> Prison:
    """Rochester (and Cardiff, so that a clerk can cover two prisons), the NOMIS stub seeded for today (the live
    server runs in real time), Rochester's sessions generated and the staff roles synced."""
    for name in ("RCI-rochester.yml", "CFI-cardiff.yml"):
        (tmp_path / name).write_text((prison_data_dir / name).read_text())
    call_command("import_prisons", str(tmp_path), stdout=StringIO(), stderr=StringIO())
    today = timezone.localdate()
    stub_seed(seed=1, per_prison=3, today=today)
    rochester = Prison.objects.get(slug="rochester")
    sessions_generate(today=today, prisons=[rochester])
    sync_roles()
    return rochester


def a_session(prison: Prison) -> VisitSession:
    """The first weekday afternoon session from two days on (clear of today, whatever the time of day)."""
    return (
        VisitSession.objects.filter(
            prison=prison, date__gte=timezone.localdate() + timedelta(days=2), date__week_day__in=[2, 3, 4, 5, 6]
        )
        .order_by("date", "start_time")
        .first()
    )


def saturday_sessions(prison: Prison) -> list[VisitSession]:
    """The two sessions (9:15am and 2pm) of the first Saturday from tomorrow."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    day = tomorrow + timedelta(days=(5 - tomorrow.weekday()) % 7)
    sessions = list(VisitSession.objects.filter(prison=prison, date=day, blocked=False).order_by("start_time"))
    assert [s.start_time for s in sessions] == [time(9, 15), time(14)], sessions
    return sessions


def book_directly(
    session: VisitSession,
    number: str,
    prisoner: tuple[str, str, str],
    party: list[PartyMember],
    *,
    closed: bool = False,
    support: tuple[list[str], str] = ([], ""),
) -> Visit:
    """A visit booked online (through the services, not the browser): the sheet needs a few to show."""
    first, last, location = prisoner
    details = make_prisoner(number, first_name=first, last_name=last, location=location)
    visit = visit_reserve(
        session=session,
        prisoner=PrisonerDetails(number, first, last, details.date_of_birth, location),
        party=party,
        closed=closed,
    )
    return visit_book(
        visit=visit,
        contact=ContactDetails(email="family@example.com"),
        support_needs=support[0],
        support_details=support[1],
    )


# --- 1. A booking clerk --------------------------------------------------------------------------------------------


def test_a_clerk_books_for_a_caller_then_overbooks_a_full_session(live_server: Any, desktop: Any, console: Any) -> None:
    page, base = desktop, live_server.url
    make_staff("clerk", BOOKING_CLERK, console, Prison.objects.get(slug="cardiff"))
    sign_in(page, base, "clerk")
    assert path(page) == "/staff/" and h1(page) == "Choose a prison"
    look(page, "choose-prison")
    follow(page, "Rochester")
    assert path(page) == "/staff/rochester/" and h1(page).startswith("Today: ")
    look(page, "today")

    follow(page, "Book a visit", subnav(page))
    assert h1(page) == "Book a visit"
    look(page, "book")
    press(page, "Find prisoner")
    assert_errors(
        page, "Enter the prisoner number", "Enter the prisoner's last name", "Enter the prisoner's date of birth"
    )
    look(page, "book-errors")
    find_prisoner(page, "A1001AA", "Smith", RYAN_BORN)
    assert_errors(page, "No prisoner matches these details")
    look(page, "book-not-matched")
    find_prisoner(page, "A1001AA", "Walker", RYAN_BORN)

    assert path(page) == "/staff/rochester/book/details" and h1(page) == "Ryan Walker (A1001AA)"
    look(page, "book-details")
    press(page, "Book visit")
    assert_errors(page, "Select who is visiting", "Select a visit time", "Select how they asked for the visit")
    look(page, "book-details-errors")
    tick_visitors(page, "Sophie Walker", "Lily Walker")
    session = a_session(console)
    assert dict(session_options(page))[session.id].endswith("(20 open places left)")
    page.get_by_label("Visit time").select_option(str(session.id))
    group(page, "How did they ask?").get_by_label("Phone", exact=True).check()
    page.get_by_label("Email address").fill("sophie@example.com")
    press(page, "Book visit")

    first = Visit.objects.get()
    assert path(page) == f"/staff/rochester/visits/{first.reference}"
    assert banner(page).endswith(f"Visit booked: {first.reference}")
    assert (first.state, first.channel, first.booked_by.username, first.overbooked) == (
        VisitState.BOOKED,
        "phone",
        "clerk",
        False,
    )
    assert first.session_id == session.id and first.contact_email == "sophie@example.com"
    assert [v.first_name for v in first.visitors.order_by("position")] == ["Sophie", "Lily"]
    timeline = page.locator(".moj-timeline").inner_text()
    assert "Booked" in timeline and "by Clerk Tester (Phone)" in timeline  # the person, and how the caller asked

    # The session is now full: as many open places as are booked.
    booked = Visit.objects.filter(session=session, closed=False, state=VisitState.BOOKED).count()
    VisitSession.objects.filter(pk=session.id).update(open_capacity=booked)
    follow(page, "Book a visit", subnav(page))
    find_prisoner(page, "A1005AA", "Price", date(1983, 9, 17))
    tick_visitors(page, "Donna Price")
    options = dict(session_options(page))
    assert options[session.id].endswith("(Fully booked)"), options[session.id]
    page.get_by_label("Visit time").select_option(str(session.id))
    group(page, "How did they ask?").get_by_label("In person").check()
    press(page, "Book visit")
    assert_errors(page, "This session is full. Tick overbook and give a reason to book it anyway.")
    look(page, "book-details-full")
    page.get_by_label("Book even if the session is full (overbook)").check()
    press(page, "Book visit")
    assert_errors(page, "Enter why you are overbooking")
    look(page, "book-details-overbook-no-reason")
    page.get_by_label("Why are you overbooking?").fill("Travelling from Scotland; only day she can come")
    press(page, "Book visit")

    second = Visit.objects.exclude(pk=first.pk).get()
    assert path(page) == f"/staff/rochester/visits/{second.reference}"
    assert (second.state, second.channel, second.session_id, second.overbooked) == (
        VisitState.BOOKED,
        "in_person",
        session.id,
        True,
    )
    override = second.events.get(type=EventType.OVERRIDE)
    assert (override.reason, override.data, override.actor.username, override.channel) == (
        "Travelling from Scotland; only day she can come",
        {"rule": "capacity"},
        "clerk",
        "in_person",
    )
    summary = page.locator(".govuk-summary-list").inner_text()
    assert "In person, overbooked" in summary
    timeline = page.locator(".moj-timeline").inner_text()
    assert "Rule overridden by staff" in timeline and "Travelling from Scotland; only day she can come" in timeline
    look(page, "visit")


# --- 2. A visits team member ---------------------------------------------------------------------------------------


def test_the_visits_team_approves_a_request_prints_the_sheet_and_blocks_a_date(
    live_server: Any, desktop: Any, console: Any
) -> None:
    page, base = desktop, live_server.url
    morning, afternoon = saturday_sessions(console)
    day = morning.date
    make_staff("team", VISITS_TEAM, console)
    sign_in(page, base, "team")
    assert path(page) == "/staff/rochester/"  # only one prison: straight to today

    # Jason Edwards's brother is banned: booking him makes a request.
    follow(page, "Book a visit", subnav(page))
    find_prisoner(page, "A1006AA", "Edwards", JASON_BORN)
    tick_visitors(page, "Wayne Edwards")
    page.get_by_label("Visit time").select_option(str(morning.id))
    group(page, "How did they ask?").get_by_label("Phone", exact=True).check()
    page.get_by_label("Email address").fill("wayne@example.com")
    press(page, "Book visit")
    request = Visit.objects.get()
    assert request.state == VisitState.REQUESTED
    assert banner(page).endswith(f"Request created: {request.reference}")

    follow(page, "Requests", subnav(page))
    assert h1(page) == "Requests to process"
    look(page, "requests")
    follow(page, request.reference)
    assert h1(page) == "Jason Edwards (A1006AA)"
    look(page, "request")
    approve, reject = (page.locator("form", has=page.get_by_role("button", name=n)) for n in ("Approve", "Reject"))
    press(page, "Approve and book")
    assert_errors(page, "Select the time you are booking")
    look(page, "request-approve-errors")
    press(page, "Refuse visitor")
    assert_errors(page, "Select the visitor you are refusing", "Select why you are refusing this visitor")
    look(page, "request-refuse-errors")
    reject.get_by_label("The prisoner has no visiting allowance left").check()
    reject.get_by_label("Another reason").check()
    press(page, "Reject request")
    assert_errors(page, "Enter the date the allowance renews", "Enter the other reason")
    look(page, "request-reject-errors")
    approve.get_by_role("radio").first.check()
    press(page, "Approve and book")
    assert path(page) == "/staff/rochester/requests"
    assert "Request approved" in banner(page)
    assert page.get_by_text("No requests are waiting.").is_visible()
    request.refresh_from_db()
    assert (request.state, request.session_id) == (VisitState.BOOKED, morning.id)

    # More visits that day, for the sheet: a wheelchair user, a closed visit, and one in the afternoon.
    book_directly(
        morning,
        "B2001BB",
        ("Tom", "Archer", "B-2-014"),
        [PartyMember("Mary", "Archer", date(1961, 3, 2)), PartyMember("Alfie", "Archer", date(2019, 6, 30))],
        support=(["wheelchair", "other"], "Needs to sit near the door"),
    )
    book_directly(
        morning,
        "B2002BB",
        ("Lee", "Zane", "C-1-003"),
        [PartyMember("Kim", "Zane", date(1995, 12, 1))],
        closed=True,
    )
    book_directly(afternoon, "B2003BB", ("Sam", "Yates", "A-3-021"), [PartyMember("Jo", "Yates", date(1970, 1, 1))])

    go(page, f"{base}/staff/rochester/visits?date={day.isoformat()}")
    assert h1(page).startswith("Visits on Saturday")
    look(page, "visits-by-date")
    go(page, f"{base}/staff/rochester/sheet?date={day.isoformat()}&session={morning.id}")
    assert h1(page) == "Visit sheet"
    look(page, "visit-sheet")
    rows = page.locator(".app-sheet tbody tr")
    assert rows.count() == 3
    sheet = page.locator(".app-sheet").inner_text()
    for text in ("Tom Archer", "B2001BB", "B-2-014", "Mary Archer (65)", "Alfie Archer (7)", "Closed", "Open"):
        assert text in sheet, text
    assert "Jason Edwards" in sheet and "Wayne Edwards (44)" in sheet
    assert page.locator(".app-sheet .app-tick-box").count() == 3

    with page.expect_download() as download:
        page.get_by_role("link", name="Download as CSV").click()
    assert download.value.suggested_filename == f"visits-rochester-{day.isoformat()}.csv"
    table = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert table[0] == [
        "Session",
        "Reference",
        "Prisoner",
        "Prisoner number",
        "Location",
        "Type",
        "Visitors",
        "Support needs",
    ]
    assert {row[3] for row in table[1:]} == {"A1006AA", "B2001BB", "B2002BB"}
    archer = next(row for row in table if row[3] == "B2001BB")
    assert archer[0] == "09:15-10:45" and archer[6] == "Mary Archer (65); Alfie Archer (7)"

    # Printed: the sheet alone, one session a page.
    page.emulate_media(media="print")
    for chrome in (".moj-header", ".moj-sub-navigation", ".app-prison-bar", ".govuk-footer"):
        assert page.locator(chrome).first.is_hidden(), chrome
    assert page.get_by_role("link", name="Download as CSV").is_hidden()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "staff-visit-sheet-print.png"), full_page=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    one = page.pdf(path=str(RESULTS / "staff-visit-sheet-session.pdf"), format="A4", landscape=True)
    assert pdf_pages(one) == 1
    go(page, f"{base}/staff/rochester/sheet?date={day.isoformat()}")
    assert page.locator(".app-sheet").count() == 2
    breaks = page.eval_on_selector_all(".app-sheet", "sheets => sheets.map(s => getComputedStyle(s).breakAfter)")
    assert breaks in (["page", "auto"], ["always", "auto"]), breaks
    whole_day = page.pdf(path=str(RESULTS / "staff-visit-sheet-day.pdf"), format="A4", landscape=True)
    assert pdf_pages(whole_day) == 2  # one page a session
    page.emulate_media(media="screen")

    # Block the day: the visits it would hit are shown first, then flagged.
    follow(page, "Block dates", subnav(page))
    assert h1(page) == "Block a date or session"
    look(page, "blocks")
    press(page, "Continue")
    assert_errors(page, "Enter the date", "Enter a reason", "Select what should happen to visits already booked")
    look(page, "blocks-errors")
    fill_date(group(page, "Date"), day)
    page.get_by_label("Reason").fill("Staff training")
    page.get_by_label("Flag them for review").check()
    press(page, "Continue")
    assert page.get_by_text("4 visits will be affected.").is_visible()
    affected = page.locator("main .govuk-list--bullet").inner_text()
    assert all(v.reference in affected for v in Visit.objects.all())
    assert not BlockedDate.objects.filter(prison=console, date=day).exists()  # nothing yet
    look(page, "blocks-preview")
    press(page, "Confirm and block")
    assert path(page) == "/staff/rochester/blocks"
    assert "Blocked." in banner(page) and "flagged" in banner(page)
    assert BlockedDate.objects.get(prison=console, date=day).reason == "Staff training"
    assert VisitFlag.objects.filter(reason="date_blocked", cleared_at__isnull=True).count() == 4
    assert "Staff training" in page.locator("main").inner_text()
    look(page, "blocks-after")

    follow(page, "Flagged", subnav(page))
    assert h1(page) == "Flagged visits"
    assert page.locator("tbody tr").count() == 4
    look(page, "flagged")


def pdf_pages(pdf: bytes) -> int:
    """Pages in a PDF Chromium printed (its page objects are plain dictionaries)."""
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))


# --- 3. Every other page, as a visits admin ------------------------------------------------------------------------


def test_every_other_staff_page_has_no_axe_violations(live_server: Any, desktop: Any, console: Any) -> None:
    """The pages the first two tests do not reach: sign-in, a visit's forms and timeline, the flagged list emptied,
    the timetable, search, signing out, and the staff 403 and 404 pages (each with its errors where it has a form).
    """
    page, base = desktop, live_server.url
    make_staff("admin", VISITS_ADMIN, console)
    make_staff("clerk", BOOKING_CLERK, console)
    session = a_session(console)
    later = VisitSession.objects.filter(prison=console, date=session.date + timedelta(days=1)).first()
    visit = book_directly(
        session,
        "A1001AA",
        ("Ryan", "Walker", "A-1-013"),
        [PartyMember("Sophie", "Walker", date(1990, 7, 3)), PartyMember("Lily", "Walker", date(2017, 9, 25))],
        support=(["hearing_loop"], ""),
    )
    visit_flag(visit=visit, reason="prisoner_moved", detail="Moved to B wing")
    reference = visit.reference
    visit_url = f"/staff/rochester/visits/{reference}"

    # Signed out, a link to the visit goes to sign in first, and back to the visit after.
    go(page, base + visit_url)
    assert path(page) == "/staff/sign-in?next=" + visit_url
    assert h1(page) == "Sign in"
    look(page, "sign-in")
    press(page, "Sign in")
    assert_errors(page, "Enter your username", "Enter your password")
    look(page, "sign-in-errors")
    sign_in_attempt = page.get_by_label("Username"), page.get_by_label("Password")
    sign_in_attempt[0].fill("admin")
    sign_in_attempt[1].fill("not-the-password")
    press(page, "Sign in")
    assert_errors(page, "Enter a correct username and password")
    look(page, "sign-in-wrong-password")
    sign_in_attempt[1].fill(PASSWORD)
    press(page, "Sign in")
    assert path(page) == visit_url
    assert "Flagged: Prisoner moved. Moved to B wing" in page.locator("main").inner_text()
    look(page, "visit-flagged")

    # Keep the flagged visit, with a reason.
    press(page, "Keep as it is")
    assert h1(page) == "Keep this visit"
    look(page, "visit-keep")
    press(page, "Keep visit")
    assert_errors(page, "Enter why you are keeping this visit")
    look(page, "visit-keep-errors")
    page.get_by_label("Why are you keeping this visit?").fill("Still on the same wing list until Monday")
    press(page, "Keep visit")
    assert path(page) == "/staff/rochester/flagged" and banner(page).endswith("Visit kept")
    assert page.get_by_text("No visits are flagged.").is_visible()
    look(page, "flagged-none")

    # Change its time, record attendance (too early), then cancel it.
    go(page, base + visit_url)
    press(page, "Change time")
    assert h1(page) == "Change the time of this visit"
    look(page, "visit-change")
    press(page, "Change time")
    assert_errors(page, "Select a new time", "Enter a reason for the change")
    look(page, "visit-change-errors")
    page.get_by_label("New time").select_option(str(later.id))
    page.get_by_label("Reason for the change").fill("The prisoner has a hospital appointment")
    press(page, "Change time")
    assert path(page) == visit_url and banner(page).endswith("Visit time changed")
    press(page, "Record attendance")
    assert page.locator("h1").all_inner_texts() == ["Did the visit happen?"]
    look(page, "visit-attendance")
    press(page, "Save")
    assert_errors(page, "Select whether the visit happened")
    look(page, "visit-attendance-errors")
    go(page, base + visit_url)
    press(page, "Cancel visit")
    assert h1(page) == "Cancel this visit"
    look(page, "visit-cancel")
    press(page, "Cancel visit")
    assert_errors(page, "Enter a reason")
    look(page, "visit-cancel-errors")
    page.get_by_label("Reason").fill("The family phoned: they cannot travel")
    press(page, "Cancel visit")
    assert path(page) == visit_url and banner(page).endswith("Visit cancelled")
    visit.refresh_from_db()
    assert (visit.state, visit.session_id) == (VisitState.CANCELLED, later.id)
    timeline = page.locator(".moj-timeline").inner_text()
    for event in ("Cancelled", "Changed", "Flag cleared", "Flagged for review", "Booked"):
        assert event in timeline, event
    assert "The prisoner has a hospital appointment" in timeline and "by Admin Tester" in timeline
    look(page, "visit-timeline")

    # The timetable: the list, adding a session and changing one, with their errors.
    follow(page, "Timetable", subnav(page))
    assert h1(page) == "Weekly timetable"
    look(page, "timetable")
    press(page, "Add a session")
    assert h1(page) == "Add a session"
    look(page, "template-add")
    press(page, "Save")
    assert_errors(page, "Select the day of the week", "Enter the start time", "Enter the end time")
    assert page.locator(".govuk-error-summary__list li").all_inner_texts()[1:] == [
        "Enter the start time",
        "Enter the end time",
    ]
    look(page, "template-add-errors")
    follow(page, "Timetable", subnav(page))
    with page.expect_navigation():
        page.locator("main table").get_by_role("link", name=re.compile(r"^Change ")).first.click()
    assert re.fullmatch(r"/staff/rochester/timetable/\d+", path(page))
    assert h1(page) == "Change a session"
    look(page, "template")
    page.get_by_label("End time").fill("13:00")
    page.get_by_label("Start time").fill("14:00")
    press(page, "Save")
    assert_errors(page, "End time must be after the start time")
    look(page, "template-errors")

    # Search, from the box on every page.
    page.get_by_label("Find a visit").fill("Walker")
    press(page, "Search")
    assert h1(page) == "Search results"
    assert page.get_by_role("link", name=reference).is_visible()
    look(page, "search")

    # Performance figures, from the sub-navigation, for another period chosen with the keyboard-usable radios.
    follow(page, "Figures")
    assert h1(page) == "Performance figures"
    assert "Confirmed straight away" in page.locator("main").inner_text()
    page.get_by_label("Last 12 weeks").check()
    press(page, "Show figures")
    assert "weeks=12" in page.url and page.get_by_label("Last 12 weeks").is_checked()
    look(page, "performance")

    # Sign out: a page that asks, then a button.
    follow(page, "Sign out")
    assert h1(page) == "Sign out"
    look(page, "sign-out")
    press(page, "Sign out")
    assert path(page) == "/staff/sign-in"

    # A booking clerk cannot change the timetable (403), nor see a prison or visit that is not there (404).
    sign_in(page, base, "clerk")
    go(page, base + "/staff/rochester/timetable", status=403)
    assert h1(page) == "You do not have permission to see this page"
    look(page, "403")
    go(page, base + "/staff/cardiff/", status=404)
    assert h1(page) == "Page not found"
    go(page, base + "/staff/rochester/visits/no-such-visit", status=404)
    assert h1(page) == "Page not found"
    look(page, "404")


# --- 4. The keyboard alone -----------------------------------------------------------------------------------------


def test_the_sub_navigation_and_main_forms_work_with_the_keyboard_alone(
    live_server: Any, desktop: Any, console: Any
) -> None:
    page, base = desktop, live_server.url
    make_staff("clerk", BOOKING_CLERK, console)
    session = a_session(console)
    keys = page.keyboard

    go(page, base + "/staff/sign-in")
    tab_to(page, "Username")
    assert focus_is_visible(page)
    keys.type("clerk")
    tab_to(page, "Password")
    keys.type(PASSWORD)
    with page.expect_navigation():
        keys.press("Enter")
    assert path(page) == "/staff/rochester/"

    tab_to(page, "Book a visit")
    assert focus_is_visible(page)
    with page.expect_navigation():
        keys.press("Enter")
    assert path(page) == "/staff/rochester/book"
    tab_to(page, "Prisoner number")
    keys.type("A1001AA")
    tab_to(page, "Prisoner's last name")
    keys.type("Walker")
    for part, value in (("Day", "12"), ("Month", "4"), ("Year", "1988")):
        tab_to(page, part)
        keys.type(value)
    with page.expect_navigation():
        keys.press("Enter")
    assert path(page) == "/staff/rochester/book/details"

    tab_to(page, "Sophie Walker (Wife)")
    keys.press("Space")
    tab_to(page, "Karen Walker (Mother)")
    keys.press("Space")
    tab_to(page, "Visit time")
    index = [i for i, _ in session_options(page)].index(session.id)
    for _ in range(index + 1):  # past "Select a time"
        keys.press("ArrowDown")
    assert page.get_by_label("Visit time").input_value() == str(session.id)
    tab_to(page, "Phone")
    keys.press("Space")
    tab_to(page, "Email address")
    keys.type("sophie@example.com")
    tab_to(page, "Book visit")
    assert focus_is_visible(page)
    with page.expect_navigation():
        keys.press("Enter")
    visit = Visit.objects.get()
    assert path(page) == f"/staff/rochester/visits/{visit.reference}"
    assert (visit.session_id, visit.channel) == (session.id, "phone")
    assert [v.first_name for v in visit.visitors.order_by("position")] == ["Sophie", "Karen"]

    # Cancel it: a link styled as a button (Enter), a text area, and a real button (Space).
    tab_to(page, "Cancel visit")
    with page.expect_navigation():
        keys.press("Enter")
    tab_to(page, "Reason")
    keys.type("Booked by mistake")
    tab_to(page, "Cancel visit")
    with page.expect_navigation():
        keys.press("Space")
    assert banner(page).endswith("Visit cancelled")

    # Search from the box at the top, then open the visit found.
    tab_to(page, "Find a visit")
    assert focus_is_visible(page)
    keys.type("A1001AA")
    with page.expect_navigation():
        keys.press("Enter")
    assert h1(page) == "Search results"
    tab_to(page, visit.reference)
    with page.expect_navigation():
        keys.press("Enter")
    assert path(page) == f"/staff/rochester/visits/{visit.reference}"

    # Every item of the sub-navigation is a tab stop that Enter follows.
    for item in ("Today", "Visits", "Book a visit"):
        tab_to(page, item)
        with page.expect_navigation():
            keys.press("Enter")
        assert subnav(page).locator("[aria-current=page]").inner_text() == item
