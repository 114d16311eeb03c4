"""The one adapter to GOV.UK Notify: the real client when NOTIFY_API_KEY is set, otherwise a fake that stores
each message with its rendered text (shown at /notify/fake-outbox).

Callers get two operations, ``send`` and ``find_sent``, and three kinds of error that say what to do next:
try again soon (``NotifyTemporaryError``), give up on this message (``NotifyRejected``), or leave it for the sweep
(``NotifyUnavailable``). They never see HTTP, JWTs or the client's exceptions.
"""

from __future__ import annotations

import logging
import random
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates" / "notifications"
PLACEHOLDER = re.compile(r"\(\(([^()]+?)\)\)")
# Notify's test addresses that end in a failure receipt; the fake answers them the same way.
SIMULATED_FAILURES = {
    "perm-fail@simulator.notify": "permanent-failure",
    "temp-fail@simulator.notify": "temporary-failure",
    "+447700900002": "permanent-failure",
    "+447700900003": "temporary-failure",
}


class NotifyError(Exception):
    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


class NotifyTemporaryError(NotifyError):
    """Try again soon, with backoff: Notify's rate limit (429), a 5xx, a timeout or no connection."""


class NotifyRejected(NotifyError):
    """Notify refused this message (400: a bad address, a missing placeholder...): retrying will not help."""


class NotifyUnavailable(NotifyError):
    """Not this message's fault and not worth retrying within minutes: a bad key (403), the daily limit, a missing
    template id. The message stays unsent for the sweep to try later."""


class NotifyGateway(Protocol):
    def send(
        self, *, channel: str, recipient: str, template: str, personalisation: dict[str, Any], reference: str
    ) -> str:
        """Send one message with the named template (e.g. ``booked.email.en``); return Notify's id."""
        ...

    def find_sent(self, reference: str) -> str | None:
        """Notify's id of a message already sent with this reference, if any (Notify keeps 7 days)."""
        ...


# Templates ------------------------------------------------------------------------------------------------------


def template_name(kind: str, channel: str, language: str) -> str:
    return f"{kind}.{channel}.{'cy' if language == 'cy' else 'en'}"


@lru_cache(maxsize=64)
def template_text(name: str) -> tuple[str, str]:
    """The (subject, body) of a template, read from
    notifications/templates/notifications/<language>/<kind>.<channel>.txt. A text message has no subject."""
    kind, channel, language = name.split(".")
    text = (TEMPLATES_DIR / language / f"{kind}.{channel}.txt").read_text(encoding="utf-8").strip()
    if channel == "email":
        first, _, body = text.partition("\n")
        if not first.startswith("subject: "):
            raise ValueError(f"{name}: an email template starts with 'subject: '")
        return first.removeprefix("subject: ").strip(), body.strip()
    return "", text


def placeholders(name: str) -> list[str]:
    """The personalisation keys a template uses, in order of first use."""
    subject, body = template_text(name)
    return list(dict.fromkeys(match.strip() for match in PLACEHOLDER.findall(subject + "\n" + body)))


def render(name: str, personalisation: dict[str, Any]) -> tuple[str, str]:
    """Fill a template the way Notify does (a list becomes bullet points); a missing key is an error, as in
    Notify ("Missing personalisation: ...")."""
    missing = [key for key in placeholders(name) if key not in personalisation]
    if missing:
        raise NotifyRejected(f"Missing personalisation: {', '.join(missing)}", status_code=400)

    def fill(match: re.Match[str]) -> str:
        value = personalisation[match.group(1).strip()]
        if isinstance(value, list):
            return "\n".join(f"* {item}" for item in value)
        return str(value)

    subject, body = template_text(name)
    return PLACEHOLDER.sub(fill, subject), PLACEHOLDER.sub(fill, body)


def template_id(name: str) -> str:
    """The Notify template id for a template name, from the settings."""
    return settings.NOTIFY_TEMPLATE_IDS.get(name, "")


# Rate limit -----------------------------------------------------------------------------------------------------


class SharedRateLimit:
    """At most ``per_second`` requests to Notify in each one-second window, counted in the cache (Redis when
    configured), so that every worker process on every machine shares one budget. A sender that finds the window
    spent waits for the next one; after ``max_wait`` seconds it gives up with a temporary error (the task retries).

    Any rolling minute overlaps at most 61 windows, so 45 a second keeps under Notify's 3,000 a minute. The window
    is read from each machine's clock: keep the clocks in step (NTP), as Notify's JWTs need anyway."""

    def __init__(self, per_second: int, max_wait: float = 10.0) -> None:
        self.per_second = per_second
        self.max_wait = max_wait

    def acquire(self) -> None:
        if self.per_second <= 0:
            return
        deadline = time.monotonic() + self.max_wait
        while True:
            now = time.time()
            window = int(now)
            key = f"notify-rate:{window}"
            cache.add(key, 0, timeout=5)
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=5)
                count = 1
            if count <= self.per_second:
                return
            pause = window + 1 - now + random.uniform(0, 0.05)  # jitter, not security
            if time.monotonic() + pause > deadline:
                raise NotifyTemporaryError("Waited too long for the shared Notify rate limit")
            time.sleep(pause)


# The real client ------------------------------------------------------------------------------------------------


class NotifyClientGateway:
    """GOV.UK Notify through notifications-python-client. The client shares one requests.Session and is not
    thread-safe, so ``get_gateway`` keeps one per thread."""

    def __init__(self, api_key: str, base_url: str, timeout: float, rate_limit: SharedRateLimit) -> None:
        from notifications_python_client.notifications import NotificationsAPIClient

        self.client = NotificationsAPIClient(api_key, base_url=base_url, timeout=timeout)
        self.rate_limit = rate_limit

    def send(
        self, *, channel: str, recipient: str, template: str, personalisation: dict[str, Any], reference: str
    ) -> str:
        template_uuid = template_id(template)
        if not template_uuid:
            variable = f"NOTIFY_TEMPLATE_{template.replace('.', '_')}".upper()
            raise NotifyUnavailable(f"No template id for {template}: set {variable}")
        self.rate_limit.acquire()
        with _translated_errors():
            if channel == "email":
                response = self.client.send_email_notification(
                    recipient, template_uuid, personalisation=personalisation, reference=reference
                )
            else:
                response = self.client.send_sms_notification(
                    recipient, template_uuid, personalisation=personalisation, reference=reference
                )
        return str(response["id"])

    def find_sent(self, reference: str) -> str | None:
        self.rate_limit.acquire()
        with _translated_errors():
            found = self.client.get_all_notifications(reference=reference).get("notifications", [])
        return str(found[0]["id"]) if found else None


@contextmanager
def _translated_errors() -> Iterator[None]:
    """Turn the client's exceptions into the gateway's three kinds."""
    from notifications_python_client.errors import APIError, InvalidResponse

    try:
        yield
    except InvalidResponse as error:
        raise NotifyTemporaryError(f"Notify answered without JSON: {error}") from error
    except APIError as error:  # HTTPError, and HTTP503Error for 503s, timeouts and refused connections
        status, message = error.status_code, _error_text(error.message)
        if status == 429 and "TooManyRequestsError" in _error_types(error.message):
            raise NotifyUnavailable(f"{status} {message}", status_code=status) from error  # the daily limit
        if status == 429 or status >= 500:
            raise NotifyTemporaryError(f"{status} {message}", status_code=status) from error
        if status == 400:
            raise NotifyRejected(f"{status} {message}", status_code=status) from error
        raise NotifyUnavailable(f"{status} {message}", status_code=status) from error  # 403 and anything else


def _error_types(message: Any) -> set[str]:
    return {item.get("error", "") for item in message if isinstance(item, dict)} if isinstance(message, list) else set()


def _error_text(message: Any) -> str:
    if isinstance(message, list):
        return "; ".join(f"{m.get('error')}: {m.get('message')}" if isinstance(m, dict) else str(m) for m in message)
    return str(message)


# The fake -------------------------------------------------------------------------------------------------------


class FakeNotifyGateway:
    """Stores each message, rendered from the same template text an operator puts into Notify, as a
    ``FakeNotifyMessage`` row. Notify's failure test addresses get a failure receipt at once, as Notify would send."""

    def send(
        self, *, channel: str, recipient: str, template: str, personalisation: dict[str, Any], reference: str
    ) -> str:
        from visits.models import FakeNotifyMessage

        subject, body = render(template, personalisation)
        message = FakeNotifyMessage.objects.create(
            reference=reference,
            notification_type=channel,
            recipient=recipient,
            template_id=template_id(template),
            template_name=template,
            personalisation=personalisation,
            subject=subject,
            body=body,
        )
        if recipient in SIMULATED_FAILURES:
            from notifications.sending import message_record_delivery

            message_record_delivery(
                notify_id=str(message.id), reference=reference, status=SIMULATED_FAILURES[recipient]
            )
        return str(message.id)

    def find_sent(self, reference: str) -> str | None:
        from visits.models import FakeNotifyMessage

        found = FakeNotifyMessage.objects.filter(reference=reference).values_list("id", flat=True).first()
        return str(found) if found else None


_local = threading.local()


def using_fake() -> bool:
    return not settings.NOTIFY_API_KEY


def get_gateway() -> NotifyGateway:
    """The gateway for the current settings: one real client per thread (the client is not thread-safe)."""
    if using_fake():
        return FakeNotifyGateway()
    config = (
        settings.NOTIFY_API_KEY,
        settings.NOTIFY_BASE_URL,
        settings.NOTIFY_TIMEOUT_SECONDS,
        settings.NOTIFY_RATE_LIMIT_PER_SECOND,
    )
    if getattr(_local, "config", None) != config:
        _local.gateway = NotifyClientGateway(*config[:3], rate_limit=SharedRateLimit(config[3]))
        _local.config = config
    return _local.gateway
