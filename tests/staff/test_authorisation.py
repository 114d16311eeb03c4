"""Walk every staff URL as someone signed out, as another prison's staff, and as a role without the permission."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import URLPattern, get_resolver
from django.utils import timezone

from accounts.management.commands.sync_roles import sync_roles
from accounts.models import PrisonAccess
from accounts.roles import BOOKING_CLERK, ROLE_PERMISSIONS, VISITS_ADMIN
from prisons.models import BlockedDate, SessionTemplate
from tests.factories import MARY, details, make_prison, make_prisoner, make_session
from visits.services import ContactDetails, visit_book, visit_reserve

pytestmark = pytest.mark.django_db
ACCOUNT_PAGES = {"home", "sign-in", "sign-out"}


def staff_patterns() -> list[URLPattern]:
    resolver = get_resolver()
    staff = next(p for p in resolver.url_patterns if getattr(p, "namespace", None) == "staff")
    return [p for p in staff.url_patterns if p.name not in ACCOUNT_PAGES]


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    sync_roles()
    rochester, cardiff = make_prison(), make_prison("cardiff", "CFI")
    session = make_session(rochester, timezone.localdate() + timedelta(days=5))
    visit = visit_book(
        visit=visit_reserve(session=session, prisoner=details(make_prisoner()), party=[MARY], closed=False),
        contact=ContactDetails(email="a@example.com"),
    )
    template = SessionTemplate.objects.create(
        prison=rochester, weekday=0, start_time=time(14), end_time=time(15), valid_from=date(2026, 1, 5)
    )
    block = BlockedDate.objects.create(prison=rochester, date=timezone.localdate() + timedelta(days=9))

    def user(name: str, role: str, prison) -> User:  # type: ignore[no-untyped-def]
        u = User.objects.create_user(name, password="a-long-test-password")
        u.groups.set([Group.objects.get(name=role)])
        PrisonAccess.objects.create(user=u, prison=prison)
        return u

    kwargs = {"prison": "rochester", "reference": visit.reference, "template_id": template.id, "block_id": block.id}
    return {
        "kwargs": kwargs,
        "admin": user("admin", VISITS_ADMIN, rochester),
        "other_prison": user("cardiff-admin", VISITS_ADMIN, cardiff),
        "clerk": user("clerk", BOOKING_CLERK, rochester),
    }


def url_for(pattern: URLPattern, kwargs: dict) -> str:  # type: ignore[type-arg]
    from django.urls import reverse

    needed = {k: v for k, v in kwargs.items() if k in pattern.pattern.converters}
    return reverse(f"staff:{pattern.name}", kwargs=needed)


def test_every_staff_view_declares_its_permission() -> None:
    for pattern in staff_patterns():
        assert getattr(pattern.callback, "staff_permission", None), f"{pattern.name} is not wrapped in staff_view"


def test_signed_out_users_are_sent_to_sign_in(world) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    for pattern in staff_patterns():
        path = url_for(pattern, world["kwargs"])
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            assert response.status_code == 302, (method, path)
            assert response["Location"].startswith("/staff/sign-in?next="), (method, path)


def test_another_prisons_staff_get_not_found(world) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(world["other_prison"])
    for pattern in staff_patterns():
        path = url_for(pattern, world["kwargs"])
        for method in ("get", "post"):
            assert getattr(client, method)(path).status_code == 404, (method, path)


def test_roles_without_the_permission_are_forbidden(world) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(world["clerk"])
    clerk_can = set(ROLE_PERMISSIONS[BOOKING_CLERK])
    forbidden = [p for p in staff_patterns() if p.callback.staff_permission not in clerk_can]
    assert forbidden, "the test needs a page a clerk cannot use"
    for pattern in forbidden:
        path = url_for(pattern, world["kwargs"])
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            assert response.status_code == 403, (method, path)
            assert b"You do not have permission" in response.content


def test_the_right_role_can_open_every_page(world) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(world["admin"])
    for pattern in staff_patterns():
        path = url_for(pattern, world["kwargs"])
        if pattern.name in ("unblock", "cancellation-seen"):
            continue  # POST only
        response = client.get(path)
        assert response.status_code in (200, 302), (path, response.status_code)


def test_a_visit_of_another_prison_is_not_found_by_reference(world) -> None:  # type: ignore[no-untyped-def]
    cardiff_session = make_session(make_prison("swansea", "SWI"), timezone.localdate() + timedelta(days=5))
    other = visit_reserve(
        session=cardiff_session, prisoner=details(make_prisoner("B1111BB", code="SWI")), party=[MARY], closed=False
    )
    client = Client()
    client.force_login(world["admin"])
    assert client.get(f"/staff/rochester/visits/{other.reference}").status_code == 404
