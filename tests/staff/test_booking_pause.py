"""The maintenance switch: pausing online booking nationally or at one prison stops every step of the journey with
the GOV.UK "service unavailable" page and the prison's phone number, while managing a visit and the staff console
carry on; the environment setting; who may pause; the audit trail; the form's errors; the page in Welsh."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.cache import cache
from django.test import Client

from accounts.maintenance import CACHE_KEY, PauseError, booking_pause, booking_paused, booking_resume
from accounts.management.commands.sync_roles import sync_roles
from accounts.models import BookingPause, PrisonAccess
from accounts.roles import VISITS_ADMIN, VISITS_TEAM
from prisons.models import Prison
from tests.factories import make_prison
from tests.journey.journey_support import book_visit, journey_to, manage_path

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rochester_at_nine")]

UNAVAILABLE = "Sorry, the service is unavailable"
# Every address of the journey after the start page, each reached with its earlier steps answered.
JOURNEY_PAGES = ["/prison", "/prisoner", "/visitors", "/visitors/add", "/support", "/choose-time", "/contact", "/check"]


@pytest.fixture
def rochester() -> Prison:
    sync_roles()
    return Prison.objects.get(slug="rochester")


def staff_user(prison: Prison, role: str = VISITS_ADMIN, name: str = "admin") -> User:
    user = User.objects.create_user(name, password="a-long-test-password", first_name="Ada", last_name="Admin")
    user.groups.set([Group.objects.get(name=role)])
    PrisonAccess.objects.create(user=user, prison=prison)
    return user


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def assert_unavailable(response, *, phone: str | None = "0300 060 6513") -> str:  # type: ignore[no-untyped-def]
    html = response.content.decode()
    assert response.status_code == 503, (response.status_code, html[:2000])
    assert response["Retry-After"] == "3600"
    assert UNAVAILABLE in html
    if phone:
        assert phone in html
        assert 'href="tel:03000606513"' in html
    assert 'href="/manage"' in html
    return html


def test_pausing_a_prison_stops_every_step_of_its_journey(rochester: Prison) -> None:
    client = Client()
    journey_to(client, "check")  # a visitor part-way through, with a time held
    booking_pause(prison=rochester, message="The visits hall is closed for repairs.", user=staff_user(rochester))
    for path in JOURNEY_PAGES[1:]:
        html = assert_unavailable(client.get(path))
        assert "The visits hall is closed for repairs." in html
        assert "You cannot book a visit to Rochester online at the moment." in html
    assert_unavailable(client.post("/check"))  # the final step books nothing
    assert_unavailable(client.post("/prison", {"prison": "rochester"}))  # choosing the prison again says so too
    assert client.get("/").status_code == 200  # the start page and choosing another prison still work
    assert client.get("/prison").status_code == 200


def test_a_pause_at_another_prison_does_not_stop_this_one(rochester: Prison) -> None:
    cardiff = make_prison("cardiff", "CFI")
    booking_pause(prison=cardiff, message="Closed", user=staff_user(cardiff))
    client = Client()
    journey_to(client, "check")
    assert client.get("/check").status_code == 200


def test_pausing_nationally_stops_the_start_page_and_every_step(rochester: Prison) -> None:
    client = Client()
    journey_to(client, "check")
    booking_pause(prison=None, message="We are updating the service.", user=staff_user(rochester))
    for path in ["/", *JOURNEY_PAGES]:
        html = assert_unavailable(client.get(path), phone="0300 060 6513" if path not in ("/", "/prison") else None)
        assert "We are updating the service." in html
    html = assert_unavailable(Client().get("/prison"), phone=None)
    assert "find a prison&#39;s phone number on GOV.UK" in html or "find a prison's phone number on GOV.UK" in html


def test_managing_a_visit_and_the_staff_console_keep_working_while_paused(rochester: Prison) -> None:
    visit = book_visit(Client())
    admin = staff_user(rochester)
    booking_pause(prison=None, message="Paused", user=admin)
    visitor = Client()
    assert visitor.get(manage_path(visit)).status_code == 200
    assert visitor.get(manage_path(visit, "/cancel")).status_code == 200
    assert visitor.get("/manage").status_code == 200
    staff = signed_in(admin)
    assert staff.get("/staff/rochester/").status_code == 200
    assert staff.get(f"/staff/rochester/visits/{visit.reference}").status_code == 200


def test_resuming_opens_the_journey_again(rochester: Prison) -> None:
    admin = staff_user(rochester)
    pause = booking_pause(prison=rochester, message="Paused", user=admin)
    client = Client()
    assert client.post("/prison", {"prison": "rochester"}).status_code == 503
    booking_resume(pause=pause, user=admin)
    assert client.post("/prison", {"prison": "rochester"}).status_code == 302
    with pytest.raises(PauseError):
        booking_resume(pause=pause, user=admin)


def test_the_environment_setting_pauses_nationally_whatever_the_database_says(rochester: Prison, settings) -> None:  # type: ignore[no-untyped-def]
    settings.BOOKING_PAUSED = True
    settings.BOOKING_PAUSED_MESSAGE = "Back at 6pm."
    client = Client()
    html = assert_unavailable(client.get("/prison"), phone=None)
    assert "Back at 6pm." in html
    assert not BookingPause.objects.exists()
    page = signed_in(staff_user(rochester)).get("/staff/rochester/pause-booking").content.decode()
    assert "BOOKING_PAUSED" in page


def test_the_live_pauses_are_read_once_then_from_the_cache(rochester: Prison, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    booking_pause(prison=rochester, message="Paused", user=staff_user(rochester))
    with django_assert_num_queries(1):
        assert booking_paused(rochester) is not None
    with django_assert_num_queries(0):
        assert booking_paused(rochester) is not None
        assert booking_paused(None) is None
    assert cache.get(CACHE_KEY) is not None


def test_one_live_pause_per_scope(rochester: Prison) -> None:
    admin = staff_user(rochester)
    booking_pause(prison=rochester, message="One", user=admin)
    with pytest.raises(PauseError):
        booking_pause(prison=rochester, message="Two", user=admin)
    booking_pause(prison=None, message="National", user=admin)
    with pytest.raises(PauseError):
        booking_pause(prison=None, message="Again", user=admin)


# --- The staff page -------------------------------------------------------------------------------------------------


def test_a_visits_admin_pauses_and_resumes_and_both_are_in_the_history(rochester: Prison) -> None:
    admin = staff_user(rochester)
    staff = signed_in(admin)
    page = staff.get("/staff/rochester/").content.decode()
    assert 'href="/staff/rochester/pause-booking"' in page  # in the prison's navigation
    page = staff.get("/staff/rochester/pause-booking").content.decode()
    assert "Online booking is open at Rochester." in page
    assert 'name="scope"' not in page  # no national pause for a prison's visits admin
    response = staff.post(
        "/staff/rochester/pause-booking",
        {"message": "The hall is closed today.", "message_cy": "Mae'r neuadd ar gau heddiw.", "scope": "national"},
    )
    assert response.status_code == 302
    pause = BookingPause.objects.get()
    assert (pause.prison, pause.paused_by, pause.resumed_at) == (rochester, admin, None)  # scope ignored: no right
    page = staff.get("/staff/rochester/pause-booking").content.decode()
    assert "Online booking is paused at Rochester" in page
    assert "Resume online booking" in page
    assert "Ada Admin" in page
    assert Client().post("/prison", {"prison": "rochester"}).status_code == 503

    assert staff.post("/staff/rochester/pause-booking", {"resume": str(pause.id)}).status_code == 302
    pause.refresh_from_db()
    assert pause.resumed_by == admin and pause.resumed_at is not None
    page = staff.get("/staff/rochester/pause-booking").content.decode()
    assert "Online booking is open at Rochester." in page
    assert "The hall is closed today." in page  # in the history, kept after the lift
    assert Client().post("/prison", {"prison": "rochester"}).status_code == 302


def test_a_superuser_can_pause_every_prison(rochester: Prison) -> None:
    admin = staff_user(rochester)
    admin.is_superuser = True
    admin.save()
    staff = signed_in(admin)
    assert 'name="scope"' in staff.get("/staff/rochester/pause-booking").content.decode()
    staff.post("/staff/rochester/pause-booking", {"message": "Everywhere", "message_cy": "", "scope": "national"})
    assert BookingPause.objects.get().prison is None
    assert Client().get("/").status_code == 503


def test_the_national_permission_can_be_given_to_a_user(rochester: Prison) -> None:
    admin = staff_user(rochester)
    admin.user_permissions.add(Permission.objects.get(codename="pause_booking_nationally"))
    staff = signed_in(admin)
    staff.post("/staff/rochester/pause-booking", {"message": "Everywhere", "scope": "national"})
    assert BookingPause.objects.get().prison is None


def test_a_prisons_admin_cannot_resume_a_national_pause(rochester: Prison) -> None:
    admin = staff_user(rochester)
    pause = booking_pause(prison=None, message="National", user=admin)
    staff = signed_in(admin)
    page = staff.get("/staff/rochester/pause-booking").content.decode()
    assert "Online booking is paused at every prison" in page
    assert "Resume online booking" not in page
    assert staff.post("/staff/rochester/pause-booking", {"resume": str(pause.id)}).status_code == 403
    assert staff.post("/staff/rochester/pause-booking", {"message": "Again"}).status_code == 200  # no second pause
    assert BookingPause.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"message": ""}, "Enter a message for visitors"),
        ({"message": "   "}, "Enter a message for visitors"),
        ({"message": "x" * 501}, "The message for visitors must be 500 characters or less"),
        ({"message": "ok", "message_cy": "x" * 501}, "The message in Welsh must be 500 characters or less"),
    ],
)
def test_bad_input_gets_a_govuk_error(rochester: Prison, data: dict[str, str], error: str) -> None:
    response = signed_in(staff_user(rochester)).post("/staff/rochester/pause-booking", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and error in html
    assert "<title>Error: " in html
    assert not BookingPause.objects.exists()


def test_who_may_pause(rochester: Prison) -> None:
    team = signed_in(staff_user(rochester, VISITS_TEAM, "team"))
    assert team.get("/staff/rochester/pause-booking").status_code == 403
    assert team.post("/staff/rochester/pause-booking", {"message": "No"}).status_code == 403
    assert 'href="/staff/rochester/pause-booking"' not in team.get("/staff/rochester/").content.decode()
    cardiff = make_prison("cardiff", "CFI")
    other = signed_in(staff_user(cardiff, VISITS_ADMIN, "cardiff-admin"))
    assert other.get("/staff/rochester/pause-booking").status_code == 404
    assert other.post("/staff/rochester/pause-booking", {"message": "No"}).status_code == 404
    pause = booking_pause(prison=rochester, message="Rochester's", user=staff_user(rochester))
    assert other.post("/staff/cardiff/pause-booking", {"resume": str(pause.id)}).status_code == 404  # not theirs
    assert other.post("/staff/cardiff/pause-booking", {"resume": "x"}).status_code == 404
    assert Client().get("/staff/rochester/pause-booking").status_code == 302  # signed out: to sign in
    pause.refresh_from_db()
    assert pause.live
    assert BookingPause.objects.count() == 1


# --- Welsh ------------------------------------------------------------------------------------------------------------


def test_the_unavailable_page_in_welsh_shows_the_welsh_message(rochester: Prison) -> None:
    booking_pause(prison=rochester, message="Closed today.", message_cy="Ar gau heddiw.", user=staff_user(rochester))
    client = Client()
    client.post("/i18n/setlang/", {"language": "cy", "next": "/"})
    response = client.post("/prison", {"prison": "rochester"})
    html = response.content.decode()
    assert response.status_code == 503
    assert "Mae'n ddrwg gennym, nid yw'r gwasanaeth ar gael" in html.replace("&#39;", "'")
    assert UNAVAILABLE not in html
    assert "Ar gau heddiw." in html and "Closed today." not in html
    assert "0300 060 6513" in html
