"""HMPPS Auth's client-credentials grant: ``POST /auth/oauth/token`` with HTTP Basic client credentials answers a
bearer token that expires (``HMPPS_FAKE_TOKEN_SECONDS``); the APIs accept only a token it issued, unexpired."""

from __future__ import annotations

import base64
import binascii
import hmac
import time
import uuid

from django.conf import settings
from django.core import signing

from hmpps_fake import faults

SALT = "hmpps-fake.token"
# What the fake server's settings set; the defaults serve its views inside a test process (hmpps_fake.in_process).
DEFAULT_CLIENTS = {"visit-someone-in-prison": "fake-secret"}
DEFAULT_TOKEN_SECONDS = 1200


def _clients() -> dict[str, str]:
    return getattr(settings, "HMPPS_FAKE_CLIENTS", DEFAULT_CLIENTS)


def client_from_basic(header: str) -> str | None:
    """The client id of a valid ``Authorization: Basic`` header, or None."""
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        client_id, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    expected = _clients().get(client_id)
    if expected is None or not hmac.compare_digest(expected.encode(), secret.encode()):
        return None
    return client_id


def token_issue(client_id: str) -> dict[str, object]:
    """The token answer, shaped as HMPPS Auth's (prisons/nomis/contract/hmpps-auth.token.json)."""
    lifetime = getattr(settings, "HMPPS_FAKE_TOKEN_SECONDS", DEFAULT_TOKEN_SECONDS)
    issued = time.time()
    jti = str(uuid.uuid4())
    value = signing.dumps({"sub": client_id, "iat": issued, "exp": issued + lifetime, "jti": jti}, salt=SALT)
    return {
        "access_token": value,
        "token_type": "bearer",
        "expires_in": lifetime,
        "scope": "read write",
        "sub": client_id,
        "auth_source": "none",
        "jti": jti,
        "iss": "http://127.0.0.1/auth/issuer",
    }


def token_valid(header: str) -> bool:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value:
        return False
    try:
        claims = signing.loads(value, salt=SALT)
    except signing.BadSignature:
        return False
    now = time.time()
    return bool(claims.get("exp", 0) > now and claims.get("iat", 0) > faults.tokens_valid_after())
