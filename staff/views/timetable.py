"""Blocking dates and sessions, and the weekly timetable: changed by the prison's own visits team."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from prisons.models import BlockedDate, Prison, SessionTemplate, VisitSession
from prisons.services import sessions_generate
from prisons.timetable import template_runs_on
from staff.access import staff_view
from staff.forms import BlockForm, PrisonSettingsForm, SessionTemplateForm
from visits.errors import BookingError
from visits.models import ACTIVE_STATES, Visit
from visits.outbox import visits_mailbox_change
from visits.services import Actor, sessions_block, sessions_unblock, visits_affected_by_block


@staff_view("block_dates")
@require_http_methods(["GET", "HEAD", "POST"])
def block(request: HttpRequest, prison: Prison) -> HttpResponse:
    """Block a date or a session: first show the visits it would affect, then block on confirmation."""
    form = BlockForm(request.POST if request.method == "POST" else None)
    affected = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        affected = visits_affected_by_block(prison_id=prison.id, day=data["date"], start_time=data["start_time"])
        if request.POST.get("confirm") == "yes":
            try:
                sessions_block(
                    prison=prison,
                    day=data["date"],
                    start_time=data["start_time"],
                    reason=data["reason"],
                    cancel_visits=data["visits"] == "cancel",
                    actor=Actor(user=request.user),
                )  # type: ignore[arg-type]
            except BookingError as error:
                form.add_error("date", error.message)
            else:
                if data["visits"] == "cancel":
                    text = ngettext(
                        "Blocked. %(n)s visit was cancelled.", "Blocked. %(n)s visits were cancelled.", len(affected)
                    )
                else:
                    text = ngettext(
                        "Blocked. %(n)s visit was flagged.", "Blocked. %(n)s visits were flagged.", len(affected)
                    )
                messages.success(request, text % {"n": len(affected)})
                return redirect("staff:blocks", prison=prison.slug)
    today = timezone.localdate()
    blocks = list(
        BlockedDate.objects.filter(prison=prison, date__gte=today)
        .select_related("changed_by")
        .order_by("date", "start_time")
    )
    return render(
        request,
        "staff/block.html",
        {"prison": prison, "form": form, "affected": affected, "blocks": blocks, "active_nav": "blocks"},
    )


@staff_view("block_dates")
@require_http_methods(["POST"])
def unblock(request: HttpRequest, prison: Prison, block_id: int) -> HttpResponse:
    """Remove a block."""
    sessions_unblock(block=get_object_or_404(BlockedDate, prison=prison, pk=block_id))
    messages.success(request, _("Unblocked"))
    return redirect("staff:blocks", prison=prison.slug)


@staff_view("edit_timetable")
@require_safe
def timetable(request: HttpRequest, prison: Prison) -> HttpResponse:
    """The weekly timetable: every session template, current and ended."""
    templates = list(
        SessionTemplate.objects.filter(prison=prison)
        .select_related("changed_by")
        .order_by("weekday", "start_time", "valid_from")
    )
    return render(
        request,
        "staff/timetable.html",
        {"prison": prison, "templates": templates, "today": timezone.localdate(), "active_nav": "timetable"},
    )


def _visits_left_without_session(
    prison: Prison, template: SessionTemplate | None, form: SessionTemplateForm
) -> list[Visit]:
    """Future visits in this template's sessions that the change would take out of the timetable."""
    if template is None:
        return []
    today = timezone.localdate()
    new = form.cleaned_data
    visits = Visit.objects.filter(
        prison=prison, session__template=template, session__date__gte=today, state__in=ACTIVE_STATES
    ).select_related("session")
    return [v for v in visits if not _template_would_run(new, v.session)]


def _template_would_run(new: dict[str, Any], session: VisitSession) -> bool:
    candidate = SessionTemplate(
        weekday=new["weekday"],
        start_time=new["start_time"],
        end_time=new["end_time"],
        valid_from=new["valid_from"],
        valid_to=new.get("valid_to"),
        every_n_weeks=new["every_n_weeks"],
    )
    return template_runs_on(candidate, session.date) and candidate.start_time == session.start_time


@staff_view("edit_timetable")
@require_http_methods(["GET", "HEAD", "POST"])
def template_edit(request: HttpRequest, prison: Prison, template_id: int | None = None) -> HttpResponse:
    """Add or change a session template. A change that leaves booked visits without a session says so first."""
    template = get_object_or_404(SessionTemplate, prison=prison, pk=template_id) if template_id else None
    form = SessionTemplateForm(
        request.POST if request.method == "POST" else None,
        instance=template,
        initial=None
        if template
        else {
            "valid_from": timezone.localdate() + timedelta(days=1),
            "every_n_weeks": 1,
            "open_capacity": 20,
            "closed_capacity": 2,
        },
    )
    stranded: list[Visit] = []
    if request.method == "POST" and form.is_valid():
        stranded = _visits_left_without_session(prison, template, form)
        if not stranded or request.POST.get("confirm") == "yes":
            saved = form.save(commit=False)
            saved.prison = prison
            saved.changed_by, saved.changed_at = request.user, timezone.now()
            saved.save()
            result = sessions_generate(today=timezone.localdate(), prisons=[prison])
            messages.success(
                request,
                _("Timetable saved. %(n)s sessions with visits need review.") % {"n": len(result.kept_for_review)}
                if result.kept_for_review
                else _("Timetable saved"),
            )
            return redirect("staff:timetable", prison=prison.slug)
    return render(
        request,
        "staff/template.html",
        {"prison": prison, "form": form, "template": template, "stranded": stranded, "active_nav": "timetable"},
    )


@staff_view("edit_timetable")
@require_http_methods(["GET", "HEAD", "POST"])
def prison_settings(request: HttpRequest, prison: Prison) -> HttpResponse:
    """The prison's settings beside its timetable: the visits mailbox that is emailed about requests and visitors'
    cancellations."""
    form = PrisonSettingsForm(request.POST if request.method == "POST" else None, instance=prison)
    if request.method == "POST" and form.is_valid():
        visits_mailbox_change(prison=prison, mailbox=form.cleaned_data["visits_mailbox"], by=request.user)
        messages.success(request, _("Settings saved"))
        return redirect("staff:timetable", prison=prison.slug)
    return render(request, "staff/timetable-settings.html", {"prison": prison, "form": form, "active_nav": "timetable"})
