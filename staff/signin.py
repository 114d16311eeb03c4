"""Signing in, for the staff console and the Django admin alike: the lockout is django-axes's (per username and
per client address, `AXES_*` settings), and one attempt at a time per username and per client, so that parallel
guesses are each counted before the next is checked.

axes checks the lockout before the password and records a failure after it; two guesses in flight at once would
both pass the check. Each attempt therefore holds a transaction-scoped lock on its username and its client address
while it is checked and recorded (PostgreSQL advisory locks; SQLite's IMMEDIATE transactions hold its one write
lock instead)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from common.client_ip import client_ip

View = Callable[..., HttpResponse]


def one_attempt_at_a_time(view: View) -> View:
    """Run a sign-in POST holding the locks of its username and client address until its failure is recorded."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "POST":
            return view(request, *args, **kwargs)
        keys = sorted(
            {
                f"sign-in:user:{database_safe(request.POST.get('username', '')).strip().lower()}",
                f"sign-in:client:{client_ip(request) or ''}",
            }
        )
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    for key in keys:  # always in the same order: no two attempts wait for each other's locks
                        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])
            return view(request, *args, **kwargs)

    return wrapped


# PostgreSQL refuses a NUL byte in any text; the replacement character keeps "a\x00b" apart from "ab".
NUL, REPLACEMENT = "\x00", "\ufffd"
# The longest username django-axes keeps (its AccessAttempt.username); no user's is longer than 150.
AXES_USERNAME_LENGTH = 255


def database_safe(text: str) -> str:
    """A username as it may go to the database, whatever was typed: no NUL byte."""
    return text.replace(NUL, REPLACEMENT)


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """The username django-axes counts failures and lockouts against (AXES_USERNAME_CALLABLE): the one signed in
    with, made safe for the database, so that no sign-in form (ours, the admin's, or one still to come) lets a NUL
    byte, or a username longer than axes keeps, reach axes's queries and fail there with a server error. A form
    refuses such a username itself (the admin's does not check the length: Django sets it too late)."""
    username = (credentials or getattr(request, "POST", {})).get("username")
    return database_safe(username)[:AXES_USERNAME_LENGTH] if isinstance(username, str) else username


class UnstorableUsernameBackend:
    """Before Django's own: a username no user can have, with a NUL byte (which PostgreSQL refuses in any text), is
    refused without asking the database, as slowly as an unknown username (the password is hashed all the same).
    Refusing it ends the sign-in: Django's backend is not asked, and axes counts the failure. It only refuses: with
    no ``get_user`` it is never a signed-in user's backend."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> None:
        if isinstance(username, str) and NUL in username:
            get_user_model()().set_password(password)
            raise PermissionDenied
        return None


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """axes's lockout response (AXES_LOCKOUT_CALLABLE): a GOV.UK page, for the console and the admin."""
    return render(request, "staff/locked-out.html", {"minutes": 15}, status=429)
