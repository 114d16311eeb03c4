"""Logging for every process (web, gunicorn, Celery worker and beat): one config, one redaction, one request id.

- ``logging_config()`` is the ``LOGGING`` dictConfig (config/settings.py): JSON lines through python-json-logger
  when ``LOG_FORMAT`` is ``json`` (production), readable text when it is ``text`` (``DEBUG``). Every line carries
  timestamp, level, logger, message and, when there is one, ``request_id``.
- ``redact()`` takes link tokens (every route with a secret), query strings, email addresses and mobile numbers out
  of a piece of text. It is the one redaction: the filter on every handler, gunicorn's access log
  (``GunicornLogger``) and Sentry's ``before_send`` (config/sentry.py) all call it.
- ``request_id_var`` holds the current request's id: ``common.middleware.RequestIdMiddleware`` sets it from
  ``X-Request-ID`` (or a new one), the Celery signal handlers below carry it into the tasks a request queues.

docs/observability.md says what is logged and how it is tested.
"""

from __future__ import annotations

import contextvars
import logging
import re
from typing import Any

from gunicorn import glogging
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

LOG_FORMATS = ("json", "text")

# The request id -----------------------------------------------------------------------------------------------------

REQUEST_ID_HEADER = "X-Request-ID"
# The Celery message header the id travels in.
TASK_HEADER = "request_id"
# What is taken from a proxy's X-Request-ID; anything else is replaced by a new id.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


def sane_request_id(value: object) -> str | None:
    return value if isinstance(value, str) and SANE_REQUEST_ID.fullmatch(value) else None


# Redaction ----------------------------------------------------------------------------------------------------------

# Characters that end a path or a query string in a log line: whitespace, quotes, brackets, a backslash (JSON).
_END = r"\s\"'<>\\"
# Routes whose path segment after the prefix is a secret (journey/urls.py: /visit/<token>, /visit/<token>/...,
# /waiting-list/<token>, /waiting-list/<token>/leave). Every route with a secret takes it through the <token:...>
# converter (common/converters.py) right after one of these prefixes: tests/config/test_token_routes.py walks the
# URL conf and fails on a route that does not, so a new route with a secret cannot be logged in full.
TOKEN_ROUTES = ("visit", "waiting-list")
_TOKEN = re.compile(rf"(\b(?:{'|'.join(TOKEN_ROUTES)})/)(?!\[redacted\])[^/?#{_END}]+")
# A query string after a path or URL (staff search terms, anything a form sends by GET): dropped with its "?".
_QUERY = re.compile(rf"(/[^?#{_END}]*)\?[^#{_END}]*")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_MOBILE = re.compile(r"(?<![\w+])(?:\+44\s?7|07)\d{3}\s?\d{3}\s?\d{3}(?!\w)")


def redact(text: str) -> str:
    """Text without link tokens (``/visit/[redacted]``, ``/waiting-list/[redacted]``), query strings, email addresses
    or UK mobile numbers. Idempotent, and cheap on text with nothing to redact."""
    if "/" in text:
        text = _TOKEN.sub(r"\1[redacted]", text)
        text = _QUERY.sub(r"\1", text)
    if "@" in text:
        text = _EMAIL.sub("[email]", text)
    return _MOBILE.sub("[phone]", text)


def redact_value(value: Any) -> Any:
    """``redact`` applied to every string in a value (dicts and lists copied, other values as they are)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: redact_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(item) for item in value]
    return value


def redact_path(path: str) -> str:
    """A request path as it may be logged: no query string, tokens redacted."""
    return redact(path.split("?", 1)[0])


# Filters and formatters ---------------------------------------------------------------------------------------------

# Attributes of Django's records that must never be written out: the request object (its repr carries the full
# path and query string) and the runserver socket.
NOT_LOGGED = ("request", "server_time")
_STANDARD_ATTRS = frozenset(RESERVED_ATTRS) | {"message", "asctime", "request_id"}


class RedactFilter(logging.Filter):
    """On every handler: the record's message, and any text it carries as extra fields (Celery's ``data``: a
    task's arguments and result), redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            message = record.getMessage()
            record.msg, record.args = redact(message), ()
        for name, value in list(vars(record).items()):
            if name not in _STANDARD_ATTRS and isinstance(value, str | dict | list | tuple):
                setattr(record, name, redact_value(value))
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class RequestIdFilter(logging.Filter):
    """Puts the current request id on the record. ``default`` is what a record gets without one: nothing (JSON
    leaves the field out), or a placeholder for the text format."""

    def __init__(self, default: str | None = None) -> None:
        super().__init__()
        self.default = default

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            request_id = request_id_var.get() or self.default
            if request_id is not None:
                record.request_id = request_id
        return True


class JsonLineFormatter(JsonFormatter):
    """python-json-logger's formatter, with tracebacks redacted as messages are."""

    def formatException(self, ei: Any) -> str:
        return redact(super().formatException(ei))


class TextFormatter(logging.Formatter):
    """The text format (``LOG_FORMAT=text``), with tracebacks redacted as messages are."""

    def formatException(self, ei: Any) -> str:
        return redact(super().formatException(ei))


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
ACCESS_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def json_formatter_config() -> dict[str, Any]:
    return {
        "()": JsonLineFormatter,
        "fmt": "%(levelname)s %(name)s %(message)s",
        "rename_fields": {"levelname": "level", "name": "logger"},
        "timestamp": True,
        "reserved_attrs": [*RESERVED_ATTRS, *NOT_LOGGED],
    }


def formatter(log_format: str, text_format: str = TEXT_FORMAT) -> logging.Formatter:
    """A formatter for handlers made outside dictConfig (gunicorn's)."""
    if log_format == "json":
        config = json_formatter_config()
        return config.pop("()")(**config)
    return TextFormatter(text_format)


def add_filters(handler: logging.Handler, log_format: str) -> None:
    handler.addFilter(RedactFilter())
    handler.addFilter(RequestIdFilter(default=None if log_format == "json" else "-"))


def logging_config(*, log_format: str = "json", level: str = "INFO") -> dict[str, Any]:
    """The LOGGING dictConfig: one handler on stderr, redacted and carrying the request id, that every logger
    reaches (Django's own handlers are replaced, so nothing is written past the redaction)."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "redact": {"()": RedactFilter},
            "request_id": {"()": RequestIdFilter, "default": None if log_format == "json" else "-"},
        },
        "formatters": {
            "json": json_formatter_config(),
            "text": {"()": TextFormatter, "format": TEXT_FORMAT},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["redact", "request_id"],
            },
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's defaults give these their own handlers (runserver's lines, DEBUG's console): send them to
            # the one handler instead.
            "django": {"handlers": [], "level": level, "propagate": True},
            "django.server": {"handlers": [], "level": level, "propagate": True},
            # Never the SQL and its parameters (personal data), even with LOG_LEVEL=DEBUG.
            "django.db.backends": {"handlers": [], "level": "INFO", "propagate": True},
            # httpx names every request's URL, and the HMPPS APIs' URLs hold prisoner numbers: never logged.
            "httpx": {"handlers": [], "level": "WARNING", "propagate": True},
            "httpcore": {"handlers": [], "level": "WARNING", "propagate": True},
        },
    }


# gunicorn -----------------------------------------------------------------------------------------------------------


# config/gunicorn.conf.py's access_log_format, for the text format; the JSON line has the same fields.
ACCESS_LOG_FORMAT = "%(m)s %(U)s %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s"


def _log_format() -> str:
    from django.conf import settings

    return getattr(settings, "LOG_FORMAT", "json")


# gunicorn's own line for a request it could not parse names the client's address ("Invalid request from ip=...: ").
_CLIENT_ADDRESS = re.compile(r"(\bfrom ip=)[^\s]+?(?=: |$)")


class NoClientAddress(logging.Filter):
    """On gunicorn's error log: the client's address out of its lines, as docs/observability.md promises."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "ip=" in message:
            record.msg, record.args = _CLIENT_ADDRESS.sub(r"\1[address]", message), ()
        return True


class GunicornLogger(glogging.Logger):
    """gunicorn's logger (config/gunicorn.conf.py: ``logger_class``): its error and access lines in the service's
    format, through the same filters. The access line has the method, the path without its query string (tokens
    redacted), status, length, duration and request id: never the query string, referer, user agent or address,
    whatever ``access_log_format`` asks for."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        self.log_format = _log_format()
        # The text access line says its request id itself (access_log_format), from the response's header.
        for log, text_format in ((self.error_log, TEXT_FORMAT), (self.access_log, ACCESS_TEXT_FORMAT)):
            for handler in log.handlers:
                if getattr(handler, "_gunicorn", False):
                    handler.setFormatter(formatter(self.log_format, text_format))
                    add_filters(handler, self.log_format)
                    if log is self.error_log:
                        handler.addFilter(NoClientAddress())

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        every = super().atoms(resp, req, environ, request_time)
        path = redact_path(environ.get("PATH_INFO") or "/")
        safe = {key: every[key] for key in ("t", "s", "m", "H", "b", "B", "T", "D", "M", "L", "p") if key in every}
        safe["U"] = path
        safe["r"] = f"{every.get('m')} {path} {every.get('H')}"
        request_id = sane_request_id(every.get("{x-request-id}o"))
        if request_id:
            safe["{x-request-id}o"] = request_id
        return safe

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        if self.log_format != "json":
            super().access(resp, req, environ, request_time)
            return
        try:
            atoms = self.atoms(resp, req, environ, request_time)
            status = int(atoms["s"]) if str(atoms.get("s", "")).isdigit() else atoms.get("s")
            fields = {
                "method": atoms.get("m"),
                "path": atoms["U"],
                "status": status,
                "length": atoms.get("B"),
                "duration_ms": round(atoms["D"] / 1000, 3),
            }
            if "{x-request-id}o" in atoms:
                fields["request_id"] = atoms["{x-request-id}o"]
            self.access_log.info("%s %s %s", fields["method"], fields["path"], status, extra=fields)
        except Exception:
            self.exception("Could not write the access log line")


# Celery: the request id into the tasks a request queues -------------------------------------------------------------

_task_tokens: dict[str, contextvars.Token[str | None]] = {}


def put_request_id_in_task_headers(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    """``before_task_publish``: the current request id travels in the task message's headers."""
    request_id = request_id_var.get()
    if request_id and headers is not None:
        headers.setdefault(TASK_HEADER, request_id)


def take_request_id_from_task(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    """``task_prerun``: the worker's lines for this task carry the request id it was queued with. A task run
    eagerly (no message) keeps the id of the request it runs in."""
    request = getattr(task, "request", None)
    request_id = sane_request_id(getattr(request, TASK_HEADER, None)) or sane_request_id(
        (getattr(request, "headers", None) or {}).get(TASK_HEADER)
    )
    if request_id and task_id:
        _task_tokens[task_id] = request_id_var.set(request_id)


def forget_task_request_id(task_id: str | None = None, **kwargs: Any) -> None:
    """``task_postrun``: back to what it was before the task (nothing, in a worker)."""
    token = _task_tokens.pop(task_id, None) if task_id else None
    if token is not None:
        try:
            request_id_var.reset(token)
        except ValueError:  # set in another context (another thread): clear it here
            request_id_var.set(None)


def connect_celery_signals() -> None:
    """Connect the handlers once per process (dispatch uids make a second call a no-op)."""
    from celery import signals

    signals.before_task_publish.connect(put_request_id_in_task_headers, dispatch_uid="common.logging.publish")
    signals.task_prerun.connect(take_request_id_from_task, dispatch_uid="common.logging.prerun")
    signals.task_postrun.connect(forget_task_request_id, dispatch_uid="common.logging.postrun")
    signals.setup_logging.connect(configure_celery_logging, dispatch_uid="common.logging.setup_logging")


def configure_celery_logging(loglevel: int | str | None = None, **kwargs: Any) -> None:
    """``setup_logging``: the worker and beat log through Django's LOGGING (JSON in production), not Celery's own
    handlers; ``--loglevel`` still sets the level."""
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
    if loglevel:
        logging.getLogger().setLevel(loglevel)
