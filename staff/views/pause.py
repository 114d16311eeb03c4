"""The maintenance switch in the console: pause online booking at a prison (or at every prison) and resume it."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.maintenance import PauseError, booking_pause, booking_resume, live_pause, pause_history
from accounts.models import BookingPause
from common.input_guard import whole_number
from prisons.models import Prison
from staff.access import staff_view
from staff.forms import BookingPauseForm

NATIONAL_PERMISSION = "staff.pause_booking_nationally"


@staff_view("pause_booking")
@require_http_methods(["GET", "HEAD", "POST"])
def booking_pause_view(request: HttpRequest, prison: Prison) -> HttpResponse:
    """Pause online booking with a message for visitors, see whether it is paused, resume it, and the history."""
    national_allowed = request.user.has_perm(NATIONAL_PERMISSION)
    if request.method == "POST" and "resume" in request.POST:
        return _resume(request, prison, national_allowed=national_allowed)
    prison_pause, national_pause = live_pause(prison), live_pause(None)
    form = BookingPauseForm(request.POST if request.method == "POST" else None, national_allowed=national_allowed)
    if request.method == "POST" and not (prison_pause or national_pause) and form.is_valid():
        national = form.cleaned_data.get("scope") == "national"
        try:
            booking_pause(
                prison=None if national else prison,
                message=form.cleaned_data["message"],
                message_cy=form.cleaned_data["message_cy"],
                user=request.user,  # type: ignore[arg-type]
            )
        except PauseError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("Online booking is paused at every prison") if national else _("Online booking is paused")
            )
            return redirect("staff:booking-pause", prison=prison.slug)
    return render(
        request,
        "staff/booking-pause.html",
        {
            "prison": prison,
            "form": form,
            "prison_pause": prison_pause,
            "national_pause": national_pause,
            "national_allowed": national_allowed,
            "paused_by_setting": settings.BOOKING_PAUSED,
            "history": pause_history(prison),
            "active_nav": "booking-pause",
        },
    )


def _resume(request: HttpRequest, prison: Prison, *, national_allowed: bool) -> HttpResponse:
    """Lift this prison's pause, or the national one for those allowed to."""
    pause_id = whole_number(request.POST.get("resume"))
    if pause_id is None:
        raise Http404("No such pause")
    pause = get_object_or_404(BookingPause.objects.filter(resumed_at__isnull=True), pk=pause_id)
    if pause.prison_id not in (prison.id, None):
        raise Http404("Not a pause of this prison")
    if pause.prison_id is None and not national_allowed:
        raise PermissionDenied
    try:
        booking_resume(pause=pause, user=request.user)  # type: ignore[arg-type]
    except PauseError as error:
        messages.warning(request, error.message)
    else:
        messages.success(request, _("Online booking has resumed"))
    return redirect("staff:booking-pause", prison=prison.slug)
