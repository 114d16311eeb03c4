"""A visitor who cancels a visit or withdraws a request ends its manage link's use (issue 13, item 8): the old
link gives the "expired" page; a visit the prison cancelled keeps its link, so the message about it can be read."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.journey.journey_support import book_visit, manage_path
from visits.models import Visit, VisitState
from visits.services import Actor, visit_cancel

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rochester_at_nine")]


def test_cancelling_ends_the_link_and_offers_to_book_again(client: Client) -> None:
    visit = book_visit(client)
    link = manage_path(visit)
    response = client.post(link + "/cancel", {"reason": "other"})
    assert response.status_code == 302 and response["Location"] == "/visit-ended"
    page = client.get("/visit-ended").content.decode()
    assert "Visit cancelled" in page and visit.reference in page and 'href="/prison?prison=rochester"' in page
    for url in (link, link + "/change"):
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


def test_the_cancel_form_sent_again_says_the_visit_is_already_cancelled(client: Client) -> None:
    """Issue 26, item 10: the same form sent from another tab after the first went through says it is done, not
    that the link has expired; and it shows nothing of the visit, since the link ended with it."""
    visit = book_visit(client)
    link = manage_path(visit)
    other_tab = Client()
    assert "Why are you cancelling this visit?" in other_tab.get(link + "/cancel").content.decode()
    assert client.post(link + "/cancel", {"reason": "other"}).status_code == 302
    again = other_tab.post(link + "/cancel", {"reason": "other"})
    page = again.content.decode()
    assert again.status_code == 200 and "This visit has already been cancelled" in page
    assert visit.reference not in page and visit.prisoner_last_name not in page
    assert Visit.objects.get(pk=visit.pk).state == VisitState.CANCELLED
    # A link that is not signed still gets the "expired" page.
    assert other_tab.post(link + "x/cancel", {"reason": "other"}).status_code == 404


def test_the_withdraw_form_sent_again_says_it_is_already_withdrawn(client: Client) -> None:
    visit = book_visit(client, request=True)
    link = manage_path(visit)
    assert client.post(link + "/withdraw").status_code == 302
    again = Client().post(link + "/withdraw")
    assert again.status_code == 200 and "You have already withdrawn this request" in again.content.decode()
