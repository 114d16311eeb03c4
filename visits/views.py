"""The public pages: the start page and choosing a prison."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from prisons.selectors import prisons_bookable_online
from visits.forms import ChoosePrisonForm


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """The service start page."""
    return render(request, "visits/start.html")


@require_http_methods(["GET", "POST"])
def choose_prison(request: HttpRequest) -> HttpResponse:
    """Which prison are you visiting? Every prison that takes online bookings."""
    prisons = prisons_bookable_online()
    form = ChoosePrisonForm(request.POST if request.method == "POST" else None, prisons=prisons)
    if request.method == "POST" and form.is_valid():
        return redirect("prisons:detail", slug=form.cleaned_data["prison"])
    return render(request, "visits/choose-prison.html", {"form": form, "back_url": "/"})
