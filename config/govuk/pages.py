"""Whole pages that are the same for every request with the same key, rendered once and reused.

The choose-a-time page of one prison, on one day, for an open visit booked outright with nothing chosen yet, is the
same markup for every visitor: only the CSRF field differs. ``render_shared`` renders such a page once with a marker
in place of the CSRF field, keeps it in a process-local memo (``config.memo``), and gives each request the kept
markup with its own field. The caller's key must hold everything the page depends on beyond the request's path and
query, its language and the URL configuration (which are added here); objects that stand in the key by identity
are ``pinned``: kept alive with the entry (so that their ids cannot be reused) and checked on the way out.

A page with messages to show (``django.contrib.messages``) is rendered as usual, and so is every page with DEBUG
on (templates reload when edited).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils import translation
from markupsafe import Markup

from config.memo import MISSING, Memo

CSRF_MARKER = "@@csrf-field@@"
_PAGES = Memo("shared-pages", size=512, seconds=60)  # a page is ~40 KB: at most ~20 MB a process


_CHARS = CSRF_ALLOWED_CHARS
_POSITION = {char: position for position, char in enumerate(_CHARS)}
_EVEN = 256 - 256 % len(_CHARS)  # 248: the bytes below it fall evenly on the 62 characters


def _random_mask() -> str:
    """32 characters of the CSRF alphabet, each uniformly random, from one read of the OS's random source (Django's
    ``get_random_string`` reads it once a character: 32 system calls a page)."""
    chars: list[str] = []
    while len(chars) < CSRF_SECRET_LENGTH:
        chars += [_CHARS[byte % len(_CHARS)] for byte in os.urandom(48) if byte < _EVEN]
    return "".join(chars[:CSRF_SECRET_LENGTH])


def csrf_token(request: HttpRequest) -> str:
    """What Django's ``get_token`` returns: the request's CSRF secret masked afresh (a new mask for every response,
    so that the token in the page never repeats), the cookie marked to be sent again. Only the mask is drawn
    differently (``_random_mask``); without a cookie yet, Django's own makes one."""
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        return get_token(request)
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True  # as get_token does: the cookie is renewed
    mask = _random_mask()
    cipher = "".join(_CHARS[(_POSITION[x] + _POSITION[y]) % len(_CHARS)] for x, y in zip(secret, mask, strict=True))
    return mask + cipher


def csrf_field(request: HttpRequest) -> str:
    """The hidden CSRF input for this request, as Django's ``csrf_input`` writes it."""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{csrf_token(request)}">'


def render_shared(
    request: HttpRequest,
    template_name: str,
    context: Callable[[], dict[str, Any] | HttpResponse],
    *,
    key: Hashable,
    pinned: tuple[object, ...] = (),
    status: int = 200,
) -> HttpResponse:
    """The page from the memo when it holds one for this key, else rendered (with the layout's ``csrf_field`` as
    a marker) and kept. ``context`` is called on a miss only; when it gives a response instead (a redirect), that
    is returned and nothing is kept. The template must write its CSRF fields through ``csrf_input`` (the public
    layout sets it from ``csrf_field`` when given)."""
    if settings.DEBUG or len(get_messages(request)):
        made = context()
        return made if isinstance(made, HttpResponse) else render(request, template_name, made, status=status)
    full_key = (
        template_name,
        key,
        tuple(id(thing) for thing in pinned),
        request.get_full_path(),
        translation.get_language(),
        get_script_prefix(),
        get_urlconf(),
        status,
    )
    found = _PAGES.get(full_key)
    if found is MISSING or any(kept is not thing for kept, thing in zip(found[0], pinned, strict=True)):
        made = context()
        if isinstance(made, HttpResponse):
            return made
        html = render_to_string(template_name, {**made, "csrf_field": Markup(CSRF_MARKER)}, request)
        found = _PAGES.set(full_key, (pinned, tuple(part.encode() for part in html.split(CSRF_MARKER))))
    return HttpResponse(csrf_field(request).encode().join(found[1]), status=status)
