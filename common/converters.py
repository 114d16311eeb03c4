"""The ``token`` path converter: every route that carries a secret (a signed link to manage a visit, a waiting list's
links) takes it as ``<token:...>``. It matches what ``str`` matches; what it adds is the promise that the segment
is a secret, which the logs' redaction keeps (common.logging.TOKEN_ROUTES) and a test holds every route to
(tests/config/test_token_routes.py): a route with a secret that is not redacted fails it."""

from __future__ import annotations

from django.urls import register_converter


class SecretToken:
    regex = "[^/]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(SecretToken, "token")
