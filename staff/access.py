"""The one mechanism that scopes the staff console: sign-in, the prison in the URL, and the role's permission.

Every staff view is wrapped in ``staff_view(permission)``. It sends anyone signed out to sign in, answers 404 for
a prison the user does not cover (so nothing leaks about other prisons) and 403 for a permission the role lacks.
Views get the prison, and look everything else up through it. ``may_open(user, "staff:...")`` asks the same
question of a page before linking to it (templates call it too), so that no page links to one its reader may not
open.
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


def may_open(user: Any, page: str) -> bool:
    """Whether ``user``'s role may open the staff page named ``page`` ("staff:requests"): the permission its view
    declares through ``staff_view``, checked as the view checks it. A page shows a link only where this is true."""
    permission = _page_permissions()[page.removeprefix("staff:")]  # a KeyError for a page that does not exist
    return permission is None or has_permission(user, permission)


def has_permission(user: Any, permission: str) -> bool:
    """Whether ``user``'s role has the staff permission ``permission`` ("book_visits")."""
    return bool(user.has_perm(f"staff.{permission}"))


@functools.cache
def _page_permissions() -> dict[str, str | None]:
    """Each staff page's permission (None for the account pages: signing in and out, choosing a prison)."""
    from staff.urls import urlpatterns  # the views import this module

    return {p.name: getattr(p.callback, "staff_permission", None) for p in urlpatterns if p.name}


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
            if not has_permission(request.user, permission):
                raise PermissionDenied
            request.prison = covered  # type: ignore[attr-defined]
            return view(request, covered, *args, **kwargs)

        wrapped.staff_permission = permission  # type: ignore[attr-defined]
        return wrapped

    return decorator
