"""Talking to the HMPPS APIs over HTTP: one connection pool per process, an HMPPS Auth token on every call,
timeouts on every call, retries for idempotent reads, a circuit breaker, and the interface's typed errors.

- **Token**: client credentials from HMPPS Auth (``HMPPS_AUTH_URL``), kept until ``TOKEN_MARGIN_SECONDS`` before it
  expires, fetched again once when an API answers 401 (``TokenSource``).
- **Timeouts**: ``NOMIS_CONNECT_TIMEOUT_SECONDS`` to connect, ``NOMIS_TIMEOUT_SECONDS`` to read.
- **Retries** (tenacity): a GET is tried up to ``NOMIS_READ_ATTEMPTS`` times, with exponential backoff and jitter,
  after a connection error, a timeout, or a 502, 503, 504 or 429 (waiting at least what ``Retry-After`` asks). A
  write (POST, PUT) is tried once: the caller (the sync job) retries it later, safely.
- **Circuit breaker** (pybreaker): after ``NOMIS_BREAKER_FAILURES`` calls in a row that found NOMIS unavailable,
  every call fails at once for ``NOMIS_BREAKER_RESET_SECONDS``, then one call tries again. Its state is kept in Redis
  where there is one, so every process of the service sees the same outage; otherwise in the process.
- **Errors**: ``NomisTimeout`` (no answer in time), ``NomisUnavailable`` (down, 5xx, 429, breaker open),
  ``NomisNotFound`` (404), ``Conflict`` (409: already done), ``NomisError`` (any other refusal, or an answer that
  is not what the API promises).
"""

from __future__ import annotations

import email.utils
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pybreaker
import tenacity
from django.conf import settings

from prisons.nomis.interface import NomisError, NomisNotFound, NomisTimeout, NomisUnavailable
from prisons.nomis.status import nomis_outage_end, nomis_outage_start

logger = logging.getLogger(__name__)

TOKEN_MARGIN_SECONDS = 60  # a token is fetched again this long before it expires
RETRY_STATUSES = frozenset({429, 502, 503, 504})
MAX_RETRY_AFTER_SECONDS = 10.0  # a Retry-After longer than this is not waited for: NOMIS is unavailable


class TransientFailure(NomisUnavailable):
    """A failure worth trying again (a connection error, a timeout, 429, 502, 503, 504); ``wait`` is the least time to
    wait first (what ``Retry-After`` asked)."""

    def __init__(self, message: str, *, wait: float = 0.0, timeout: bool = False) -> None:
        super().__init__(message)
        self.wait = wait
        self.timeout = timeout


class Conflict(NomisError):
    """The API answered 409: what is asked is already done (a visit already recorded, or already cancelled).
    ``body`` is its JSON answer (the HMPPS ``ErrorResponse``), or None."""

    def __init__(self, message: str, body: Any) -> None:
        super().__init__(message)
        self.body = body


@dataclass
class _Token:
    value: str
    expires_at: float  # time.monotonic()


class TokenSource:
    """An HMPPS Auth access token got with the client's credentials, kept until shortly before it expires."""

    def __init__(self, http: httpx.Client, *, url: str, client_id: str, client_secret: str) -> None:
        self._http = http
        self._url = url.rstrip("/") + "/auth/oauth/token"
        self._credentials = (client_id, client_secret)
        self._token: _Token | None = None
        self._lock = threading.Lock()

    def token(self) -> str:
        with self._lock:
            if self._token is None or time.monotonic() >= self._token.expires_at:
                self._token = self._fetch()
            return self._token.value

    def forget(self, value: str) -> None:
        """The API refused this token (401): the next call fetches another."""
        with self._lock:
            if self._token is not None and self._token.value == value:
                self._token = None

    def _fetch(self) -> _Token:
        try:
            response = self._http.post(
                self._url, params={"grant_type": "client_credentials"}, auth=self._credentials, data={}
            )
        except httpx.TimeoutException as error:
            raise NomisTimeout("HMPPS Auth did not answer in time") from error
        except httpx.TransportError as error:
            raise NomisUnavailable(f"HMPPS Auth could not be reached ({type(error).__name__})") from error
        if response.status_code >= 500 or response.status_code == 429:
            raise NomisUnavailable(f"HMPPS Auth answered {response.status_code}")
        if response.status_code != 200:
            raise NomisError(f"HMPPS Auth refused the service's credentials ({response.status_code})")
        body = _json(response, "HMPPS Auth")
        value, lifetime = body.get("access_token"), body.get("expires_in")
        if not isinstance(value, str) or not value or not isinstance(lifetime, int) or lifetime <= 0:
            raise NomisError("HMPPS Auth's answer has no access_token or expires_in")
        return _Token(value, time.monotonic() + max(lifetime - TOKEN_MARGIN_SECONDS, lifetime / 2))


def _json(response: httpx.Response, api: str) -> Any:
    try:
        return response.json()
    except ValueError as error:
        raise NomisError(f"{api} answered with something that is not JSON") from error


def _retry_after(response: httpx.Response) -> float:
    """The seconds a 429 or 503 asks to wait (a number of seconds or an HTTP date), 0 if it does not say."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return 0.0
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 0.0
    return max(0.0, when.timestamp() - time.time())


class _WaitAtLeastRetryAfter(tenacity.wait.wait_base):
    """Exponential backoff with jitter, but never less than what the answer's Retry-After asked."""

    def __init__(self, backoff: tenacity.wait.wait_base) -> None:
        self.backoff = backoff

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        error = retry_state.outcome.exception() if retry_state.outcome else None
        asked = error.wait if isinstance(error, TransientFailure) else 0.0
        return max(self.backoff(retry_state), asked)


def breaker_storage(namespace: str = "nomis") -> pybreaker.CircuitBreakerStorage:
    """Where the breaker keeps its state: Redis, shared by every process, where there is one; else this process."""
    if settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        return pybreaker.CircuitRedisStorage(pybreaker.STATE_CLOSED, client, namespace=namespace)
    return pybreaker.CircuitMemoryStorage(pybreaker.STATE_CLOSED)


class BreakerLog(pybreaker.CircuitBreakerListener):
    """One line when the breaker opens and one when it closes: an outage is two lines, not one a call."""

    def state_change(self, cb: pybreaker.CircuitBreaker, old_state: Any, new_state: Any) -> None:
        if new_state.name == pybreaker.STATE_OPEN:
            logger.warning(
                "NOMIS is unavailable: the circuit breaker is open; calls fail at once for %ss", cb.reset_timeout
            )
            nomis_outage_start()
        elif new_state.name == pybreaker.STATE_CLOSED and old_state is not None:
            logger.info("NOMIS answers again: the circuit breaker is closed")
            nomis_outage_end()


class ConcurrentCircuitBreaker(pybreaker.CircuitBreaker):
    """pybreaker's breaker holds one lock for the whole of every call it guards, so the calls of one question, made
    at once on the client's threads, would wait for each other. Here only the breaker's own changes of state take
    the lock (pybreaker's methods do that themselves); the failure count is Redis's atomic counter, or the process's.
    In the half-open state the calls under way together may all be trials: one question's worth."""

    def call(self, func: Any, *args: Any, **kwargs: Any) -> Any:
        return self.state.call(func, *args, **kwargs)


class HmppsHttp:
    """One process's way to the HMPPS APIs (see the module's docstring)."""

    def __init__(
        self,
        *,
        transport: httpx.BaseTransport | None = None,
        state_storage: pybreaker.CircuitBreakerStorage | None = None,
        sleep: Any = time.sleep,
    ) -> None:
        """``transport``, ``state_storage`` and ``sleep`` are for tests: a fake server in the process, a breaker of
        the test's own, no real waiting."""
        timeout = httpx.Timeout(settings.NOMIS_TIMEOUT_SECONDS, connect=settings.NOMIS_CONNECT_TIMEOUT_SECONDS)
        self.http = httpx.Client(timeout=timeout, transport=transport, headers={"Accept": "application/json"})
        self.tokens = TokenSource(
            self.http,
            url=settings.HMPPS_AUTH_URL,
            client_id=settings.HMPPS_CLIENT_ID,
            client_secret=settings.HMPPS_CLIENT_SECRET,
        )
        self.breaker = ConcurrentCircuitBreaker(
            fail_max=settings.NOMIS_BREAKER_FAILURES,
            reset_timeout=settings.NOMIS_BREAKER_RESET_SECONDS,
            state_storage=state_storage or breaker_storage(),
            exclude=[lambda error: not isinstance(error, NomisUnavailable)],  # a 404 or a bad answer is not an outage
            listeners=[BreakerLog()],
            name="nomis",
        )
        self._retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(settings.NOMIS_READ_ATTEMPTS),
            wait=_WaitAtLeastRetryAfter(tenacity.wait_exponential_jitter(multiplier=0.2, max=2.0, jitter=0.2)),
            retry=tenacity.retry_if_exception_type(TransientFailure),
            reraise=True,
            sleep=sleep,
        )

    @property
    def breaker_state(self) -> str:
        """closed, open or half-open (as every process sees it, with Redis)."""
        try:
            return str(self.breaker.current_state)
        except Exception:  # the breaker's storage did not answer
            return "unknown"

    def get(self, api: str, url: str, *, params: dict[str, Any] | None = None, missing_ok: bool = False) -> Any:
        """GET a JSON answer, with retries. ``missing_ok``: a 404 answers None instead of raising NomisNotFound."""
        return self._call(api, "GET", url, params=params, missing_ok=missing_ok, retry=True)

    def send(self, api: str, method: str, url: str, *, body: Any = None) -> Any:
        """POST or PUT a JSON body, tried once; the JSON answer (None if the answer has no body)."""
        return self._call(api, method, url, body=body, missing_ok=False, retry=False)

    def post_signed(self, api: str, url: str, content: bytes, sign: Callable[[bytes], dict[str, str]]) -> Any:
        """POST to an AWS API (the events queue): no HMPPS token, the headers ``sign`` gives for the body (signed
        afresh for each try); retried like a read, for the queue's actions are safe to repeat."""
        return self._call(api, "POST", url, content=content, sign=sign, missing_ok=False, retry=True)

    def _call(
        self,
        api: str,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        content: bytes | None = None,
        sign: Callable[[bytes], dict[str, str]] | None = None,
        missing_ok: bool,
        retry: bool,
    ) -> Any:
        def once() -> Any:
            if sign is not None:
                return self._answer(api, self._signed(api, url, content or b"", sign), missing_ok)
            return self._once(api, method, url, params, body, missing_ok)

        def call() -> Any:  # the retries happen inside one call: an outage counts once a call towards the breaker
            return self._retrying(once) if retry else once()

        try:
            return self.breaker.call(call)
        except pybreaker.CircuitBreakerError as error:
            raise NomisUnavailable(f"{api}: NOMIS is unavailable (the circuit breaker is open)") from error
        except TransientFailure as error:
            if error.timeout:
                raise NomisTimeout(str(error)) from error
            raise NomisUnavailable(str(error)) from error

    def _once(self, api: str, method: str, url: str, params: dict[str, Any] | None, body: Any, missing_ok: bool) -> Any:
        response = self._request(api, method, url, params, body)
        if response.status_code == 401:  # the token expired early, or was revoked: one more try with a new one
            response = self._request(api, method, url, params, body, fresh_token=True)
        return self._answer(api, response, missing_ok)

    def _answer(self, api: str, response: httpx.Response, missing_ok: bool) -> Any:
        status = response.status_code
        if status in RETRY_STATUSES:
            wait = _retry_after(response)
            if wait > MAX_RETRY_AFTER_SECONDS:
                raise NomisUnavailable(f"{api} asked to wait {wait:.0f}s ({status})")
            raise TransientFailure(f"{api} answered {status}", wait=wait)
        if status >= 500:
            raise NomisUnavailable(f"{api} answered {status}")
        if status == 404:
            if missing_ok:
                return None
            raise NomisNotFound(f"{api}: not found")
        if status == 409:
            try:
                body = response.json()
            except ValueError:
                body = None
            raise Conflict(f"{api}: already done (409)", body)
        if status >= 400:
            raise NomisError(f"{api} refused the request ({status})")
        if status == 204 or not response.content:
            return None
        return _json(response, api)

    def _signed(self, api: str, url: str, content: bytes, sign: Callable[[bytes], dict[str, str]]) -> httpx.Response:
        try:
            return self.http.post(url, content=content, headers=sign(content))
        except httpx.TimeoutException as error:
            raise TransientFailure(f"{api} did not answer in time", timeout=True) from error
        except httpx.TransportError as error:
            raise TransientFailure(f"{api} could not be reached ({type(error).__name__})") from error

    def _request(
        self, api: str, method: str, url: str, params: Any, body: Any, *, fresh_token: bool = False
    ) -> httpx.Response:
        token = self.tokens.token()
        if fresh_token:
            self.tokens.forget(token)
            token = self.tokens.token()
        try:
            return self.http.request(
                method, url, params=params, json=body, headers={"Authorization": f"Bearer {token}"}
            )
        except httpx.TimeoutException as error:
            raise TransientFailure(f"{api} did not answer in time", timeout=True) from error
        except httpx.TransportError as error:
            raise TransientFailure(f"{api} could not be reached ({type(error).__name__})") from error
