"""The NOMIS stub's pages, as a prison's staff reach them with DEBUG off: the faults (NOMIS's as a whole) change only
for a superuser, and events are fired and seen only for prisoners at the prisons the user covers (issue 26, item
6)."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from accounts.management.commands.sync_roles import sync_roles
from accounts.models import PrisonAccess
from accounts.roles import VISITS_ADMIN
from prisons.nomis.stub import models as stub
from prisons.nomis.stub.seed import stub_seed
from tests.factories import make_prison

pytestmark = pytest.mark.django_db
FAULTS = {"latency_ms": "", "failure_rate": "", "down": "down"}


@pytest.fixture
def rochester_admin(no_faults: None) -> Client:
    sync_roles()
    rochester = make_prison()
    make_prison("cardiff", "CFI")
    stub_seed(seed=1, per_prison=0, today=date(2026, 11, 23))
    admin = User.objects.create_user("admin", is_staff=True)
    admin.groups.set([Group.objects.get(name=VISITS_ADMIN)])
    PrisonAccess.objects.create(user=admin, prison=rochester)
    client = Client()
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    return client


def released(number: str) -> dict[str, str]:
    return {"event_type": "released", "prisoner_number": number}


def test_a_prisons_admin_cannot_change_nomis_for_every_prison(rochester_admin: Client) -> None:
    assert rochester_admin.post("/nomis-stub/faults", FAULTS).status_code == 403
    assert not stub.FaultOverride.objects.exists()
    assert "Save faults" not in rochester_admin.get("/nomis-stub/").text


def test_a_prisons_admin_fires_events_only_for_its_own_prisoners(rochester_admin: Client) -> None:
    refused = rochester_admin.post("/nomis-stub/events", released("A2001AA"))  # at Cardiff
    assert refused.status_code == 200 and "Enter the number of a prisoner at a prison you cover" in refused.text
    assert not stub.Event.objects.exists()
    assert stub.Prisoner.objects.get(number="A2001AA").prison_code == "CFI"

    assert rochester_admin.post("/nomis-stub/events", released("A1001AA")).status_code == 302
    assert list(stub.Event.objects.values_list("prisoner_number", flat=True)) == ["A1001AA"]


def test_the_page_shows_only_its_own_prisoners_and_events(rochester_admin: Client) -> None:
    root = Client()
    root.force_login(User.objects.create_superuser("root"), backend="django.contrib.auth.backends.ModelBackend")
    assert root.post("/nomis-stub/events", {"event_type": "moved", "prisoner_number": "A2002AA", "to_prison": "BWI"})
    page = rochester_admin.get("/nomis-stub/").text
    assert "A1001AA" in page and "A2001AA" not in page and "A2002AA" not in page
    assert "A2002AA" in root.get("/nomis-stub/").text
    assert root.post("/nomis-stub/faults", FAULTS).status_code == 302  # a superuser changes the faults
