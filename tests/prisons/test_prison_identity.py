"""A prison's NOMIS code decides whose prisoners its staff see and book for, so prison staff cannot change it, and
no prison can be given a code another prison holds (issue 26, item 1)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.forms.models import model_to_dict
from django.test import Client

from accounts.management.commands.sync_roles import sync_roles
from accounts.models import PrisonAccess
from accounts.roles import VISITS_ADMIN
from prisons.models import Prison
from tests.factories import make_prison

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def change_form(prison: Prison, **changes: Any) -> dict[str, Any]:
    """What the admin's change page posts for this prison, with the changes: every field, and an empty inline."""
    data = {key: ("" if value is None else value) for key, value in model_to_dict(prison).items()}
    data = {key: value for key, value in data.items() if value is not False}  # an unticked box is not sent
    data.update(
        {
            "session_templates-TOTAL_FORMS": "0",
            "session_templates-INITIAL_FORMS": "0",
            "session_templates-MIN_NUM_FORMS": "0",
            "session_templates-MAX_NUM_FORMS": "1000",
        }
    )
    data.update(changes)
    return data


@pytest.fixture
def prisons() -> tuple[Prison, Prison]:
    sync_roles()
    return make_prison(), make_prison("cardiff", "CFI")


def test_a_visits_admin_cannot_take_another_prisons_nomis_code(prisons: tuple[Prison, Prison]) -> None:
    rochester, _cardiff = prisons
    admin = User.objects.create_user("admin", is_staff=True)
    admin.groups.set([Group.objects.get(name=VISITS_ADMIN)])
    PrisonAccess.objects.create(user=admin, prison=rochester)
    client = signed_in(admin)

    page = client.get(f"/django-admin/prisons/prison/{rochester.pk}/change/").text
    assert 'name="code"' not in page and 'name="slug"' not in page  # shown, not editable
    assert "RCI" in page

    response = client.post(
        f"/django-admin/prisons/prison/{rochester.pk}/change/",
        change_form(rochester, code="CFI", slug="cardiff-2", phone="01634 803100"),
    )
    assert response.status_code == 302, response.text[:2000]  # the rest of the form is saved...
    rochester.refresh_from_db()
    assert rochester.phone == "01634 803100"
    assert (rochester.code, rochester.slug) == ("RCI", "rochester")  # ...but not the prison's identity


def test_no_prison_is_given_a_code_another_prison_holds(prisons: tuple[Prison, Prison]) -> None:
    rochester, _cardiff = prisons
    client = signed_in(User.objects.create_superuser("root"))
    response = client.post(f"/django-admin/prisons/prison/{rochester.pk}/change/", change_form(rochester, code="CFI"))
    assert response.status_code == 200
    assert "CFI is the NOMIS code of Cardiff" in response.text
    rochester.refresh_from_db()
    assert rochester.code == "RCI"

    added = client.post("/django-admin/prisons/prison/add/", change_form(make_prison_row(), code="CFI"))
    assert "CFI is the NOMIS code of Cardiff" in added.text
    assert not Prison.objects.filter(slug="newport").exists()


def test_a_superuser_may_correct_a_code_to_one_no_prison_holds(prisons: tuple[Prison, Prison]) -> None:
    rochester, _cardiff = prisons
    client = signed_in(User.objects.create_superuser("root"))
    response = client.post(f"/django-admin/prisons/prison/{rochester.pk}/change/", change_form(rochester, code="RCX"))
    assert response.status_code == 302
    rochester.refresh_from_db()
    assert rochester.code == "RCX"


def test_booking_lines_that_share_a_code_can_still_be_edited(prisons: tuple[Prison, Prison]) -> None:
    """Bullingdon's two booking lines share BNI (the prison data makes them so); editing one keeps its code."""
    line = make_prison("bullingdon-remand-only", "BNI")
    make_prison("bullingdon-convicted-only", "BNI")
    client = signed_in(User.objects.create_superuser("root"))
    response = client.post(f"/django-admin/prisons/prison/{line.pk}/change/", change_form(line, phone="01869 353100"))
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.code, line.phone) == ("BNI", "01869 353100")


def make_prison_row() -> Prison:
    """An unsaved prison, for the add form."""
    return Prison(slug="newport", code="NPT", name="Newport", enabled=True)
