"""Manage a visit: from the signed link in every message, or by reference and email. View, cancel before it
starts, withdraw a request, change the time (the visit keeps its old time until the new one is secured)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from journey import ratelimit
from journey.forms import CancelForm, ChooseTimeForm, FindVisitForm
from journey.picker import Filters, build_picker
from prisons.models import VisitSession
from prisons.nomis import NomisUnavailable
from visits.errors import BookingError
from visits.links import ended_by_the_visitor_for_token, manage_token, visit_for_token
from visits.models import Visit, VisitState
from visits.selectors import cached_prisoner_context, sessions_available
from visits.services import Actor, request_withdraw, visit_cancel, visit_change, visit_starts_at


def _visit_or_expired(request: HttpRequest, token: str, *, ending: bool = False) -> Visit | HttpResponse:
    """The link's visit, or the "expired" page. ``ending``: the cancel and withdraw pages, where a link that ended
    because its visitor already cancelled (or withdrew) says so instead: the same form sent again from another tab."""
    visit = visit_for_token(token)
    if visit is None:
        ended = ended_by_the_visitor_for_token(token) if ending else None
        if ended is not None:
            withdrawn = ended.state == VisitState.WITHDRAWN
            return render(request, "journey/already-ended.html", {"withdrawn": withdrawn})
        return render(request, "journey/manage-link-expired.html", status=404)
    return visit


@require_http_methods(["GET", "HEAD", "POST"])
def find_visit(request: HttpRequest) -> HttpResponse:
    """Find a visit by reference and the email it was booked with (rate-limited)."""
    form = FindVisitForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if not ratelimit.allow("visit-lookup", ratelimit.client_key(request), ratelimit.VISIT_LOOKUPS_PER_CLIENT):
            return render(request, "journey/too-many-attempts.html", status=429)
        visit = Visit.objects.filter(
            reference=form.cleaned_data["reference"], contact_email__iexact=form.cleaned_data["email"].strip()
        ).first()
        if visit is not None and visit_for_token(manage_token(visit)) is not None:
            return redirect("visits:manage-link", token=manage_token(visit))
        if visit is not None and visit.state in (VisitState.CANCELLED, VisitState.WITHDRAWN):
            request.session[ENDED_KEY] = visit.reference  # the visitor ended it: say so, and offer to book again
            return redirect("visits:visit-ended")
        form.add_error(None, _("We could not find a visit with that reference and email address"))
    return render(request, "journey/find-visit.html", {"form": form, "back_url": "/"})


@require_safe
def manage_link(request: HttpRequest, token: str) -> HttpResponse:
    """The visit a signed link is for: its reference, time, visitors, state and what can be done."""
    visit = _visit_or_expired(request, token)
    if isinstance(visit, HttpResponse):
        return visit
    started = timezone.now() >= visit_starts_at(visit)
    return render(
        request,
        "journey/manage.html",
        {
            "visit": visit,
            "visitors": list(visit.visitors.all()),
            "token": token,
            "can_cancel": visit.state == VisitState.BOOKED and not started,
            "can_withdraw": visit.state == VisitState.REQUESTED,
            "can_change": visit.state == VisitState.BOOKED and not started,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    """Cancel a booked visit, with a reason, before it starts."""
    visit = _visit_or_expired(request, token, ending=True)
    if isinstance(visit, HttpResponse):
        return visit
    if visit.state != VisitState.BOOKED:
        messages.info(
            request,
            _("This visit has already been cancelled")
            if visit.state == VisitState.CANCELLED
            else _("This visit cannot be cancelled online. Phone the prison."),
        )
        return redirect("visits:manage-link", token=token)
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            visit_cancel(
                visit=visit,
                reason=str(dict(form.fields["reason"].choices)[form.cleaned_data["reason"]]),
                actor=Actor.visitor(),
            )
        except BookingError as error:
            form.add_error(None, _(error.message))
        else:
            request.session[ENDED_KEY] = visit.reference
            return redirect("visits:visit-ended")
    return render(request, "journey/cancel.html", {"form": form, "visit": visit, "back_url": f"/visit/{token}"})


@require_http_methods(["GET", "HEAD", "POST"])
def withdraw(request: HttpRequest, token: str) -> HttpResponse:
    """Withdraw a request the prison has not decided yet."""
    visit = _visit_or_expired(request, token, ending=True)
    if isinstance(visit, HttpResponse):
        return visit
    if visit.state != VisitState.REQUESTED:
        messages.info(
            request,
            _("You have already withdrawn this request")
            if visit.state == VisitState.WITHDRAWN
            else _("The prison has already dealt with this request"),
        )
        return redirect("visits:manage-link", token=token)
    error = None
    if request.method == "POST":
        try:
            request_withdraw(visit=visit)
        except BookingError as problem:
            error = _(problem.message)
        else:
            request.session[ENDED_KEY] = visit.reference
            return redirect("visits:visit-ended")
    return render(request, "journey/withdraw.html", {"visit": visit, "error": error, "back_url": f"/visit/{token}"})


@require_http_methods(["GET", "HEAD", "POST"])
def change_time(request: HttpRequest, token: str) -> HttpResponse:
    """Choose a new time; the visit keeps its old time until the new one is secured."""
    visit = _visit_or_expired(request, token)
    if isinstance(visit, HttpResponse):
        return visit
    prison = visit.prison
    first, last = prison.bookable_window(timezone.localdate())
    try:
        context = cached_prisoner_context(visit.prisoner_number, first=first, last=last)
    except NomisUnavailable:
        return render(request, "journey/nomis-unavailable.html", {"prison": prison}, status=503)
    if context is None:
        return render(request, "journey/drop-out/released.html", {"prison": prison})
    availability = sessions_available(
        prison=prison, prisoner=context, closed=visit.closed, from_date=first, to_date=last
    )
    error = None
    if request.method == "POST":
        form = ChooseTimeForm(request.POST, bookable_ids=[a.session.id for a in availability if a.bookable])
        if form.is_valid():
            try:
                visit_change(
                    visit=visit,
                    session=VisitSession.objects.get(pk=form.cleaned_data["session"]),
                    actor=Actor.visitor(),
                    non_associations=context.non_associations,
                )
            except BookingError as problem:
                error = _(problem.message)
            else:
                messages.success(request, _("Your visit time has been changed"))
                return redirect("visits:manage-link", token=token)
        else:
            error = form.errors["session"][0]
    filters = Filters.from_query(dict(request.GET.lists()))
    picker = build_picker(
        availability, first=first, last=last, filters=filters, exclude=[visit.session_id], error=error
    )
    return render(
        request,
        "journey/choose-time.html",
        {
            "picker": picker,
            "rank": 1,
            "error": error,
            "filters": filters,
            "prison": prison,
            "is_request": False,
            "reasons": (),
            "closed": visit.closed,
            "back_url": f"/visit/{token}",
            "action": request.path,
            "changing": visit,
        },
        status=200 if error is None else 400,
    )


ENDED_KEY = "ended_visit_reference"


@require_safe
def visit_ended(request: HttpRequest) -> HttpResponse:
    """Visit cancelled, or request withdrawn: what happened, and a way to book again. Its manage link no longer
    works (visits.links)."""
    reference = request.session.get(ENDED_KEY)
    visit = Visit.objects.select_related("prison", "session").filter(reference=reference).first() if reference else None
    if visit is None or visit.state not in (VisitState.CANCELLED, VisitState.WITHDRAWN):
        return redirect("visits:start")
    return render(
        request, "journey/visit-ended.html", {"visit": visit, "withdrawn": visit.state == VisitState.WITHDRAWN}
    )
