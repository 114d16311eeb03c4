"""The stub NOMIS debug page: see and change the injected faults, fire prisoner events.

Shown only with DEBUG on or to a signed-in staff user or superuser; anyone else gets a 404, as if it were not
there. Nothing changes on GET. With DEBUG off, the faults (which are NOMIS's as a whole, so every prison's) are
changed only by a superuser, and a prison's staff fire and see events only for prisoners at the prisons they cover.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from prisons.models import Prison
from prisons.nomis.interface import EventType, RestrictionType
from prisons.nomis.stub import models as stub
from prisons.nomis.stub.faults import faults_from_settings, faults_in_force, faults_override
from prisons.nomis.stub.forms import DOWN, DOWN_FROM_SETTING, UP, EventForm, FaultsForm
from prisons.nomis.stub.known_prisoners import KNOWN_PRISONERS
from prisons.nomis.stub.services import StubDataError, event_fire, faults_override_set

RECENT_EVENTS = 10
View = Callable[..., HttpResponse]


def debug_or_staff_only(view: View) -> View:
    """404 unless DEBUG is on or the user is signed in as staff or a superuser."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not (settings.DEBUG or (user.is_authenticated and (user.is_staff or user.is_superuser))):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


@require_safe
@debug_or_staff_only
def debug_page(request: HttpRequest) -> HttpResponse:
    """The faults in force, with forms to change them and to fire an event."""
    return _render(request)


def may_change_faults(request: HttpRequest) -> bool:
    return bool(settings.DEBUG or request.user.is_superuser)


def covered_codes(request: HttpRequest) -> set[str] | None:
    """The NOMIS codes of the prisons this user covers; None where they may act on every prison (DEBUG, superuser)."""
    if may_change_faults(request):
        return None
    return set(Prison.objects.filter(staff_access__user=request.user).values_list("code", flat=True))


@require_POST
@debug_or_staff_only
def faults_update(request: HttpRequest) -> HttpResponse:
    """Save the runtime fault override."""
    if not may_change_faults(request):
        raise PermissionDenied
    form = FaultsForm(request.POST, settings_faults=faults_from_settings())
    if not form.is_valid():
        return _render(request, faults_form=form)
    faults_override_set(
        latency_ms=form.cleaned_data["latency_ms"],
        failure_rate=form.cleaned_data["failure_rate"],
        down=form.down_override,
    )
    messages.success(request, "Fault injection updated")
    return redirect("nomis_stub:debug")


@require_POST
@debug_or_staff_only
def event_create(request: HttpRequest) -> HttpResponse:
    """Fire a prisoner event in the stub."""
    form = EventForm(request.POST)
    codes = covered_codes(request)
    if form.is_valid() and codes is not None:
        at = stub.Prisoner.objects.filter(number=form.cleaned_data["prisoner_number"]).values_list("prison_code")
        if not at.filter(prison_code__in=codes).exists():
            form.add_error("prisoner_number", "Enter the number of a prisoner at a prison you cover")
    if form.is_valid():
        data = form.cleaned_data
        try:
            event = event_fire(
                event_type=EventType(data["event_type"]),
                prisoner_number=data["prisoner_number"],
                to_prison=data["to_prison"] or None,
                contact_id=data["contact_id"],
                end_date=data["end_date"],
                restriction=RestrictionType(data["restriction"]) if data["restriction"] else None,
                visiting_orders=data["visiting_orders"],
                privileged_visiting_orders=data["privileged_visiting_orders"],
            )
        except StubDataError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Event {event.id} fired: {event.type} for {event.prisoner_number}")
            return redirect("nomis_stub:debug")
    return _render(request, event_form=form)


def _render(
    request: HttpRequest, *, faults_form: FaultsForm | None = None, event_form: EventForm | None = None
) -> HttpResponse:
    from_settings = faults_from_settings()
    override = faults_override()
    codes = covered_codes(request)
    if faults_form is None:
        down_choice = DOWN_FROM_SETTING if override is None or override.down is None else DOWN if override.down else UP
        initial = {
            "latency_ms": override.latency_ms if override else None,
            "failure_rate": override.failure_rate if override else None,
            "down": down_choice,
        }
        faults_form = FaultsForm(initial=initial, settings_faults=from_settings)
    context = {
        "faults_form": faults_form,
        "event_form": event_form or EventForm(),
        "from_settings": from_settings,
        "override": override,
        "in_force": faults_in_force(),
        "events": list(_events_shown(request)),
        "known_prisoners": [p for p in KNOWN_PRISONERS if codes is None or p.prison_code in codes],
        "may_change_faults": may_change_faults(request),
        "form_with_errors": faults_form if faults_form.has_errors else event_form,
    }
    return render(request, "nomis_stub/debug.html", context)


def _events_shown(request: HttpRequest) -> Any:
    """The latest events, of prisoners now at the prisons the user covers (all of them for a superuser)."""
    events = stub.Event.objects.order_by("-id")
    codes = covered_codes(request)
    if codes is not None:
        numbers = stub.Prisoner.objects.filter(prison_code__in=codes).values("number")
        events = events.filter(prisoner_number__in=numbers)
    return events[:RECENT_EVENTS]
