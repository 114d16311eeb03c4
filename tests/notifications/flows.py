"""Every kind of message, caused the way the service causes it: through the booking service and the reminder job."""

from __future__ import annotations

from datetime import date, time, timedelta
from itertools import count

from django.contrib.auth.models import User
from django.utils import timezone

from prisons.models import Prison, VisitSession
from tests.factories import MARY, TOM, details, make_prisoner, make_session
from visits.models import Visit
from visits.outbox import reminders_queue
from visits.services import (
    Actor,
    ContactDetails,
    request_approve,
    request_reject,
    visit_book,
    visit_cancel,
    visit_change,
    visit_request,
    visit_reserve,
)

CONTACT = ContactDetails(email="mary@example.com", phone="+447700900123", wants_email=True, wants_sms=True)
WELSH_CONTACT = ContactDetails(email="mair@example.com", phone="07700 900456", wants_sms=True, language="cy")
_numbers = count(1)


def session_on(prison: Prison, day: date, hour: int = 14) -> VisitSession:
    return VisitSession.objects.filter(prison=prison, date=day, start_time=time(hour)).first() or make_session(
        prison, day, time(hour)
    )


def reserve(prison: Prison, day: date, hour: int = 14) -> Visit:
    prisoner = details(make_prisoner(f"N{next(_numbers):04d}AA"))
    return visit_reserve(
        session=session_on(prison, day, hour),
        prisoner=prisoner,
        party=[MARY, TOM],
        closed=False,
        visitor_contact_ids=(1, 2),  # both on the approved list: a request can be approved as it is
    )


def book(prison: Prison, day: date, contact: ContactDetails = CONTACT, hour: int = 14) -> Visit:
    return visit_book(visit=reserve(prison, day, hour), contact=contact)


def every_kind_of_message(prison: Prison, contact: ContactDetails = CONTACT) -> dict[str, Visit]:
    """One visit per message kind (some visits cause several messages on the way), all with ``contact``."""
    today = timezone.localdate()
    staff = Actor(user=User.objects.get_or_create(username="notify-clerk")[0])
    visits = {"booked": book(prison, today + timedelta(days=5), contact)}
    visits["requested"] = visit_request(visit=reserve(prison, today + timedelta(days=6)), contact=contact)
    approved = visit_request(visit=reserve(prison, today + timedelta(days=7)), contact=contact)
    visits["approved"] = request_approve(visit=approved, session=approved.session, actor=staff)
    rejected = visit_request(visit=reserve(prison, today + timedelta(days=8)), contact=contact)
    visits["rejected"] = request_reject(
        visit=rejected,
        reasons=["no_allowance", "other"],
        allowance_renews_on=today + timedelta(days=20),
        other_reason="The visits hall is closed for repairs",
        actor=staff,
    )
    visits["cancelled_by_visitor"] = visit_cancel(
        visit=book(prison, today + timedelta(days=9), contact), reason="Car broke down", actor=Actor.visitor()
    )
    visits["cancelled_by_prison"] = visit_cancel(
        visit=book(prison, today + timedelta(days=10), contact), reason="Staff shortage", actor=staff
    )
    changed = book(prison, today + timedelta(days=11), contact)
    visits["changed"] = visit_change(
        visit=changed, session=session_on(prison, today + timedelta(days=12)), actor=Actor.visitor()
    )
    reminded = book(prison, today + timedelta(days=1), contact, hour=16)
    Visit.objects.filter(pk=reminded.pk).update(created_at=timezone.now() - timedelta(days=3))
    reminders_queue()
    visits["reminder"] = reminded
    return visits
