"""The authorisation walk beyond the console (issue 13): every Django admin URL, the NOMIS stub's routes and the
fake Notify's outbox, each with every method as every identity: signed out, a booking clerk, a visits team member,
a visits admin, another prison's visits admin and a superuser. A leak is a page (2xx) that identity must not see,
or, in the outbox, another prison's message; the walk counts them and there are none."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.management.commands.sync_roles import sync_roles
from accounts.models import PrisonAccess
from accounts.roles import BOOKING_CLERK, VISITS_ADMIN, VISITS_TEAM
from notifications.sending import message_send
from tests.factories import make_prison
from tests.notifications.flows import book
from visits.models import OutboxMessage
from visits.services import ContactDetails

pytestmark = pytest.mark.django_db
NOMIS_STUB = ["/nomis-stub/", "/nomis-stub/faults", "/nomis-stub/events"]
OUTBOX = "/notify/fake-outbox"


@pytest.fixture
def world() -> dict[str, Any]:
    sync_roles()
    rochester, cardiff = make_prison(), make_prison("cardiff", "CFI")
    for prison, email in ((rochester, "rochester.family@example.com"), (cardiff, "cardiff.family@example.com")):
        visit = book(prison, timezone.localdate() + timedelta(days=4), ContactDetails(email=email))
        message_send(message_id=OutboxMessage.objects.get(visit=visit).pk)

    def user(name: str, role: str | None, prison: Any = None, **flags: bool) -> User:
        u = User.objects.create_user(name, password="a-long-test-password", **flags)
        if role:
            u.groups.set([Group.objects.get(name=role)])
        if prison:
            PrisonAccess.objects.create(user=u, prison=prison)
        return u

    return {
        "signed out": None,
        "clerk": user("clerk", BOOKING_CLERK, rochester),
        "visits team": user("team", VISITS_TEAM, rochester),
        "visits admin": user("admin", VISITS_ADMIN, rochester, is_staff=True),
        "other prison's admin": user("cardiff-admin", VISITS_ADMIN, cardiff, is_staff=True),
        "superuser": user("root", None, is_staff=True, is_superuser=True),
    }


def admin_urls() -> list[tuple[str, str | None]]:
    """Every admin page: the index, each app's index, and each model's list, add, and an object's change, history and
    delete pages; with the permission codename each needs (None: any admin user)."""
    urls: list[tuple[str, str | None]] = [(reverse("admin:index"), None)]
    for model in admin.site._registry:
        meta = model._meta
        urls.append((reverse("admin:app_list", args=[meta.app_label]), None))
        view = f"{meta.app_label}.view_{meta.model_name}"
        urls.append((reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"), view))
        urls.append(
            (reverse(f"admin:{meta.app_label}_{meta.model_name}_add"), f"{meta.app_label}.add_{meta.model_name}")
        )
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            for page in ("change", "history"):
                urls.append((reverse(f"admin:{meta.app_label}_{meta.model_name}_{page}", args=[first.pk]), view))
            urls.append(
                (
                    reverse(f"admin:{meta.app_label}_{meta.model_name}_delete", args=[first.pk]),
                    f"{meta.app_label}.delete_{meta.model_name}",
                )
            )
    return urls


def client_for(identity: User | None) -> Client:
    client = Client()
    if identity is not None:
        client.force_login(identity, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_the_django_admin_shows_each_identity_only_what_it_may_see(world: dict[str, Any]) -> None:
    leaks, requests = [], 0
    urls = admin_urls()
    assert len(urls) > 40
    for name, identity in world.items():
        client = client_for(identity)
        for url, permission in urls:
            may = identity is not None and identity.is_active and identity.is_staff
            may = may and (permission is None or identity.has_perm(permission))
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                requests += 1
                if 200 <= response.status_code < 300 and not may:
                    leaks.append((name, method, url, response.status_code))
                if identity is None or not identity.is_staff:  # not an admin user: to the admin's sign-in
                    assert response.status_code == 302 and "/django-admin/login/" in response["Location"], (
                        name,
                        method,
                        url,
                    )
    assert leaks == [], leaks
    assert requests == len(urls) * len(world) * 2


def test_the_nomis_stub_has_no_pages_for_anyone(world: dict[str, Any]) -> None:
    """NOMIS's stand-in is the fake HMPPS server, a process of its own: the service routes nothing to the stub."""
    for name, identity in world.items():
        client = client_for(identity)
        for url in NOMIS_STUB:
            for method in ("get", "post"):
                assert getattr(client, method)(url).status_code == 404, (name, method, url)


def test_the_fake_outbox_shows_each_identity_only_its_prisons_messages(world: dict[str, Any]) -> None:
    leaks, seen = [], {}
    for name, identity in world.items():
        client = client_for(identity)
        response = client.get(OUTBOX)
        assert client.post(OUTBOX).status_code in (302, 403, 405)
        page = response.content.decode() if response.status_code == 200 else ""
        seen[name] = (response.status_code, "rochester.family" in page, "cardiff.family" in page)
        if "cardiff.family" in page and name not in ("other prison's admin", "superuser"):
            leaks.append(name)
        if "rochester.family" in page and name in ("other prison's admin",):
            leaks.append(name)
    assert leaks == []
    assert seen == {
        "signed out": (302, False, False),
        "clerk": (403, False, False),
        "visits team": (403, False, False),
        "visits admin": (200, True, False),
        "other prison's admin": (200, False, True),
        "superuser": (200, True, True),
    }


def test_a_visits_admin_administers_only_the_prisons_they_cover(world: dict[str, Any]) -> None:
    from datetime import date, time

    from prisons.models import BlockedDate, Prison, SessionTemplate

    rochester, cardiff = Prison.objects.get(slug="rochester"), Prison.objects.get(slug="cardiff")
    rows = {}
    for prison in (rochester, cardiff):
        template = SessionTemplate.objects.create(
            prison=prison, weekday=2, start_time=time(14), end_time=time(15), valid_from=date(2026, 1, 7)
        )
        block = BlockedDate.objects.create(prison=prison, date=timezone.localdate() + timedelta(days=30))
        rows[prison.slug] = [("prison", prison), ("sessiontemplate", template), ("blockeddate", block)]
    client = client_for(world["visits admin"])  # covers Rochester
    index = client.get(reverse("admin:index")).content.decode()
    assert "Session templates" in index and "Blocked dates" in index and "You don’t have permission" not in index
    for model, _row in rows["rochester"]:
        listing = client.get(reverse(f"admin:prisons_{model}_changelist")).content.decode()
        assert "Rochester" in listing and "Cardiff" not in listing, model
    for (model, mine), (_model, theirs) in zip(rows["rochester"], rows["cardiff"], strict=True):
        assert client.get(reverse(f"admin:prisons_{model}_change", args=[mine.pk])).status_code == 200, model
        other = client.get(reverse(f"admin:prisons_{model}_change", args=[theirs.pk]))
        assert other.status_code == 302, (model, other.status_code)  # "does not exist": back to the admin's index
        deleting = client.post(reverse(f"admin:prisons_{model}_delete", args=[theirs.pk]), {"post": "yes"})
        assert deleting.status_code in (302, 403), model  # no prison may be deleted, nor another prison's row
    assert (
        SessionTemplate.objects.filter(prison=cardiff).exists() and BlockedDate.objects.filter(prison=cardiff).exists()
    )
    add = client.get(reverse("admin:prisons_blockeddate_add")).content.decode()
    assert ">Rochester (RCI)<" in add and "Cardiff" not in add  # another prison cannot be chosen
