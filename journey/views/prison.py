"""Public pages about one prison."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from prisons.models import Prison
from prisons.selectors import prison_coming_week


@require_safe
def prison_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A prison's address, phone number and visiting times for the coming week."""
    prison = get_object_or_404(Prison, slug=slug)
    week = prison_coming_week(prison=prison, today=timezone.localdate())
    return render(request, "journey/prison.html", {"prison": prison, "week": week, "back_url": "/prison"})
