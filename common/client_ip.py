"""The client's address, as rate limits and the sign-in lockout count it.

Behind `TRUSTED_PROXY_COUNT` proxies (the load balancer production sits behind), the address is the one the
first of them added to `X-Forwarded-For`: django-ipware reads the header from the right, past the proxies, so
whatever a client wrote into the header itself is never taken. With no proxy configured, the header is ignored and
the connection's address is used."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ipware import get_client_ip


def client_ip(request: HttpRequest) -> str | None:
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        # python-ipware counts the proxies listed in the header; the nearest proxy is the connection itself.
        address, _routable = get_client_ip(
            request,
            proxy_order="left-most",
            proxy_count=proxies - 1,
            request_header_order=["HTTP_X_FORWARDED_FOR"],
            strict=False,
        )
        if address:
            return address
    return request.META.get("REMOTE_ADDR") or None  # None: a request made in code (force_login), not over HTTP
