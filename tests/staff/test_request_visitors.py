"""No visit stands without an adult to lead it, by any path (issue 15, items 5 and 13): each visitor not on the
approved list is approved for the visit or refused before the request is approved; refusing the lead visitor, or
the last visitor aged 18 or over, rejects a request (or cancels a booked visit) with the matching reason; a ban from
NOMIS on the lead visitor does the same."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone

from accounts.models import PrisonAccess
from accounts.roles import VISITS_TEAM
from nomis_sync.tasks import poll_nomis_events
from prisons.models import Prison, VisitSession
from prisons.nomis.interface import EventType as NomisEventType
from prisons.nomis.stub.services import event_fire
from tests.factories import details, make_prisoner
from visits.errors import InvalidChange
from visits.models import OutboxMessage, Visit, VisitState
from visits.rules import PartyMember
from visits.services import (
    Actor,
    ContactDetails,
    RejectionReason,
    request_approve,
    visit_book,
    visit_request,
    visit_reserve,
    visitor_refuse,
)

pytestmark = pytest.mark.django_db
LEAD = PartyMember("Karen", "Walker", date(1962, 2, 19))
OTHER_ADULT = PartyMember("Dave", "Stranger", date(1980, 1, 1))
CHILD = PartyMember("Lily", "Walker", date(2017, 9, 25))  # 9 years old
CONTACT = ContactDetails(email="karen@example.com")


def a_session(prison: Prison) -> VisitSession:
    return VisitSession.objects.filter(
        prison=prison, date__gte=timezone.localdate() + timedelta(days=6), blocked=False
    ).order_by("date", "start_time")[0]


def a_request(prison: Prison, party: list[PartyMember], contact_ids: list[int | None]) -> Visit:
    session = a_session(prison)
    hold = visit_reserve(
        session=session,
        prisoner=details(make_prisoner("A1001AA")),
        party=party,
        closed=False,
        visitor_contact_ids=contact_ids,
    )
    return visit_request(visit=hold, contact=CONTACT, reasons=["visitor_not_approved"])


@pytest.fixture
def team(rochester: Prison) -> tuple[Client, Actor]:
    user = User.objects.create_user("team", password="a-long-test-password", first_name="Robin")
    user.groups.set([Group.objects.get(name=VISITS_TEAM)])
    PrisonAccess.objects.create(user=user, prison=rochester)
    client = Client()
    client.force_login(user)
    return client, Actor(user=user)


def test_a_visitor_not_on_the_list_must_be_decided_before_approval(rochester: Prison, team) -> None:  # type: ignore[no-untyped-def]
    client, _staff = team
    visit = a_request(rochester, [LEAD, OTHER_ADULT, CHILD], [100102, None, 100103])
    url = f"/staff/rochester/requests/{visit.reference}"
    page = client.get(url).content.decode()
    assert "not on the approved list: approve or refuse" in page
    response = client.post(url, {"action": "approve", "approve-session": visit.session_id})
    assert response.status_code == 400
    assert (
        "Approve or refuse each visitor who is not on the approved list first: Dave Stranger"
        in response.content.decode()
    )
    visit.refresh_from_db()
    assert visit.state == VisitState.REQUESTED
    dave = visit.visitors.get(first_name="Dave")
    assert client.post(url, {"action": "allow", "allow-visitor": dave.id}).status_code == 302
    assert client.post(url, {"action": "approve", "approve-session": visit.session_id}).status_code == 302
    visit.refresh_from_db()
    assert visit.state == VisitState.BOOKED
    assert visit.events.filter(type="visitor_approved").count() == 1


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        (RejectionReason.VISITOR_BANNED, RejectionReason.VISITOR_BANNED),
        (RejectionReason.VISITOR_NOT_APPROVED, RejectionReason.VISITOR_NOT_APPROVED),
        (RejectionReason.OTHER, RejectionReason.OTHER),
    ],
)
def test_refusing_the_lead_visitor_rejects_the_request_with_the_matching_reason(
    rochester: Prison,
    team,
    kind: str,
    reason: str,  # type: ignore[no-untyped-def]
) -> None:
    client, _staff = team
    visit = a_request(rochester, [LEAD, OTHER_ADULT], [None, 100102])
    lead = visit.visitors.get(position=0)
    data = {"action": "refuse", "refuse-visitor": lead.id, "refuse-kind": kind, "refuse-reason": "Seen on CCTV"}
    response = client.post(f"/staff/rochester/requests/{visit.reference}", data)
    assert response.status_code == 302 and response["Location"] == "/staff/rochester/requests"
    visit.refresh_from_db()
    assert visit.state == VisitState.REJECTED and visit.rejection_reasons == [reason]
    assert OutboxMessage.objects.filter(visit=visit, kind="rejected").exists()  # the visitor is told


def test_refusing_every_adult_leaves_no_child_alone_on_a_visit(rochester: Prison, team) -> None:  # type: ignore[no-untyped-def]
    _client, staff = team
    visit = a_request(rochester, [LEAD, OTHER_ADULT, CHILD], [100102, None, 100103])
    dave = visit.visitors.get(first_name="Dave")
    assert visitor_refuse(visit=visit, visitor=dave, reason="", kind="visitor_not_approved", actor=staff).state == (
        VisitState.REQUESTED  # the lead adult is still there
    )
    lead = visit.visitors.get(position=0)
    after = visitor_refuse(visit=visit, visitor=lead, reason="", kind="visitor_banned", actor=staff)
    assert after.state == VisitState.REJECTED  # never approved with only Lily, aged 9
    with pytest.raises(Exception):  # noqa: B017 - already processed, whatever comes next
        request_approve(visit=after, session=after.session, actor=staff)


def test_a_request_whose_only_adult_was_refused_cannot_be_approved(rochester: Prison, team) -> None:  # type: ignore[no-untyped-def]
    _client, staff = team
    visit = a_request(rochester, [LEAD, CHILD], [100102, 100103])
    lead = visit.visitors.get(position=0)
    lead.refused = True
    lead.save(update_fields=["refused"])  # as a path the service does not offer might leave it
    with pytest.raises(InvalidChange, match="without a visitor aged 18 or over"):
        request_approve(visit=visit, session=visit.session, actor=staff)


def test_a_ban_from_nomis_on_the_lead_visitor_cancels_the_booked_visit(rochester: Prison) -> None:
    session = a_session(rochester)
    hold = visit_reserve(
        session=session,
        prisoner=details(make_prisoner("A1001AA")),
        party=[LEAD, CHILD],
        closed=False,
        visitor_contact_ids=[100102, 100103],
    )
    visit = visit_book(visit=hold, contact=CONTACT)
    event_fire(event_type=NomisEventType.VISITOR_BANNED, prisoner_number="A1001AA", contact_id=100102)
    poll_nomis_events()
    visit.refresh_from_db()
    assert visit.state == VisitState.CANCELLED
    assert "cannot go ahead without its lead visitor" in visit.events.filter(type="cancelled").get().reason
    assert OutboxMessage.objects.filter(visit=visit, kind="cancelled_by_prison").exists()


def test_a_ban_on_another_adult_flags_the_visit_for_staff(rochester: Prison) -> None:
    session = a_session(rochester)
    hold = visit_reserve(
        session=session,
        prisoner=details(make_prisoner("A1001AA")),
        party=[LEAD, OTHER_ADULT],
        closed=False,
        visitor_contact_ids=[100102, 100101],
    )
    visit = visit_book(visit=hold, contact=CONTACT)
    event_fire(event_type=NomisEventType.VISITOR_BANNED, prisoner_number="A1001AA", contact_id=100101)
    poll_nomis_events()
    visit.refresh_from_db()
    assert visit.state == VisitState.BOOKED and visit.flags.get().reason == "visitor_banned"


def test_a_message_to_the_visitor_reaches_the_rejection_email(rochester: Prison, team) -> None:  # type: ignore[no-untyped-def]
    from notifications.gateway import render

    client, _staff = team
    visit = a_request(rochester, [LEAD], [100102])
    data = {
        "action": "reject",
        "reject-reasons": ["slots_unavailable"],
        "reject-message": "We have space on Saturday mornings: please ask for one of those.",
    }
    assert client.post(f"/staff/rochester/requests/{visit.reference}", data).status_code == 302
    email = OutboxMessage.objects.get(visit=visit, kind="rejected", channel="email")
    _subject, body = render("rejected.email.en", email.personalisation)
    assert "The times you asked for are no longer available" in body
    assert "A message from the prison: We have space on Saturday mornings: please ask for one of those." in body
