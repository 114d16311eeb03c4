"""Staff sign-in, sign-out and the prisons a user covers."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.test import Client

from accounts.models import PrisonAccess
from prisons.models import Prison

pytestmark = pytest.mark.django_db


@pytest.fixture
def rochester_staff() -> User:
    user = User.objects.create_user("robin", password="a-long-test-password")
    rochester = Prison.objects.create(slug="rochester", code="RCI", name="Rochester", enabled=True)
    Prison.objects.create(slug="cardiff", code="CFI", name="Cardiff", enabled=True)
    swansea = Prison.objects.create(slug="swansea", code="SWI", name="Swansea", enabled=True)
    PrisonAccess.objects.create(user=user, prison=rochester)
    PrisonAccess.objects.create(user=user, prison=swansea)
    return user


def test_staff_pages_need_sign_in(client: Client) -> None:
    response = client.get("/staff/")
    assert response.status_code == 302 and response["Location"].startswith("/staff/sign-in?next=/staff/")


def test_sign_in_errors_in_govuk_wording(client: Client, rochester_staff: User) -> None:
    empty = client.post("/staff/sign-in", {}).content.decode()
    assert "Enter your username" in empty and "Enter your password" in empty
    wrong = client.post("/staff/sign-in", {"username": "robin", "password": "nope"}).content.decode()
    assert "Enter a correct username and password" in wrong


def test_sign_in_shows_only_your_prisons(client: Client, rochester_staff: User) -> None:
    response = client.post("/staff/sign-in", {"username": "robin", "password": "a-long-test-password"})
    assert response.status_code == 302 and response["Location"] == "/staff/"
    html = client.get("/staff/").content.decode()
    assert "Rochester" in html and "Swansea" in html and "Cardiff" not in html


def test_someone_covering_one_prison_goes_straight_to_it(client: Client, rochester_staff: User) -> None:
    PrisonAccess.objects.filter(prison__slug="swansea").delete()
    client.force_login(rochester_staff)
    assert client.get("/staff/")["Location"] == "/staff/rochester/"


def test_sign_in_never_redirects_off_site(client: Client, rochester_staff: User) -> None:
    response = client.post(
        "/staff/sign-in?next=https://evil.example/",
        {"username": "robin", "password": "a-long-test-password", "next": "https://evil.example/"},
    )
    assert response["Location"] == "/staff/"


def test_sign_out_is_a_post(client: Client, rochester_staff: User) -> None:
    client.force_login(rochester_staff)
    assert client.get("/staff/sign-out").status_code == 200
    assert client.get("/staff/").status_code == 200  # still signed in after the GET
    client.post("/staff/sign-out")
    assert client.get("/staff/").status_code == 302


def test_seed_demo_creates_the_readme_users(prison_data_dir) -> None:
    from django.core.management import call_command

    call_command("import_prisons", str(prison_data_dir), stdout=StringIO())
    call_command("seed_demo", "--force", stdout=StringIO())
    call_command("seed_demo", "--force", stdout=StringIO())  # safe to run twice
    clerk = User.objects.get(username="clerk")
    assert clerk.check_password("visits-demo-2026")
    assert PrisonAccess.objects.filter(user=clerk).count() == 22
    assert list(PrisonAccess.objects.filter(user__username="rochester").values_list("prison__slug", flat=True)) == [
        "rochester"
    ]


def test_seeding_the_demo_again_keeps_what_was_changed(prison_data_dir) -> None:
    from django.core.management import call_command

    call_command("import_prisons", str(prison_data_dir), stdout=StringIO())
    call_command("seed_demo", "--force", stdout=StringIO())
    admin = User.objects.get(username="admin")
    swansea = Prison.objects.get(slug="swansea")
    PrisonAccess.objects.create(user=admin, prison=swansea)  # given another prison since
    clerk = User.objects.get(username="clerk")
    kept = PrisonAccess.objects.filter(user=clerk).order_by("prison__name").first().prison.slug
    PrisonAccess.objects.filter(user=clerk).exclude(prison__slug=kept).delete()  # the call centre shrank
    clerk.set_password("a-new-password-the-clerk-chose")
    clerk.save()
    out = StringIO()
    call_command("seed_demo", "--force", stdout=out)
    assert "admin: exists, kept as it is" in out.getvalue()
    assert PrisonAccess.objects.filter(user=admin, prison=swansea).exists()
    assert list(PrisonAccess.objects.filter(user=clerk).values_list("prison__slug", flat=True)) == [kept]
    assert User.objects.get(username="clerk").check_password("a-new-password-the-clerk-chose")


def test_five_failures_lock_the_username_even_with_the_right_password(client: Client, rochester_staff: User) -> None:
    for _ in range(5):
        client.post("/staff/sign-in", {"username": "robin", "password": "wrong"})
    locked = client.post("/staff/sign-in", {"username": "robin", "password": "a-long-test-password"})
    assert locked.status_code == 429 and "You have tried to sign in too many times" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_sessions_end_after_two_hours_idle_not_two_hours_after_sign_in(client: Client, rochester_staff: User) -> None:
    from datetime import timedelta
    from unittest import mock

    import time_machine
    from django.contrib.sessions.backends.cache import SessionStore
    from django.utils import timezone

    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(rochester_staff)
        client.get("/staff/")
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        with mock.patch.object(SessionStore, "save", autospec=True, side_effect=SessionStore.save) as save:
            assert client.get("/staff/").status_code == 200
        assert save.call_count == 0  # no write on every request
    with time_machine.travel(start + timedelta(minutes=110), tick=False):
        assert client.get("/staff/").status_code == 200  # still active: renewed for another 2 hours
    with time_machine.travel(start + timedelta(minutes=110 + 119), tick=False):
        assert client.get("/staff/").status_code == 200  # past 2 hours after sign-in, not 2 hours idle
    with time_machine.travel(start + timedelta(minutes=110 + 119 + 121), tick=False):
        assert client.get("/staff/").status_code == 302  # idle for over 2 hours: signed out


def test_a_busy_session_still_ends_12_hours_after_sign_in(client: Client, rochester_staff: User) -> None:
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert (
            client.post("/staff/sign-in", {"username": "robin", "password": "a-long-test-password"}).status_code == 302
        )
    for minutes in range(30, 12 * 60, 30):  # used every half hour all day: never idle
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get("/staff/").status_code == 200, minutes
    with time_machine.travel(start + timedelta(hours=12, minutes=1), tick=False):
        response = client.get("/staff/rochester/")
    assert response.status_code == 302 and response["Location"] == "/staff/sign-in?next=/staff/rochester/"
    assert "_auth_user_id" not in client.session


def test_timetable_changes_and_blocks_say_who_made_them_and_when(rochester_staff: User) -> None:
    from datetime import time, timedelta

    from django.contrib.auth.models import Group
    from django.utils import timezone

    from accounts.management.commands.sync_roles import sync_roles
    from accounts.roles import VISITS_ADMIN
    from prisons.models import BlockedDate, SessionTemplate

    sync_roles()
    rochester_staff.first_name, rochester_staff.last_name = "Robin", "Okafor"
    rochester_staff.save()
    rochester_staff.groups.set([Group.objects.get(name=VISITS_ADMIN)])
    client = Client()
    client.force_login(rochester_staff)
    tomorrow = timezone.localdate() + timedelta(days=1)
    data = {
        "weekday": str(tomorrow.weekday()),
        "start_time": "14:00",
        "end_time": "15:30",
        "valid_from-day": str(tomorrow.day),
        "valid_from-month": str(tomorrow.month),
        "valid_from-year": str(tomorrow.year),
        "every_n_weeks": "1",
        "open_capacity": "10",
        "closed_capacity": "1",
    }
    response = client.post("/staff/rochester/timetable/add", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    template = SessionTemplate.objects.get()
    assert template.changed_by == rochester_staff and template.changed_at is not None
    assert "Robin Okafor, " in client.get("/staff/rochester/timetable").content.decode()
    block = {
        "date-day": str(tomorrow.day),
        "date-month": str(tomorrow.month),
        "date-year": str(tomorrow.year),
        "reason": "Staff training",
        "visits": "flag",
        "confirm": "yes",
    }
    assert client.post("/staff/rochester/blocks", block).status_code == 302
    blocked = BlockedDate.objects.get()
    assert blocked.changed_by == rochester_staff and blocked.start_time in (None, time(14))
    assert "blocked by Robin Okafor, " in client.get("/staff/rochester/blocks").content.decode()
