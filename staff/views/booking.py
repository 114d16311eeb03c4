"""Book a visit for a caller: the same rules as the public journey, the channel recorded, overrides explicit."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from common.govuk.jinja import govuk_date
from prisons.models import Prison, VisitSession
from prisons.nomis import NomisUnavailable, get_client
from prisons.nomis.interface import ApprovedVisitor, Prisoner
from staff.access import staff_view
from staff.forms import BookForCallerForm, FindPrisonerForm, session_label
from staff.selectors import has_started
from visits.errors import BookingError
from visits.rules import (
    PARTY_MESSAGES,
    Outcome,
    PartyMember,
    PrisonerCheck,
    RefusalReason,
    check_prisoner,
    closed_visits_restriction,
    decide,
    party_problems,
    staff_chose_visit_type,
)
from visits.selectors import PrisonerContext, prisoner_context, sessions_available
from visits.services import Actor, ContactDetails, Override, PrisonerDetails, visit_book, visit_request, visit_reserve

SESSION_KEY = "staff-booking"


@staff_view("book_visits")
@require_http_methods(["GET", "HEAD", "POST"])
def find_prisoner(request: HttpRequest, prison: Prison) -> HttpResponse:
    """Step 1: the prisoner the caller wants to visit, checked against NOMIS."""
    form = FindPrisonerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["number"]
        try:
            prisoner = get_client().get_prisoner(number)
        except NomisUnavailable:
            form.add_error(None, _("NOMIS is not answering. Try again in a few minutes."))
        else:
            check = check_prisoner(
                prisoner,
                last_name=form.cleaned_data["last_name"],
                date_of_birth=form.cleaned_data["date_of_birth"],
                prison_codes=[prison.code],
            )
            if check == PrisonerCheck.OK:
                request.session[SESSION_KEY] = {"prison": prison.slug, "number": number}
                return redirect("staff:book-details", prison=prison.slug)
            form.add_error(
                None,
                {
                    PrisonerCheck.NOT_FOUND: _("No prisoner matches these details"),
                    PrisonerCheck.AT_ANOTHER_PRISON: _("This prisoner is not at %(prison)s") % {"prison": prison.name},
                    PrisonerCheck.RELEASED: _("This prisoner has been released"),
                }[check],
            )
    return render(
        request,
        "staff/form.html",
        {
            "prison": prison,
            "form": form,
            "title": _("Book a visit"),
            "button": _("Find prisoner"),
            "active_nav": "book",
        },
    )


@staff_view("book_visits")
@require_http_methods(["GET", "HEAD", "POST"])
def book_details(request: HttpRequest, prison: Prison) -> HttpResponse:
    """Step 2: who is visiting, when, how they asked and how to contact them; then book (or make a request)."""
    state = request.session.get(SESSION_KEY) or {}
    if state.get("prison") != prison.slug:
        return redirect("staff:book", prison=prison.slug)
    today = timezone.localdate()
    first, last = today, today + timedelta(days=prison.booking_window)
    try:
        context = prisoner_context(state["number"], first=first, last=last)
    except NomisUnavailable:
        messages.error(request, _("NOMIS is not answering. Try again in a few minutes."))
        return redirect("staff:book", prison=prison.slug)
    if context is None:
        return redirect("staff:book", prison=prison.slug)
    contacts = {str(c.contact_id): c for c in context.approved}
    availability = sessions_available(prison=prison, prisoner=context, closed=False, from_date=first, to_date=last)
    choices = [
        (
            a.session.id,
            session_label(a.session)
            + (f" ({a.unbookable_text})" if a.unbookable else f" ({a.places_left} open places left)"),
        )
        for a in availability
        if a.unbookable in (None, "full", "no_allowance") and not has_started(a.session)
    ]
    form = BookForCallerForm(
        request.POST if request.method == "POST" else None,
        contacts=[(k, f"{c.first_name} {c.last_name} ({c.relationship})") for k, c in contacts.items()],
        sessions=choices,
        closed_because=_closed_because(context.prisoner, today),
    )
    if request.method == "POST" and form.is_valid():
        response = _book(request, prison, form, context, contacts)
        if response is not None:
            return response
    return render(
        request,
        "staff/book.html",
        {
            "prison": prison,
            "form": form,
            "prisoner": context.prisoner,
            "balance": context.balance,
            "active_nav": "book",
        },
        status=400 if request.method == "POST" else 200,
    )


def _book(
    request: HttpRequest,
    prison: Prison,
    form: BookForCallerForm,
    context: PrisonerContext,
    contacts: dict[str, ApprovedVisitor],
) -> HttpResponse | None:
    data = form.cleaned_data
    session = VisitSession.objects.get(pk=data["session"], prison=prison)
    chosen = [contacts[k] for k in data["visitors"]]
    party = [PartyMember(c.first_name, c.last_name, c.date_of_birth or date(1900, 1, 1)) for c in chosen]
    problems = party_problems(
        [m.date_of_birth for m in party],
        on=session.date,
        adult_age=prison.adult_age,
        max_visitors=prison.max_visitors,
        max_adults=prison.max_adults,
    )
    if problems:
        form.add_error(
            "visitors",
            _(PARTY_MESSAGES[problems[0]]).format(
                max_visitors=prison.max_visitors, max_adults=prison.max_adults, adult_age=prison.adult_age
            ),
        )
        return None
    decision = decide(
        prisoner=context.prisoner, balance=context.balance, approved=context.approved, party=party, on=session.date
    )
    actor = Actor(user=request.user)  # type: ignore[arg-type]
    if "visit_type" in data:  # the clerk chose open or closed for a prisoner with a closed-visits restriction
        decision = staff_chose_visit_type(decision, closed=data["visit_type"] == "closed")
    refusals = {r.code for r in decision.reasons} if decision.outcome == Outcome.REFUSE else set()
    if refusals and not (refusals == {RefusalReason.NO_ALLOWANCE} and data.get("override_allowance")):
        form.add_error(None, "; ".join(r.message for r in decision.reasons))
        return None
    prisoner = context.prisoner
    try:
        visit = visit_reserve(
            session=session,
            closed=decision.closed,
            party=party,
            channel=data["channel"],
            actor=actor,
            prisoner=PrisonerDetails(
                prisoner.number, prisoner.first_name, prisoner.last_name, prisoner.date_of_birth, prisoner.location
            ),
            non_associations=context.non_associations,
            visitor_contact_ids=decision.matches,
            override=Override("capacity", data["overbook_reason"]) if data.get("overbook") else None,
            allowance_override=Override("allowance", data["override_allowance_reason"]) if refusals else None,
        )
        contact = ContactDetails(
            email=data.get("email", ""),
            phone=data.get("phone", ""),
            wants_email=bool(data.get("email")),
            wants_sms=bool(data.get("phone")),
        )
        if decision.outcome == Outcome.REQUEST:
            visit = visit_request(visit=visit, contact=contact, actor=actor, reasons=[r.code for r in decision.reasons])
        else:
            visit = visit_book(visit=visit, contact=contact, actor=actor)
    except BookingError as error:
        form.add_error(
            "session",
            _("This session is full. Tick overbook and give a reason to book it anyway.")
            if error.code == "full"
            else error.message,
        )
        return None
    request.session.pop(SESSION_KEY, None)
    messages.success(
        request,
        (_("Request created: %(ref)s") if visit.state == "requested" else _("Visit booked: %(ref)s"))
        % {"ref": visit.reference},
    )
    return redirect("staff:visit", prison=prison.slug, reference=visit.reference)


def _closed_because(prisoner: Prisoner, day: date) -> str:
    """Why this prisoner's visits must be closed (a restriction in force), for the clerk choosing; '' if not."""
    restriction = closed_visits_restriction(prisoner, day)
    if restriction is None:
        return ""
    until = (
        _("until %(date)s") % {"date": govuk_date(restriction.end_date)}
        if restriction.end_date
        else _("with no end date")
    )
    reason = _("%(name)s has a closed visits restriction, %(until)s.") % {
        "name": f"{prisoner.first_name} {prisoner.last_name}",
        "until": until,
    }
    return f"{reason} {restriction.comment}".strip()
