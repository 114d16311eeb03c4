"""A visitor who cancels a visit or withdraws a request ends its manage link's use (issue 13, item 8): the old
link gives the "expired" page; a visit the prison cancelled keeps its link, so the message about it can be read."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.visits.journey_support import book_visit, manage_path
from visits.models import VisitState
from visits.services import Actor, visit_cancel

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rochester_at_nine")]


def test_cancelling_ends_the_link_and_offers_to_book_again(client: Client) -> None:
    visit = book_visit(client)
    link = manage_path(visit)
    response = client.post(link + "/cancel", {"reason": "other"})
    assert response.status_code == 302 and response["Location"] == "/visit-ended"
    page = client.get("/visit-ended").content.decode()
    assert "Visit cancelled" in page and visit.reference in page and 'href="/prison?prison=rochester"' in page
    for url in (link, link + "/cancel", link + "/change"):
        expired = client.get(url)
        assert expired.status_code == 404 and "This link has expired" in expired.content.decode(), url
    assert client.get(link + "/calendar.ics").status_code == 404
    assert 'value="rochester" selected' in client.get("/prison?prison=rochester").content.decode()


def test_withdrawing_ends_the_link(client: Client) -> None:
    visit = book_visit(client, request=True)
    assert visit.state == VisitState.REQUESTED
    link = manage_path(visit)
    assert client.post(link + "/withdraw").status_code == 302
    assert "Request withdrawn" in client.get("/visit-ended").content.decode()
    assert client.get(link).status_code == 404


def test_a_visit_the_prison_cancelled_keeps_its_link(client: Client) -> None:
    from django.contrib.auth.models import User

    visit = book_visit(client)
    visit_cancel(visit=visit, reason="Lockdown", actor=Actor(user=User.objects.create_user("robin")))
    page = client.get(manage_path(visit))
    assert page.status_code == 200 and "Cancelled" in page.content.decode()
