"""Drop-out pages: why a visit cannot be booked online, and what to do instead."""

from __future__ import annotations

from datetime import timedelta

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from journey.steps import Answers
from prisons.nomis import NomisUnavailable
from visits.selectors import cached_prisoner_context

REASONS = {
    "no-allowance",
    "moved",
    "released",
    "not-online",
    "no-adult",
    "nothing-bookable",
    "no-visits",
    "visitor-banned",
}


@require_safe
def drop_out(request: HttpRequest, reason: str) -> HttpResponse:
    """Say plainly why the visit cannot be booked online, and give the prison's phone number."""
    if reason not in REASONS:
        raise Http404
    answers = Answers(request)
    renews_on = None
    prisoner = answers.get("prisoner")
    if reason == "no-allowance" and prisoner:
        today = timezone.localdate()
        try:
            context = cached_prisoner_context(prisoner["number"], first=today, last=today + timedelta(days=28))
        except NomisUnavailable:
            context = None
        renews_on = context.balance.renews_on if context else None
    return render(request, f"journey/drop-out/{reason}.html", {"prison": answers.prison, "renews_on": renews_on})
