"""The stub NOMIS debug page: hidden unless DEBUG or staff; changes state on POST only, with CSRF. (A prison's own
staff see and change only their prisons' part of it: test_stub_pages_scoped.py.)"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from prisons.nomis.stub import models as stub
from prisons.nomis.stub.faults import faults_in_force
from prisons.nomis.stub.seed import stub_seed

pytestmark = pytest.mark.django_db

PAGE, FAULTS, EVENTS = "/nomis-stub/", "/nomis-stub/faults", "/nomis-stub/events"
FAULTS_DOWN = {"latency_ms": "250", "failure_rate": "0.5", "down": "down"}


@pytest.fixture(autouse=True)
def debug_off(settings, no_faults: None) -> None:
    settings.DEBUG = False


def signed_in(client: Client, **flags: bool) -> Client:
    user = get_user_model().objects.create_user(username="someone", password="x" * 12, **flags)
    client.force_login(user)
    return client


@pytest.mark.parametrize(("method", "url"), [("get", PAGE), ("post", FAULTS), ("post", EVENTS)])
def test_hidden_from_the_public_when_debug_is_off(client: Client, method: str, url: str) -> None:
    response = getattr(client, method)(url, FAULTS_DOWN if method == "post" else None)
    assert response.status_code == 404
    assert not stub.FaultOverride.objects.exists()


def test_hidden_from_staff_who_are_not_admins(client: Client) -> None:
    signed_in(client)
    assert client.get(PAGE).status_code == 404
    assert client.post(FAULTS, FAULTS_DOWN).status_code == 404
    assert not stub.FaultOverride.objects.exists()


@pytest.mark.parametrize("flags", [{"is_staff": True}, {"is_superuser": True}])
def test_shown_to_staff_admins(client: Client, flags: dict[str, bool]) -> None:
    signed_in(client, **flags)
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">NOMIS stub</h1>' in html
    # the test prisoners table: a superuser's is every prison's; an admin user covering no prison has none
    assert ("A1001AA" in html and "Ryan" in html) == bool(flags.get("is_superuser"))
    assert 'name="csrfmiddlewaretoken"' in html


def test_shown_to_anyone_when_debug_is_on(client: Client, settings) -> None:
    settings.DEBUG = True
    assert client.get(PAGE).status_code == 200


def test_posting_the_faults_changes_them(client: Client) -> None:
    signed_in(client, is_superuser=True)
    response = client.post(FAULTS, FAULTS_DOWN)
    assert response.status_code == 302 and response["Location"] == PAGE
    faults = faults_in_force()
    assert (faults.latency_ms, faults.failure_rate, faults.down) == (250, 0.5, True)
    page = client.get(PAGE).content.decode()
    assert "Fault injection updated" in page and "Faults are being injected" in page

    client.post(FAULTS, {"latency_ms": "", "failure_rate": "", "down": "setting"})
    override = stub.FaultOverride.objects.get()
    assert (override.latency_ms, override.failure_rate, override.down) == (None, None, None)
    assert not faults_in_force().any


def test_wrong_faults_get_govuk_errors_and_change_nothing(client: Client) -> None:
    signed_in(client, is_superuser=True)
    response = client.post(FAULTS, {"latency_ms": "soon", "failure_rate": "2", "down": "down"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Added latency must be a whole number of milliseconds" in html
    assert "Share of calls that fail must be 1 or less" in html
    assert "<title>Error: " in html
    assert not stub.FaultOverride.objects.exists()


def test_get_changes_nothing(client: Client) -> None:
    signed_in(client, is_superuser=True)
    stub_seed(seed=1, per_prison=0)
    client.get(PAGE, {**FAULTS_DOWN, "event_type": "released", "prisoner_number": "A1001AA"})
    assert client.get(FAULTS, FAULTS_DOWN).status_code == 405
    assert client.get(EVENTS, {"event_type": "released", "prisoner_number": "A1001AA"}).status_code == 405
    assert not stub.FaultOverride.objects.exists()
    assert not stub.Event.objects.exists()
    assert stub.Prisoner.objects.get(number="A1001AA").prison_code == "RCI"


def test_posting_an_event_fires_it(client: Client) -> None:
    signed_in(client, is_superuser=True)
    stub_seed(seed=1, per_prison=0)
    response = client.post(EVENTS, {"event_type": "moved", "prisoner_number": "a1001aa", "to_prison": "cfi"})
    assert response.status_code == 302
    assert stub.Prisoner.objects.get(number="A1001AA").prison_code == "CFI"
    event = stub.Event.objects.get()
    assert (event.type, event.data) == ("moved", {"from_prison": "RCI", "to_prison": "CFI"})
    page = client.get(PAGE).content.decode()
    assert f"Event {event.id} fired" in page and "from_prison" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"event_type": "moved", "prisoner_number": "A1001AA"}, "Enter the NOMIS code of the prison"),
        ({"event_type": "visitor_banned", "prisoner_number": "A1001AA"}, "Enter the contact ID of the visitor"),
        ({"event_type": "released", "prisoner_number": "Z9999ZZ"}, "No prisoner Z9999ZZ in the stub"),
        ({"prisoner_number": "A1001AA"}, "Select the event to fire"),
    ],
)
def test_an_event_that_cannot_fire_gets_an_error(client: Client, data: dict[str, str], message: str) -> None:
    signed_in(client, is_superuser=True)
    stub_seed(seed=1, per_prison=0)
    response = client.post(EVENTS, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not stub.Event.objects.exists()


def test_posts_need_the_csrf_token() -> None:
    client = Client(enforce_csrf_checks=True)
    signed_in(client, is_superuser=True)
    assert client.post(FAULTS, FAULTS_DOWN).status_code == 403
    assert not stub.FaultOverride.objects.exists()
