"""The start page, choosing a prison and the content pages, through Django's test client."""

from __future__ import annotations

import pytest
from django.test import Client

from prisons.models import Prison

pytestmark = pytest.mark.django_db


@pytest.fixture
def rochester() -> Prison:
    return Prison.objects.create(slug="rochester", code="RCI", name="Rochester", enabled=True, phone="0300 060 6513")


def test_start_page(client: Client) -> None:
    html = client.get("/").content.decode()
    assert '<h1 class="govuk-heading-xl">Book a visit to someone in prison</h1>' in html
    assert 'href="/prison"' in html
    assert "govuk-phase-banner" in html


def test_choose_prison_lists_only_prisons_taking_online_bookings(client: Client, rochester: Prison) -> None:
    Prison.objects.create(slug="closed-one", code="CLO", name="Closedham", enabled=True, closed=True)
    Prison.objects.create(slug="offline", code="OFF", name="Offlineton", enabled=False)
    html = client.get("/prison").content.decode()
    assert '<option value="rochester">Rochester</option>' in html
    assert "Closedham" not in html and "Offlineton" not in html


def test_choose_prison_errors(client: Client, rochester: Prison) -> None:
    empty = client.post("/prison", {"prison": ""}).content.decode()
    assert "There is a problem" in empty and "Enter or select the prison you are visiting" in empty
    assert "<title>Error: " in empty
    unknown = client.post("/prison", {"prison": "nowhere"}).content.decode()
    assert "Select a prison from the list" in unknown


def test_choose_prison_starts_the_journey(client: Client, rochester: Prison) -> None:
    response = client.post("/prison", {"prison": "rochester"})
    assert response.status_code == 302 and response["Location"] == "/prisoner"
    assert client.session["booking"] == {"prison": "rochester"}


@pytest.mark.parametrize("path", ["/help", "/cookies", "/accessibility", "/privacy", "/prison-data-licence"])
def test_content_pages(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert "govuk-footer" in response.content.decode()


def test_not_found_is_a_govuk_page(client: Client) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_server_error_is_a_govuk_page(rf) -> None:
    from common.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


def test_language_switch_is_a_post_and_sets_welsh(client: Client) -> None:
    Prison.objects.create(slug="cardiff", code="CFI", name="Cardiff", name_cy="Caerdydd", enabled=True)
    response = client.post("/i18n/setlang/", {"language": "cy", "next": "/prisons/cardiff"})
    assert response.status_code == 302
    html = client.get("/prisons/cardiff").content.decode()
    assert '<h1 class="govuk-heading-xl">Caerdydd</h1>' in html
    assert '<html lang="cy"' in html


def test_nothing_changes_on_get_for_the_language_switch(client: Client, settings) -> None:
    client.get("/i18n/setlang/?language=cy")
    assert settings.LANGUAGE_COOKIE_NAME not in client.cookies
