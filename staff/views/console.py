"""The staff console's pages for one prison: today, visits by date, a visit, requests, flags, search, the sheet."""

from __future__ import annotations

import csv
from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_safe

from common.input_guard import whole_number
from performance.charts import figure_charts
from performance.figures import complete_weeks, weekly_figures
from prisons.models import Prison, VisitSession
from staff.access import staff_view
from staff.forms import (
    ApproveForm,
    ApproveVisitorForm,
    AttendanceForm,
    ChangeVisitForm,
    ReasonForm,
    RefuseVisitorForm,
    RejectForm,
    ResolveFlagForm,
)
from staff.selectors import (
    FIGURE_PERIODS,
    dashboard_counts,
    flagged_visits,
    has_started,
    nomis_checks,
    nomis_checks_count,
    performance_figures,
    requests_waiting,
    search_visits,
    sessions_with_counts,
    visit_for_staff,
    visitor_cancellations,
    visits_on,
    visits_unsynced,
    waiting_lists_on,
)
from visits.errors import BookingError
from visits.lifecycle import retention_cutoff
from visits.models import Channel, Visit, VisitFlag, VisitState
from visits.rules import ReviewReason, age_on
from visits.services import (
    Actor,
    Override,
    cancellation_acknowledge,
    flag_clear,
    request_approve,
    request_reject,
    visit_cancel,
    visit_change,
    visit_record_attendance,
    visitor_approve,
    visitor_refuse,
)

# Why a booking became a request, as the staff member deciding it needs to read it.
WHY_A_REQUEST = {
    ReviewReason.VISITOR_NOT_APPROVED: _lazy("A visitor is not on the prisoner's approved visitor list"),
    ReviewReason.CLOSED_VISIT: _lazy("Visits to this prisoner must be closed visits"),
    ReviewReason.VISITOR_BANNED: _lazy("A visitor is banned from visiting for now"),
    ReviewReason.CHILD_PROTECTION: _lazy("Children are visiting a prisoner with a child protection restriction"),
    ReviewReason.ALLOWANCE_UNKNOWN: _lazy("NOMIS has no visit balance for the prisoner: check their allowance"),
}


# Days a staff page can be asked for: far enough either way for any real visit, and never at the calendar's ends,
# where the previous and next day links would overflow.
EARLIEST_DAY, LATEST_DAY = date(2000, 1, 1), date(2099, 12, 31)


def _day(request: HttpRequest) -> date:
    """The ``date`` asked for (today when none, or not a date); a date outside the service's years is not found."""
    try:
        day = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return timezone.localdate()
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise Http404("No visits on that date")
    return day


def _visit(prison: Prison, reference: str) -> Visit:
    visit = visit_for_staff(prison=prison, reference=reference)
    if visit is None:
        raise Http404
    return visit


def _staff(request: HttpRequest) -> Actor:
    return Actor(user=request.user)  # type: ignore[arg-type]


def _override(form: object) -> Override | None:
    data = form.cleaned_data  # type: ignore[attr-defined]
    return Override("capacity", data["overbook_reason"]) if data.get("overbook") else None


@staff_view("view_visits")
@require_safe
def today(request: HttpRequest, prison: Prison) -> HttpResponse:
    """Today's sessions with places taken, and the requests and flags waiting."""
    day = timezone.localdate()
    return render(
        request,
        "staff/today.html",
        {
            "prison": prison,
            "day": day,
            "sessions": sessions_with_counts(prison=prison, day=day),
            "counts": dashboard_counts(prison=prison),
            "nomis_checks": nomis_checks_count(prison=prison),
            "active_nav": "today",
        },
    )


@staff_view("view_visits")
@require_safe
def visits_by_date(request: HttpRequest, prison: Prison) -> HttpResponse:
    """The visits on a date, session by session."""
    day = _day(request)
    sessions = sessions_with_counts(prison=prison, day=day)
    visits = visits_on(prison=prison, day=day)
    by_session = {s.id: [v for v in visits if v.session_id == s.id] for s in sessions}
    waiting = waiting_lists_on(prison=prison, day=day)
    return render(
        request,
        "staff/visits.html",
        {
            "prison": prison,
            "day": day,
            "sessions": sessions,
            "by_session": by_session,
            "waiting": {s.id: [e for e in waiting if e.session_id == s.id] for s in sessions},
            "previous": day - timedelta(days=1),
            "next": day + timedelta(days=1),
            "active_nav": "visits",
        },
    )


@staff_view("view_visits")
@require_safe
def visit_detail(request: HttpRequest, prison: Prison, reference: str) -> HttpResponse:
    """A visit with its people, its flags and its timeline: every event, who, when, why, which channel."""
    visit = _visit(prison, reference)
    return render(
        request,
        "staff/visit.html",
        {
            "prison": prison,
            "visit": visit,
            "visitors": list(visit.visitors.all()),
            "events": list(visit.events.all())[::-1],
            "flags": [f for f in visit.flags.all() if f.cleared_at is None],
            "preferences": list(visit.preferences.all()),
            "active_nav": "visits",
        },
    )


@staff_view("book_visits")
@require_http_methods(["GET", "HEAD", "POST"])
def visit_cancel_view(request: HttpRequest, prison: Prison, reference: str) -> HttpResponse:
    """Cancel a visit with a reason (up to 28 days after it)."""
    visit = _visit(prison, reference)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            visit_cancel(visit=visit, reason=form.cleaned_data["reason"], actor=_staff(request))
        except BookingError as error:
            form.add_error(None, error.message)
        else:
            _clear_flags(visit, request, _("Cancelled: ") + form.cleaned_data["reason"])
            messages.success(request, _("Visit cancelled"))
            return redirect("staff:visit", prison=prison.slug, reference=reference)
    return render(
        request,
        "staff/form.html",
        {"prison": prison, "form": form, "visit": visit, "title": _("Cancel this visit"), "button": _("Cancel visit")},
    )


@staff_view("book_visits")
@require_http_methods(["GET", "HEAD", "POST"])
def visit_change_view(request: HttpRequest, prison: Prison, reference: str) -> HttpResponse:
    """Move a visit to another session; the old place is kept until the new one is secured."""
    visit = _visit(prison, reference)
    today_date = timezone.localdate()
    sessions = list(
        VisitSession.objects.filter(
            prison=prison, date__range=(today_date, today_date + timedelta(days=28)), blocked=False, removed=False
        ).exclude(id=visit.session_id)
    )
    sessions = [s for s in sessions if not has_started(s)]
    form = ChangeVisitForm(request.POST if request.method == "POST" else None, sessions=sessions)
    if request.method == "POST" and form.is_valid():
        try:
            visit_change(
                visit=visit,
                session=next(s for s in sessions if s.id == form.cleaned_data["session"]),
                actor=_staff(request),
                reason=form.cleaned_data["reason"],
                override=_override(form),
            )
        except BookingError as error:
            form.add_error(
                "session",
                error.message
                if error.code != "full"
                else _("This session is full. Tick overbook and give a reason to book it anyway."),
            )
        else:
            _clear_flags(visit, request, _("Changed: ") + form.cleaned_data["reason"])
            messages.success(request, _("Visit time changed"))
            return redirect("staff:visit", prison=prison.slug, reference=reference)
    return render(
        request,
        "staff/form.html",
        {
            "prison": prison,
            "form": form,
            "visit": visit,
            "title": _("Change the time of this visit"),
            "button": _("Change time"),
        },
    )


@staff_view("record_attendance")
@require_http_methods(["GET", "HEAD", "POST"])
def visit_attendance(request: HttpRequest, prison: Prison, reference: str) -> HttpResponse:
    """Record whether the visit happened."""
    visit = _visit(prison, reference)
    form = AttendanceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            visit_record_attendance(visit=visit, attended=form.cleaned_data["attended"] == "yes", actor=_staff(request))
        except BookingError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Attendance recorded"))
            return redirect("staff:visit", prison=prison.slug, reference=reference)
    return render(
        request,
        "staff/form.html",
        {"prison": prison, "form": form, "visit": visit, "title": _("Did the visit happen?"), "button": _("Save")},
    )


@staff_view("process_requests")
@require_safe
def request_list(request: HttpRequest, prison: Prison) -> HttpResponse:
    """Requests waiting for a decision."""
    return render(
        request,
        "staff/requests.html",
        {"prison": prison, "visits": requests_waiting(prison=prison), "active_nav": "requests"},
    )


@staff_view("process_requests")
@require_http_methods(["GET", "HEAD", "POST"])
def request_process(request: HttpRequest, prison: Prison, reference: str) -> HttpResponse:
    """Approve a request into one of its preferences, refuse a visitor, or reject it with reasons."""
    visit = _visit(prison, reference)
    if visit.state != VisitState.REQUESTED:
        messages.info(request, _("This request has already been processed by someone else"))
        return redirect("staff:visit", prison=prison.slug, reference=reference)
    sessions = [p.session for p in visit.preferences.all()]
    action = request.POST.get("action")
    data = request.POST if request.method == "POST" else None
    approve = ApproveForm(data if action == "approve" else None, sessions=sessions, prefix="approve")
    reject = RejectForm(data if action == "reject" else None, prefix="reject")
    refuse = RefuseVisitorForm(
        data if action == "refuse" else None,
        prefix="refuse",
        visitors=[v for v in visit.visitors.all() if not v.refused],
    )
    allow = ApproveVisitorForm(
        data if action == "allow" else None,
        prefix="allow",
        visitors=[v for v in visit.visitors.all() if v.needs_decision],
    )
    actor = _staff(request)
    try:
        if action == "approve" and approve.is_valid():
            session = next(s for s in sessions if s.id == approve.cleaned_data["session"])
            request_approve(visit=visit, session=session, actor=actor, override=_override(approve))
            messages.success(request, _("Request approved: the visit is booked and the visitor told"))
            return redirect("staff:requests", prison=prison.slug)
        if action == "reject" and reject.is_valid():
            request_reject(
                visit=visit,
                reasons=reject.cleaned_data["reasons"],
                actor=actor,
                allowance_renews_on=reject.cleaned_data.get("renews_on"),
                other_reason=reject.cleaned_data.get("other_reason", ""),
                message=reject.cleaned_data.get("message", ""),
            )
            messages.success(request, _("Request rejected and the visitor told"))
            return redirect("staff:requests", prison=prison.slug)
        if action == "refuse" and refuse.is_valid():
            visitor = next(v for v in visit.visitors.all() if v.id == refuse.cleaned_data["visitor"])
            after = visitor_refuse(
                visit=visit,
                visitor=visitor,
                reason=refuse.cleaned_data["reason"],
                kind=refuse.cleaned_data["kind"],
                actor=actor,
            )
            if after.state == VisitState.REJECTED:
                messages.success(
                    request,
                    _(
                        "Visitor refused. The visit cannot go ahead without them: the request is rejected and the "
                        "visitor told"
                    ),
                )
                return redirect("staff:requests", prison=prison.slug)
            messages.success(request, _("Visitor refused"))
            return redirect("staff:request", prison=prison.slug, reference=reference)
        if action == "allow" and allow.is_valid():
            visitor = next(v for v in visit.visitors.all() if v.id == allow.cleaned_data["visitor"])
            visitor_approve(visit=visit, visitor=visitor, actor=actor)
            messages.success(request, _("Visitor approved for this visit"))
            return redirect("staff:request", prison=prison.slug, reference=reference)
    except BookingError as error:
        if error.code == "already_processed":
            messages.info(request, _("This request has already been processed by someone else"))
            return redirect("staff:visit", prison=prison.slug, reference=reference)
        form = {"approve": approve, "reject": reject, "refuse": refuse, "allow": allow}.get(action or "", approve)
        form.add_error(
            None,
            error.message
            if error.code != "full"
            else _("This session is full. Tick overbook and give a reason to book it anyway."),
        )
    requested = next((e for e in visit.events.all() if e.type == "requested"), None)
    why = [str(WHY_A_REQUEST.get(code, code)) for code in (requested.data.get("reasons", []) if requested else [])]
    return render(
        request,
        "staff/request.html",
        {
            "prison": prison,
            "visit": visit,
            "visitors": list(visit.visitors.all()),
            "approve": approve,
            "reject": reject,
            "refuse": refuse,
            "allow": allow,
            "why": why,
            "active_nav": "requests",
        },
        status=400 if request.method == "POST" else 200,
    )


@staff_view("review_flags")
@require_safe
def flag_list(request: HttpRequest, prison: Prison) -> HttpResponse:
    """Visits flagged for review: change, cancel or keep each one."""
    return render(
        request,
        "staff/flagged.html",
        {"prison": prison, "visits": flagged_visits(prison=prison), "active_nav": "flagged"},
    )


@staff_view("review_flags")
@require_http_methods(["GET", "HEAD", "POST"])
def flag_keep(request: HttpRequest, prison: Prison, reference: str) -> HttpResponse:
    """Keep a flagged visit as it is, with a reason."""
    visit = _visit(prison, reference)
    form = ResolveFlagForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        _clear_flags(visit, request, _("Kept: ") + form.cleaned_data["resolution"])
        messages.success(request, _("Visit kept"))
        return redirect("staff:flagged", prison=prison.slug)
    return render(
        request,
        "staff/form.html",
        {"prison": prison, "form": form, "visit": visit, "title": _("Keep this visit"), "button": _("Keep visit")},
    )


def _clear_flags(visit: Visit, request: HttpRequest, resolution: str) -> None:
    for flag in VisitFlag.objects.filter(visit=visit, cleared_at__isnull=True):
        flag_clear(flag=flag, resolution=resolution, actor=_staff(request))


@staff_view("view_visits")
@require_safe
def cancellations(request: HttpRequest, prison: Prison) -> HttpResponse:
    """Visits their visitors cancelled, until someone marks each as seen (and removes it from NOMIS if it is there)."""
    return render(
        request,
        "staff/cancellations.html",
        {"prison": prison, "visits": visitor_cancellations(prison=prison), "active_nav": "today"},
    )


@staff_view("review_flags")
@require_http_methods(["POST"])
def cancellation_seen(request: HttpRequest, prison: Prison, reference: str) -> HttpResponse:
    """Mark a visitor's cancellation as seen: it leaves the list."""
    try:
        cancellation_acknowledge(visit=_visit(prison, reference), actor=_staff(request))
        messages.success(request, _("Marked as seen: %(reference)s") % {"reference": reference})
    except BookingError as error:
        messages.info(request, error.message)
    return redirect("staff:cancellations", prison=prison.slug)


@staff_view("view_visits")
@require_safe
def unsynced(request: HttpRequest, prison: Prison) -> HttpResponse:
    """Visits whose last change has not reached NOMIS yet (it retries by itself)."""
    return render(
        request,
        "staff/unsynced.html",
        {"prison": prison, "visits": visits_unsynced(prison=prison), "active_nav": "today"},
    )


@staff_view("view_visits")
@require_safe
def nomis_checks_list(request: HttpRequest, prison: Prison) -> HttpResponse:
    """What NOMIS holds wrongly about the prison's prisoners, for someone with NOMIS to put right."""
    return render(
        request,
        "staff/nomis-checks.html",
        {"prison": prison, "checks": nomis_checks(prison=prison), "active_nav": "today"},
    )


@staff_view("view_visits")
@require_safe
def performance(request: HttpRequest, prison: Prison) -> HttpResponse:
    """The prison's figures for the last 7 days, 4 weeks or 12 weeks: bookings, requests, cancellations, attendance;
    then the last 12 complete weeks drawn week by week, as the public dashboard draws them (performance.charts)."""
    weeks_number = whole_number(request.GET.get("weeks"))
    if weeks_number not in FIGURE_PERIODS:
        weeks_number = 4
    today = timezone.localdate()
    figures = performance_figures(prison=prison, first=today - timedelta(days=7 * weeks_number - 1), last=today)
    weekly = weekly_figures(period=complete_weeks(today), prison=prison)
    channels = dict(Channel.choices)
    return render(
        request,
        "staff/performance.html",
        {
            "prison": prison,
            "figures": figures,
            "booked_by_channel": sorted(
                ((str(channels.get(channel, channel)), count) for channel, count in figures.booked_by_channel.items()),
                key=lambda item: -item[1],
            ),
            "periods": [
                {"value": str(n), "text": _(label), "checked": n == weeks_number} for n, label in FIGURE_PERIODS.items()
            ],
            "weekly": weekly,
            "charts": figure_charts(weekly),
            "nomis_checks": nomis_checks_count(prison=prison),
            "active_nav": "performance",
        },
    )


@staff_view("view_visits")
@require_safe
def search(request: HttpRequest, prison: Prison) -> HttpResponse:
    """Find visits by reference, prisoner number or visitor name."""
    query = request.GET.get("q", "")[:100]
    return render(
        request,
        "staff/search.html",
        {"prison": prison, "query": query, "visits": search_visits(prison=prison, query=query), "active_nav": "search"},
    )


@staff_view("view_visits")
@require_safe
def visit_sheet(request: HttpRequest, prison: Prison) -> HttpResponse:
    """The visit sheet for a day or one session: printable (one page a session) or CSV. Not for a day before the
    retention period: its visits have been anonymised."""
    day = _day(request)
    if day < retention_cutoff():
        return render(
            request,
            "staff/sheet-too-old.html",
            {"prison": prison, "day": day, "months": settings.RETENTION_MONTHS, "active_nav": "visits"},
            status=400,
        )
    session_id = request.GET.get("session")
    sessions = sessions_with_counts(prison=prison, day=day)
    if session_id:
        sessions = [s for s in sessions if str(s.id) == session_id]
        if not sessions:
            raise Http404
    visits = [
        v
        for v in visits_on(prison=prison, day=day)
        if v.state in (VisitState.BOOKED, VisitState.ATTENDED, VisitState.NO_SHOW)
    ]
    by_session = {s.id: [v for v in visits if v.session_id == s.id] for s in sessions}
    if request.GET.get("format") == "csv":
        return _sheet_csv(prison, day, sessions, by_session)
    return render(
        request,
        "staff/sheet.html",
        {
            "prison": prison,
            "day": day,
            "sessions": sessions,
            "by_session": by_session,
            "age_on": age_on,
            "active_nav": "visits",
        },
    )


def _sheet_csv(
    prison: Prison, day: date, sessions: list[VisitSession], by_session: dict[int, list[Visit]]
) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="visits-{prison.slug}-{day.isoformat()}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["Session", "Reference", "Prisoner", "Prisoner number", "Location", "Type", "Visitors", "Support needs"]
    )
    for session in sessions:
        for visit in by_session[session.id]:
            visitors = "; ".join(
                f"{v.first_name} {v.last_name} ({age_on(v.date_of_birth, day) if v.date_of_birth else '?'})"
                for v in visit.visitors.all()
                if not v.refused
            )
            writer.writerow(
                [
                    f"{session.start_time:%H:%M}-{session.end_time:%H:%M}",
                    visit.reference,
                    _csv_safe(f"{visit.prisoner_first_name} {visit.prisoner_last_name}"),
                    visit.prisoner_number,
                    visit.prisoner_location,
                    "Closed" if visit.closed else "Open",
                    _csv_safe(visitors),
                    _csv_safe(visit.support_summary),
                ]
            )
    return response


def _csv_safe(text: str) -> str:
    """Stop a spreadsheet from running a formula someone typed into a name."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
