"""Requests whose address carries control characters are answered with the GOV.UK "Page not found" page.

No page of the service takes a control character in its path or query string (a NUL byte, say, in a staff URL's
reference or in `search?q=`); PostgreSQL refuses NUL in text, so without this such a request would reach the
database and fail there with a server error."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse

from config.views import page_not_found

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ControlCharactersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = unquote(request.META.get("QUERY_STRING", ""), errors="replace")
        if CONTROL_CHARACTERS.search(request.path) or CONTROL_CHARACTERS.search(query):
            return page_not_found(request)
        return self.get_response(request)
