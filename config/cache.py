"""Django's caches, without the work a page pays for on every call and does not need.

Redis: one redis-py client per connection pool instead of one per call.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every cache call, and redis-py's
constructor fills a table of some 170 response callbacks each time: about 0.2 ms of CPU a call, most of the cost of
reading the session or the generations on a page (benchmarked in docs/benchmarks.md). A ``redis.Redis`` is safe to
share between threads (each command takes a connection from the pool), and the pool itself starts afresh in a forked
process, so one client per pool is kept and reused.

Both: no per-key check for memcached's key rules (``BaseCache.validate_key`` walks every character of every key in
Python, on every call: a fifth of a kept page's cache reads). Neither Redis nor local memory has those rules, and
this service's keys are its own.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class _ReusedClients(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ReusedClientRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` with its clients reused (see the module's docstring)."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ReusedClients

    def validate_key(self, key: str) -> None:
        """Any key will do for Redis (see the module's docstring)."""


class LocalMemoryCache(LocMemCache):
    """``django.core.cache.backends.locmem.LocMemCache`` without memcached's key checks (the module's docstring)."""

    def validate_key(self, key: str) -> None:
        """Any key will do in local memory."""
