"""Every route that carries a secret is redacted in every log, by one rule a new route cannot forget (issue 26,
item 2): a secret travels as ``<token:...>`` (common/converters.py) right after a prefix the redaction knows
(common.logging.TOKEN_ROUTES). This test walks the whole URL conf, so a route added tomorrow is checked too."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter
from django.urls.resolvers import RegexPattern, RoutePattern

from common.converters import SecretToken
from common.logging import redact, redact_path

SECRET = "SeCrEt0token.eJyrVkrOL0pVslIyNTQwMrY0:1v2abc:Zq8vN3xK7pL2mR9tW4yB6cF1hJ5sD0gA8eU3iO7nQ2w"
# Text parameters known not to be secrets: a prison's slug, a visit's reference (staff pages, signed in), a drop-out
# reason, and the Django admin's own (app labels, object ids). Anything else that is text must be a <token:...>.
NOT_SECRET = {"prison", "slug", "reference", "reason", "app_label", "object_id", "content_type_id", "url", "id"}
_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def every_route() -> list[tuple[str, dict[str, object]]]:
    """Each URL pattern as its whole route (prefixes of includes joined) with its parameters' converters; regex
    patterns' named groups are text parameters."""
    found: list[tuple[str, dict[str, object]]] = []

    def walk(patterns: list[object], prefix: str, converters: dict[str, object]) -> None:
        for entry in patterns:
            pattern = entry.pattern  # type: ignore[attr-defined]
            if isinstance(pattern, RoutePattern):
                route, params = str(pattern), dict(pattern.converters)
            else:
                assert isinstance(pattern, RegexPattern)
                route = str(pattern).lstrip("^").rstrip("$")
                params = dict.fromkeys(re.compile(str(pattern)).groupindex)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + route, {**converters, **params})
            else:
                assert isinstance(entry, URLPattern)
                found.append((prefix + route, {**converters, **params}))

    walk(get_resolver().url_patterns, "", {})
    return found


def sample_path(route: str, converters: dict[str, object]) -> str:
    def value(match: re.Match[str]) -> str:
        converter = converters.get(match["name"])
        if isinstance(converter, SecretToken):
            return SECRET
        return "7" if isinstance(converter, IntConverter) else "rochester"

    path = _PARAM.sub(value, route)
    return "/" + re.sub(r"\(\?P<(\w+)>[^)]*\)", "rochester", path).replace("\\", "")


def test_the_walk_sees_the_routes_with_secrets() -> None:
    """The walk is not empty-handed: it finds the manage links and the waiting list's links."""
    secret_routes = {
        route for route, params in every_route() if any(isinstance(c, SecretToken) for c in params.values())
    }
    assert {"visit/<token:token>", "visit/<token:token>/cancel", "waiting-list/<token:token>"} <= secret_routes
    assert "waiting-list/<token:token>/leave" in secret_routes


@pytest.mark.parametrize(("route", "converters"), every_route(), ids=lambda v: v if isinstance(v, str) else "")
def test_a_route_with_a_secret_is_redacted_and_no_other_text_parameter_is_a_secret(
    route: str, converters: dict[str, object]
) -> None:
    for name, converter in converters.items():
        if isinstance(converter, SecretToken):
            continue
        if converter is None or not isinstance(converter, IntConverter):  # str, slug, path, uuid, a regex group
            assert name in NOT_SECRET, (
                f"/{route}: the text parameter <{name}> is neither a <token:...> (redacted in every log) nor known not "
                "to be a secret (NOT_SECRET here); a secret must be a <token:...> under common.logging.TOKEN_ROUTES"
            )
    if any(isinstance(c, SecretToken) for c in converters.values()):
        path = sample_path(route, converters)
        for logged in (redact(path), redact_path(path + "?q=1"), redact(f"Not Found: {path}")):
            assert "SeCrEt" not in logged and "[redacted]" in logged, (route, logged)


@pytest.mark.django_db
def test_no_secret_reaches_djangos_log_lines_on_any_secret_route(client: Client, lines: io.StringIO) -> None:
    """Every route with a secret, asked for with a bad one: the pages refuse it and log nothing of it."""
    for route, converters in every_route():
        if any(isinstance(c, SecretToken) for c in converters.values()):
            for method in (client.get, client.post):
                assert method(sample_path(route, converters)).status_code in (403, 404, 405)
            assert method(sample_path(route, converters) + "/nowhere").status_code == 404
    output = lines.getvalue()
    assert "SeCrEt" not in output
    messages = [json.loads(line)["message"] for line in output.splitlines()]
    assert "Not Found: /waiting-list/[redacted]/nowhere" in messages
