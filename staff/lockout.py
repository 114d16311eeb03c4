"""Sign-in lockout: after repeated failures for a username, it cannot sign in for a while (counted in the cache)."""

from __future__ import annotations

from django.core.cache import cache

MAX_FAILURES = 5
LOCK_SECONDS = 15 * 60


def _key(username: str) -> str:
    return f"signin-failures:{username.strip().lower()}"


def is_locked(username: str) -> bool:
    return cache.get(_key(username), 0) >= MAX_FAILURES


def record_failure(username: str) -> None:
    key = _key(username)
    cache.add(key, 0, timeout=LOCK_SECONDS)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=LOCK_SECONDS)


def clear(username: str) -> None:
    cache.delete(_key(username))
