"""The staff console: sign in and out, and the prisons a user covers."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_safe

from staff.forms import SignInForm
from staff.selectors import prisons_for_user
from staff.signin import one_attempt_at_a_time


@require_http_methods(["GET", "HEAD", "POST"])
@one_attempt_at_a_time
def sign_in(request: HttpRequest) -> HttpResponse:
    """Sign in to the staff console."""
    form = SignInForm(request.POST if request.method == "POST" else None, request=request)
    if request.method == "POST" and form.is_valid():
        login(request, form.user)
        next_url = request.POST.get("next") or request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
            next_url = resolve_url(settings.LOGIN_REDIRECT_URL)
        return redirect(next_url)
    return render(request, "staff/sign-in.html", {"form": form, "next": request.GET.get("next", "")})


@require_http_methods(["GET", "HEAD", "POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    """Ask, then sign out (signing out changes state, so it is a POST)."""
    if request.method == "POST":
        logout(request)
        return redirect("staff:sign-in")
    return render(request, "staff/sign-out.html")


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Choose a prison: the prisons this user covers (straight to today's page when there is only one)."""
    prisons = prisons_for_user(request.user)
    if len(prisons) == 1:
        return redirect("staff:today", prison=prisons[0].slug)
    return render(request, "staff/home.html", {"prisons": prisons, "active_nav": "home"})
