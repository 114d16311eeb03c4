"""Sessions that end after a spell of idleness, without a database write on every request; a request id on every
request; no page kept by browsers or proxies; a forbidden page logged as the expected answer it is."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse

from common.logging import REQUEST_ID_HEADER, request_id_var, sane_request_id
from common.views import permission_denied

TOUCHED = "_touched"


class IdleSessionMiddleware:
    """Renew a used session's expiry when it was last renewed more than SESSION_IDLE_REFRESH_SECONDS ago, so a
    session ends SESSION_COOKIE_AGE after the last request (give or take that refresh), not after the first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.modified or not session.accessed:
            return response  # saved anyway, or not used by this request
        if settings.SESSION_COOKIE_NAME not in request.COOKIES or session.is_empty():
            return response
        now = int(time.time())
        if now - session.get(TOUCHED, 0) >= settings.SESSION_IDLE_REFRESH_SECONDS:
            session[TOUCHED] = now  # the session middleware saves it and sends the cookie with a fresh expiry
        return response


class RequestIdMiddleware:
    """Every request has an id: the proxy's ``X-Request-ID`` when it is a sane value (1 to 64 of A-Z, a-z, 0-9,
    ``.``, ``_``, ``-``), otherwise a new one. It is on every log line the request causes (common.logging), travels
    into the Celery tasks it queues, and goes back in the response's ``X-Request-ID`` header.

    The id stays set until the request has finished (``request_finished``), so that the lines Django writes after
    the middleware have returned (a 4xx or 5xx response's warning) carry it too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = sane_request_id(request.headers.get(REQUEST_ID_HEADER)) or uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        request_id_var.set(request_id)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


def forget_request_id(**kwargs: object) -> None:
    request_id_var.set(None)


request_finished.connect(forget_request_id, dispatch_uid="common.middleware.forget_request_id")


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every page and file the service's views answer (static files are served
    before this, by WhiteNoise): journey answers, confirmations, manage pages, every staff page and the visit sheet's
    CSV show personal data, and no browser, shared computer or proxy should keep a copy. A view that sets its own
    Cache-Control (the health checks) keeps it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        return response


class ForbiddenMiddleware:
    """A page the user's role may not open is an expected answer, not a fault: the GOV.UK "no permission" page, and
    one warning line ("Forbidden: /staff/...") without a traceback. Django would log the PermissionDenied a view
    raises with its whole traceback."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, PermissionDenied):
            return permission_denied(request, exception)
        return None
