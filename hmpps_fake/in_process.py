"""The fake server's views answering an httpx client inside the test process, on the test's own database (its
transaction included): for the contract tests. The server as a process of its own is ``python -m hmpps_fake``."""

from __future__ import annotations

import httpx
from django.test import RequestFactory
from django.urls import Resolver404, resolve

URLCONF = "hmpps_fake.urls"


def transport() -> httpx.MockTransport:
    factory = RequestFactory()

    def answer(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        try:
            match = resolve(path, urlconf=URLCONF)
        except Resolver404:
            return httpx.Response(404, json={"status": 404, "userMessage": "No handler", "developerMessage": path})
        headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in request.headers.items()}
        headers.pop("HTTP_CONTENT_TYPE", None)
        headers.pop("HTTP_CONTENT_LENGTH", None)
        query = request.url.query.decode()
        django_request = factory.generic(
            request.method,
            f"{path}?{query}" if query else path,
            data=request.content,
            content_type=request.headers.get("Content-Type", "application/octet-stream"),
            **headers,
        )
        response = match.func(django_request, *match.args, **match.kwargs)
        return httpx.Response(response.status_code, headers=dict(response.items()), content=response.content)

    return httpx.MockTransport(answer)
