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

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from config.client_ip import client_ip

View = Callable[..., HttpResponse]


def one_attempt_at_a_time(view: View) -> View:
    """Run a sign-in POST holding the locks of its username and client address until its failure is recorded."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "POST":
            return view(request, *args, **kwargs)
        keys = sorted(
            {
                f"sign-in:user:{request.POST.get('username', '').strip().lower()}",
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


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """axes's lockout response (AXES_LOCKOUT_CALLABLE): a GOV.UK page, for the console and the admin."""
    return render(request, "staff/locked-out.html", {"minutes": 15}, status=429)
