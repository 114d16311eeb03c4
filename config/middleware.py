"""Sessions that end after a spell of idleness, without a database write on every request."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

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
