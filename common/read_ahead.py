"""The cache reads a request is known to make, in one round trip (``read_ahead``) instead of one each.

Each cache read in production is a round trip to Redis, and on a page where every visitor's data is small the
round trips cost more than the work: a first view of the date picker made five, at about a quarter of its CPU
(docs/benchmarks.md). A middleware that knows which reads a page will make (``journey.read_ahead``) asks for them
together with Django's ``cache.get_many``; the code that needs a value asks ``cache_get`` as it would ask
``cache.get``, and gets the value read ahead, once: a second read of the same key in the request, as after the
request has written it, goes to the cache. Nothing outlives the request.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar
from typing import Any

from django.core.cache import cache

_READ: ContextVar[dict[str, Any] | None] = ContextVar("read_ahead", default=None)


def read_ahead(keys: Iterable[str]) -> None:
    """Read these keys from the cache in one round trip, for ``cache_get`` to answer from during this request."""
    keys = list(keys)
    found = cache.get_many(keys) if keys else {}
    _READ.set({key: found.get(key) for key in keys})


def forget_read_ahead() -> None:
    """The request is over: what was read ahead is gone."""
    _READ.set(None)


def cache_get(key: str) -> Any:
    """``cache.get(key)``: the value read ahead for this request the first time, the cache's after."""
    read = _READ.get()
    if read is not None and key in read:
        return read.pop(key)
    return cache.get(key)
