"""Guards against input no page of the service takes, each answered with a GOV.UK page rather than a server error.

- ``ControlCharactersMiddleware``: an address with control characters is "not found". No page takes a control
  character in its path or query string (a NUL byte, say, in a staff URL's reference or in `search?q=`); PostgreSQL
  refuses NUL in text, so without this such a request would reach the database and fail there with a server error.
- ``UnreadableFormMiddleware``: a form whose body cannot be read (sent in a character set other than UTF-8, or a
  broken multipart body) is a "bad request", before the CSRF check or a view reads it.
- ``AdminDateLookupMiddleware``: the Django admin's date filters (its date hierarchy, ``date__year=`` and the like)
  with a year, month or day no calendar has are "not found".
- ``whole_number()``: the one way to read a whole number from a query string or a form's hidden field.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError

from common.views import bad_request, page_not_found

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The largest whole number a database key can hold (PostgreSQL's bigint): larger ones are no row's.
LARGEST_KEY = 2**63 - 1


def whole_number(text: Any, *, largest: int = LARGEST_KEY) -> int | None:
    """``text`` as a whole number from 0 to ``largest``, or None. Only the digits 0 to 9 count: ``str.isdigit()``
    also takes "²" and "٣", which ``int()`` refuses or reads as another number."""
    if not isinstance(text, str) or not text.isascii() or not text.isdecimal():
        return None
    digits = text.lstrip("0") or "0"
    if len(digits) > len(str(largest)):  # never int() of 100,000 digits (Python refuses more than 4,300)
        return None
    number = int(digits)
    return number if number <= largest else None


class ControlCharactersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = unquote(request.META.get("QUERY_STRING", ""), errors="replace")
        if CONTROL_CHARACTERS.search(request.path) or CONTROL_CHARACTERS.search(query):
            return page_not_found(request)
        return self.get_response(request)


FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class UnreadableFormMiddleware:
    """A form posted in a character set other than UTF-8 (Django refuses it), or as a multipart body that cannot be
    parsed, gets the GOV.UK "bad request" page. The body is read here, before the CSRF check reads it: that check,
    and Django's own 400 page, would otherwise fail a second time on it and answer with a server error."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
            try:
                request.POST  # noqa: B018  (parsed once; the view reads the same QueryDict)
            except (BadRequest, MultiPartParserError, UnicodeDecodeError) as error:
                return bad_request(request, error)
        return self.get_response(request)


# The parts of a date the admin's filters turn into dates (a year's first and last day, the date hierarchy's next
# year, month or day) with the range each can take. Year 9999 has no next year.
ADMIN_DATE_PARTS = {"year": (1, 9998), "iso_year": (1, 9998), "month": (1, 12), "day": (1, 31)}


class AdminDateLookupMiddleware:
    """A Django admin list filtered by a date part no date can have (``date__year=9999`` in the date hierarchy,
    ``valid_from__year=99999999999``) is "not found": Django would build a date out of it and fail."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        match = request.resolver_match
        if match is None or "admin" not in match.namespaces or not request.GET:
            return None
        for key, values in request.GET.lists():
            lookups = key.split("__")[1:]
            if lookups[-1:] == ["isnull"]:
                continue
            for part in ADMIN_DATE_PARTS.keys() & set(lookups):
                lowest, highest = ADMIN_DATE_PARTS[part]
                several = lookups[-1] in ("in", "range")
                for value in values:
                    for item in value.split(",") if several else [value]:
                        number = whole_number(item.strip(), largest=highest)
                        if number is None or number < lowest:
                            return page_not_found(request)
        return None
