"""Rate limits for public lookups, counted in the cache (Redis when configured), against enumeration."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest

# (attempts, seconds)
PRISONER_LOOKUPS_PER_CLIENT = (20, 10 * 60)
PRISONER_LOOKUPS_PER_NUMBER = (10, 60 * 60)
VISIT_LOOKUPS_PER_CLIENT = (10, 10 * 60)


def client_key(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")


def allow(scope: str, key: str, limit: tuple[int, int]) -> bool:
    """Count one attempt; False once the limit for this key in the window is passed."""
    attempts, seconds = limit
    cache_key = f"ratelimit:{scope}:{key}"
    cache.add(cache_key, 0, timeout=seconds)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=seconds)
        count = 1
    return count <= attempts
