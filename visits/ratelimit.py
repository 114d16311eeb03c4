"""Rate limits for public lookups, counted in the cache (Redis in production), against enumeration.

- Each client address (config/client_ip.py: the visitor's own, behind the load balancer) may look up 20 prisoners
  in 10 minutes, and find a visit by reference 10 times in 10 minutes.
- A prisoner number is closed to online lookups for the day once 50 different clients have given details that do
  not match it: someone is trying to find a prisoner's details by guessing. Only different clients count, so that a
  stranger guessing wrongly from one browser cannot lock a family out of booking; the family's own lookups, right
  or wrong, are one client among the 50, and the "too many attempts" page gives them the prison's phone number.

The counters are the cache's atomic add and increment (django-ratelimit counts the same way, but refuses the
embedded default's local-memory cache and has no notion of distinct clients).
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.http import HttpRequest

from config.client_ip import client_ip

# (attempts, seconds)
PRISONER_LOOKUPS_PER_CLIENT = (20, 10 * 60)
VISIT_LOOKUPS_PER_CLIENT = (10, 10 * 60)
FAILING_CLIENTS_PER_NUMBER = (50, 24 * 60 * 60)


def client_key(request: HttpRequest) -> str:
    return client_ip(request) or "unknown"


def allow(scope: str, key: str, limit: tuple[int, int]) -> bool:
    """Count one attempt; False once the limit for this key in the window is passed."""
    attempts, seconds = limit
    return _increment(f"ratelimit:{scope}:{key}", seconds) <= attempts


def number_open(number: str) -> bool:
    """Whether the prisoner number may still be looked up online today."""
    attempts, _seconds = FAILING_CLIENTS_PER_NUMBER
    return (cache.get(f"ratelimit:prisoner-number:{number}") or 0) < attempts


def lookup_failed(number: str, request: HttpRequest) -> None:
    """Details given for this number did not match: count the client once a day."""
    _attempts, seconds = FAILING_CLIENTS_PER_NUMBER
    client = hashlib.sha256(client_key(request).encode()).hexdigest()[:20]  # no address kept in the cache
    if cache.add(f"ratelimit:prisoner-number-client:{number}:{client}", 1, timeout=seconds):
        _increment(f"ratelimit:prisoner-number:{number}", seconds)


def _increment(key: str, seconds: int) -> int:
    cache.add(key, 0, timeout=seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=seconds)
        return 1
