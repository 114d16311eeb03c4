"""Error reporting through Sentry's SDK: off unless SENTRY_DSN is set (config/settings.py calls ``init_sentry``).

No personal data goes to Sentry: ``send_default_pii`` is off (no cookies, users or IP addresses), request bodies and
stack frames' local variables are never sent, and every event passes through ``before_send``, which redacts
link tokens and query strings with the log filter's own function (``common.logging.redact``).
"""

from __future__ import annotations

from typing import Any

from common.logging import redact_value, request_id_var

# Request headers never sent: they carry sessions, credentials, or the page a manage link was opened from.
DROPPED_HEADERS = frozenset(
    {"cookie", "authorization", "proxy-authorization", "referer", "x-csrftoken", "x-forwarded-for", "x-real-ip"}
)


def before_send(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every event (and transaction): no query string, cookies, body or revealing headers; every string in it
    redacted (the URL, the transaction name, messages, exception values, breadcrumbs); the request id as a tag."""
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("query_string", "cookies", "data"):
            request.pop(key, None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {k: v for k, v in headers.items() if k.lower() not in DROPPED_HEADERS}
    event = redact_value(event)
    request_id = request_id_var.get()
    if request_id:
        tags = event.get("tags")
        if isinstance(tags, dict):
            tags.setdefault("request_id", request_id)
        elif tags is None:
            event["tags"] = {"request_id": request_id}
    return event


def init_sentry(*, dsn: str, environment: str = "", release: str = "", traces_sample_rate: float = 0.0) -> bool:
    """Start the SDK with the Django and Celery integrations. Returns whether it started (not without a DSN)."""
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment or None,
        release=release or None,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        before_send=before_send,
        before_send_transaction=before_send,
        traces_sample_rate=traces_sample_rate or None,  # 0: no tracing at all, not unsampled transactions
    )
    return True
