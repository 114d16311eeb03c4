"""Rate limits for public lookups, counted in the cache (Redis in production), against enumeration.

- A client is an address, the visitor's own behind the load balancer (common/client_ip.py); an IPv6 address counts
  as its /64, the block one household or phone is given, so that a stranger cannot make fresh addresses by the
  million to pass as different clients.
- Each client may look up 20 prisoners in 10 minutes, and find a visit by reference 10 times in 10 minutes.
- Each client may give details that do not match one prisoner number 5 times a day; then that number is closed to
  them (not to anyone else) for the day.
- A prisoner number whose details have not matched from 50 different clients in a day is being guessed at: from then
  on, for the day, a client that has already given wrong details for it is refused it, so each further address
  gets one guess. A client with no wrong guess for it is still looked up, so the family giving the right details
  gets through (before, the number was closed for everyone: a stranger with 50 addresses could close a family's
  online booking for a day). Every refusal's page gives the prison's phone number.

The counters are the cache's atomic add and increment (django-ratelimit counts the same way, but refuses the
embedded default's local-memory cache and has no notion of distinct clients).
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging

from django.core.cache import cache
from django.http import HttpRequest

from common.client_ip import client_ip

logger = logging.getLogger(__name__)

# (attempts, seconds)
PRISONER_LOOKUPS_PER_CLIENT = (20, 10 * 60)
VISIT_LOOKUPS_PER_CLIENT = (10, 10 * 60)
FAILURES_PER_CLIENT_PER_NUMBER = (5, 24 * 60 * 60)
FAILING_CLIENTS_PER_NUMBER = (50, 24 * 60 * 60)
IPV6_PREFIX = 64


def client_key(request: HttpRequest) -> str:
    """The client a limit counts: its IPv4 address, or its IPv6 address's /64 network."""
    address = client_ip(request)
    if not address:
        return "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, IPV6_PREFIX), strict=False))
    return str(ip)


def allow(scope: str, key: str, limit: tuple[int, int]) -> bool:
    """Count one attempt; False once the limit for this key in the window is passed."""
    attempts, seconds = limit
    return _increment(f"ratelimit:{scope}:{key}", seconds) <= attempts


def _hashed(client: str) -> str:
    return hashlib.sha256(client.encode()).hexdigest()[:20]  # no address kept in the cache


def number_open_to(number: str, client: str) -> bool:
    """Whether this client may still look this prisoner number up online today."""
    failures = cache.get(f"ratelimit:prisoner-number-client:{number}:{_hashed(client)}") or 0
    if failures >= FAILURES_PER_CLIENT_PER_NUMBER[0]:
        return False
    return not failures or not number_being_guessed(number)


def number_being_guessed(number: str) -> bool:
    """Whether details for this number have failed to match from too many different clients today."""
    return (cache.get(f"ratelimit:prisoner-number:{number}") or 0) >= FAILING_CLIENTS_PER_NUMBER[0]


def lookup_failed(number: str, client: str) -> None:
    """Details given for this number by this client did not match: count it for the client, and count the client
    once a day for the number."""
    seconds = FAILURES_PER_CLIENT_PER_NUMBER[1]
    if _increment(f"ratelimit:prisoner-number-client:{number}:{_hashed(client)}", seconds) == 1:
        failing = _increment(f"ratelimit:prisoner-number:{number}", FAILING_CLIENTS_PER_NUMBER[1])
        if failing == FAILING_CLIENTS_PER_NUMBER[0]:
            logger.warning(
                "A prisoner number is being guessed at: details for it failed from %s different clients today",
                failing,
                extra={"number_hash": _hashed(number)},
            )


def _increment(key: str, seconds: int) -> int:
    cache.add(key, 0, timeout=seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=seconds)
        return 1
