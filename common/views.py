"""The liveness check and the GOV.UK error pages (readiness: config/health.py)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and answering."""
    return JsonResponse({"status": "ok"})


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """What was sent cannot be read (a form in another character set than UTF-8, a header no server understands):
    the GOV.UK page, not Django's, which would read the form again through its CSRF check and fail a second time."""
    return render(request, "errors/400.html", status=400)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors and no database: the error may be the database itself.
    html = loader.get_template("errors/500.html").render(
        {"service_name": gettext(settings.SERVICE_NAME), "feedback_url": settings.FEEDBACK_URL}
    )
    return HttpResponse(html, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form that came without its security token (CSRF_FAILURE_VIEW): say what to do, in GOV.UK words."""
    return render(request, "errors/csrf.html", status=403)
