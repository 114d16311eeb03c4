"""A fake GOV.UK Notify HTTP server for tests and benchmarks: stdlib ``http.server`` in a thread on loopback.

It speaks the shape of Notify's API v2 that the service uses, as notifications-python-client calls it:

- ``POST /v2/notifications/email`` and ``/v2/notifications/sms``: checks the JWT bearer token (HS256, signed with the
  key's secret, ``iss`` the service id, ``iat`` within 30 seconds), validates the body, keeps the notification and
  answers 201 with Notify's response (``id``, ``reference``, ``content``, ``template``, ``uri``).
- ``GET /v2/notifications?reference=...`` and ``GET /v2/notifications/<id>``.

Switches make it misbehave like the real one: answer an error for the next N requests (optionally after keeping
the notification, as when Notify accepts a message but the answer is lost), or hold the answer to the next N sends.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt

SERVICE_ID = "5b6c7d8e-1f2a-4b3c-9d4e-5f6a7b8c9d0e"
SECRET = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
API_KEY = f"visits_test-{SERVICE_ID}-{SECRET}"  # Notify's format: <key name>-<service id>-<secret>

ERROR_TYPES = {
    400: ("ValidationError", "email_address Not a valid email address"),
    403: ("AuthError", "Invalid token: API key not found"),
    429: ("RateLimitError", "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds"),
    500: ("Exception", "Internal server error"),
}


@dataclass
class Fault:
    status: int
    error: str
    message: str
    after_recording: bool  # keep the notification, then answer the error (the answer is lost, in effect)
    sends_only: bool


class FakeNotify:
    """Start with ``start()`` (or as a context manager); point the client at ``url`` with ``API_KEY``."""

    def __init__(self, api_key: str = API_KEY, templates: dict[str, str] | None = None) -> None:
        self.service_id, self.secret = api_key[-73:-37], api_key[-36:]
        self.templates = templates or {}  # template id -> name (e.g. booked.email.en), to render the content
        self.lock = threading.Lock()
        self.notifications: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str, int]] = []  # (method, reference or path, status answered)
        self.faults: list[Fault] = []
        self.delays: list[float] = []
        self.received = threading.Event()  # set whenever a send is kept
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # Control ----------------------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeNotify:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> FakeNotify:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self) -> None:
        with self.lock:
            self.notifications.clear()
            self.requests.clear()
            self.faults.clear()
            self.delays.clear()
            self.received.clear()

    def fail_next(
        self,
        count: int,
        status: int,
        error: str | None = None,
        message: str | None = None,
        *,
        after_recording: bool = False,
        sends_only: bool = True,
    ) -> None:
        """Answer ``status`` to the next ``count`` requests (sends only, unless ``sends_only`` is off)."""
        default_error, default_message = ERROR_TYPES.get(status, ("Exception", "Error"))
        fault = Fault(status, error or default_error, message or default_message, after_recording, sends_only)
        with self.lock:
            self.faults.extend([fault] * count)

    def delay_next(self, count: int, seconds: float) -> None:
        """Keep the next ``count`` sends at once, but answer each only after ``seconds``."""
        with self.lock:
            self.delays.extend([seconds] * count)

    # What arrived -----------------------------------------------------------------------------------------------

    def sent(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.notifications)

    def per_reference(self) -> Counter[str]:
        return Counter(n["reference"] for n in self.sent())

    def requests_for(self, reference: str) -> list[tuple[str, str, int]]:
        with self.lock:
            return [r for r in self.requests if r[1] == reference]

    # The server -------------------------------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as requests.Session expects
            disable_nagle_algorithm = True  # headers and body go in separate writes: no 40 ms delayed-ACK stall

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                path = urlparse(self.path).path
                if path not in ("/v2/notifications/email", "/v2/notifications/sms"):
                    return self.answer(404, _error(404, "ResourceNotFound", "Not found"), "POST", path)
                try:
                    data = json.loads(body)
                except ValueError:
                    return self.answer(400, _error(400, "ValidationError", "Invalid JSON"), "POST", path)
                kind = path.rsplit("/", 1)[1]
                fake.handle_send(self, kind, data)

            def do_GET(self) -> None:
                parsed = urlparse(self.path)
                if not fake.authorised(self):
                    return
                fault = fake.take_fault(send=False)
                if fault is not None:
                    return self.answer(fault.status, _error(fault.status, fault.error, fault.message), "GET", "")
                if parsed.path == "/v2/notifications":
                    reference = parse_qs(parsed.query).get("reference", [""])[0]
                    with fake.lock:
                        found = [n for n in fake.notifications if not reference or n["reference"] == reference]
                    found.sort(key=lambda n: n["created_at"], reverse=True)
                    body = {"notifications": found, "links": {"current": f"{fake.url}{self.path}"}}
                    return self.answer(200, body, "GET", reference)
                if parsed.path.startswith("/v2/notifications/"):
                    wanted = parsed.path.rsplit("/", 1)[1]
                    with fake.lock:
                        found = [n for n in fake.notifications if n["id"] == wanted]
                    if found:
                        return self.answer(200, found[0], "GET", wanted)
                    return self.answer(404, _error(404, "NoResultFound", "No result found"), "GET", wanted)
                return self.answer(404, _error(404, "ResourceNotFound", "Not found"), "GET", parsed.path)

            def answer(self, status: int, body: dict[str, Any], method: str, key: str, delay: float = 0) -> None:
                with fake.lock:
                    fake.requests.append((method, key, status))
                if delay:
                    time.sleep(delay)
                payload = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timed out, or its process was killed)

        return Handler

    def authorised(self, handler: BaseHTTPRequestHandler) -> bool:
        scheme, _, token = handler.headers.get("Authorization", "").partition(" ")
        problem = ""
        if scheme != "Bearer" or not token:
            problem = "Unauthorized: authentication token must be provided"
        else:
            try:
                claims = jwt.decode(token, self.secret, algorithms=["HS256"], options={"verify_iat": False})
            except jwt.InvalidTokenError:
                problem = "Invalid token: API key not found"
            else:
                if claims.get("iss") != self.service_id:
                    problem = "Invalid token: API key not found"
                elif abs(time.time() - float(claims.get("iat", 0))) > 30:
                    problem = "Error: Your system clock must be accurate to within 30 seconds"
        if problem:
            handler.answer(403, _error(403, "AuthError", problem), handler.command, "")  # type: ignore[attr-defined]
            return False
        return True

    def take_fault(self, *, send: bool) -> Fault | None:
        with self.lock:
            if self.faults and (send or not self.faults[0].sends_only):
                return self.faults.pop(0)
        return None

    def handle_send(self, handler: Any, kind: str, data: dict[str, Any]) -> None:
        reference = str(data.get("reference", ""))
        if not self.authorised(handler):
            return
        fault = self.take_fault(send=True)
        if fault is not None and not fault.after_recording:
            return handler.answer(fault.status, _error(fault.status, fault.error, fault.message), "POST", reference)
        recipient_field = "email_address" if kind == "email" else "phone_number"
        recipient = str(data.get(recipient_field, ""))
        problem = _validate(kind, recipient, str(data.get("template_id", "")))
        if problem:
            return handler.answer(400, _error(400, "ValidationError", problem), "POST", reference)
        notification = self._keep(kind, recipient, data)
        if fault is not None:
            return handler.answer(fault.status, _error(fault.status, fault.error, fault.message), "POST", reference)
        with self.lock:
            delay = self.delays.pop(0) if self.delays else 0.0
        template = {"id": data["template_id"], "version": 1, "uri": f"{self.url}/v2/template/{data['template_id']}"}
        content = {"body": notification["body"]}
        if kind == "email":
            content.update(subject=notification["subject"], from_email="visits@notifications.service.gov.uk")
        else:
            content["from_number"] = "GOVUK"
        response = {
            "id": notification["id"],
            "reference": reference or None,
            "content": content,
            "uri": f"{self.url}/v2/notifications/{notification['id']}",
            "template": template,
            "scheduled_for": None,
        }
        handler.answer(201, response, "POST", reference, delay=delay)

    def _keep(self, kind: str, recipient: str, data: dict[str, Any]) -> dict[str, Any]:
        subject, body = "", ""
        name = self.templates.get(str(data.get("template_id")))
        if name:
            from notifications.gateway import render

            subject, body = render(name, data.get("personalisation") or {})
        notification = {
            "id": str(uuid.uuid4()),
            "reference": data.get("reference"),
            "type": kind,
            "email_address" if kind == "email" else "phone_number": recipient,
            "template": {"id": data["template_id"], "version": 1},
            "template_name": name,
            "personalisation": data.get("personalisation") or {},
            "subject": subject,
            "body": body,
            "status": "sending",
            "created_at": datetime.now(UTC).isoformat(),
        }
        with self.lock:
            self.notifications.append(notification)
        self.received.set()
        return notification


def _error(status: int, error: str, message: str) -> dict[str, Any]:
    return {"status_code": status, "errors": [{"error": error, "message": message}]}


def _validate(kind: str, recipient: str, template_id: str) -> str:
    try:
        uuid.UUID(template_id)
    except ValueError:
        return "template_id is not a valid UUID"
    if kind == "email" and ("@" not in recipient or "." not in recipient.rsplit("@", 1)[-1]):
        return "email_address Not a valid email address"
    if kind == "sms":
        digits = "".join(ch for ch in recipient if ch.isdigit())
        digits = digits.removeprefix("44") if recipient.startswith("+") else digits.removeprefix("0")
        if not (len(digits) == 10 and digits.startswith("7")):
            return "phone_number Not a UK mobile number"
    return ""
