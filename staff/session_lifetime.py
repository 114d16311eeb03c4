"""A staff session ends 12 hours after sign-in (STAFF_SESSION_MAX_AGE_SECONDS), however busy it is: the idle
timeout alone (SESSION_COOKIE_AGE, renewed by use) would let a session live forever on a desk that is never left."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

SIGNED_IN_AT = "signed_in_at"


@receiver(user_logged_in, dispatch_uid="staff-session-signed-in-at")
def remember_sign_in(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = int(time.time())


class StaffSessionLifetimeMiddleware:
    """Signs out a user whose sign-in is older than the limit, and sends them to sign in again."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            signed_in_at = request.session.get(SIGNED_IN_AT)
            if signed_in_at is None:  # a session from before this rule: its clock starts now
                request.session[SIGNED_IN_AT] = int(time.time())
            elif time.time() - signed_in_at > settings.STAFF_SESSION_MAX_AGE_SECONDS:
                logout(request)
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)
