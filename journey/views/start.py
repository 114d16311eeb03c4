"""The public pages: the start page and choosing a prison."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from accounts.maintenance import booking_paused
from journey.counting import journey_started
from journey.forms import ChoosePrisonForm
from journey.steps import Answers, next_url, paused_response
from journey.views.check import confirmation_forget
from prisons.selectors import prisons_bookable_online
from visits.services import hold_release


@require_safe
def start(request: HttpRequest) -> HttpResponse:
    """The service start page."""
    if (pause := booking_paused(None)) is not None:  # paused nationally: no journey to start
        return paused_response(request, pause=pause, prison=None)
    return render(request, "journey/start.html")


@require_http_methods(["GET", "HEAD", "POST"])
def choose_prison(request: HttpRequest) -> HttpResponse:
    """Which prison are you visiting? Every prison that takes online bookings."""
    if (pause := booking_paused(None)) is not None:
        return paused_response(request, pause=pause, prison=None)
    prisons = prisons_bookable_online()
    answers = Answers(request)
    # "Book another visit" links here with the prison of the visit just cancelled: it is offered, not chosen.
    offered = request.GET.get("prison") if any(p.slug == request.GET.get("prison") for p in prisons) else None
    form = ChoosePrisonForm(
        request.POST if request.method == "POST" else None,
        prisons=prisons,
        initial={"prison": answers.get("prison") or offered},
    )
    if request.method == "POST" and form.is_valid():
        chosen = next(p for p in prisons if p.slug == form.cleaned_data["prison"])
        if (pause := booking_paused(chosen)) is not None:  # paused at this prison: say so before the journey starts
            return paused_response(request, pause=pause, prison=chosen)
        confirmation_forget(request)  # a new journey: the last visit booked on this browser is no longer shown
        if answers.get("prison") != form.cleaned_data["prison"]:
            if answers.hold is not None:
                hold_release(visit=answers.hold)
            answers.clear()  # a different prison: start the journey afresh
            answers.set("prison", form.cleaned_data["prison"])
        journey_started(request, chosen)  # counted once
        return redirect(next_url(request, "prison"))
    return render(request, "journey/choose-prison.html", {"form": form, "back_url": "/"})
