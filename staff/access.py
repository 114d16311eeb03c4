"""The one mechanism that scopes the staff console: sign-in, the prison in the URL, and the role's permission.

Every staff view is wrapped in ``staff_view(permission)``. It sends anyone signed out to sign in, answers 404 for
a prison the user does not cover (so nothing leaks about other prisons) and 403 for a permission the role lacks.
Views get the prison, and look everything else up through it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from prisons.models import Prison

StaffView = Callable[..., HttpResponse]


def staff_view(permission: str) -> Callable[[StaffView], StaffView]:
    """Wrap a view taking ``(request, prison, ...)``; ``permission`` is a staff codename such as "book_visits"."""

    def decorator(view: StaffView) -> StaffView:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, prison: str, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            covered = Prison.objects.filter(slug=prison, staff_access__user=request.user).first()
            if covered is None:
                raise Http404("No such prison among yours")
            if not request.user.has_perm(f"staff.{permission}"):
                raise PermissionDenied
            request.prison = covered  # type: ignore[attr-defined]
            return view(request, covered, *args, **kwargs)

        wrapped.staff_permission = permission  # type: ignore[attr-defined]
        return wrapped

    return decorator
