"""The process-local memo (config.memo) and the Redis cache backend that reuses its clients (config.cache)."""

from __future__ import annotations

import os
import uuid
from datetime import datetime, timedelta

import pytest
import time_machine

from config.cache import ReusedClientRedisCache
from config.memo import MISSING, Memo


def test_a_memo_keeps_a_value_until_it_lapses() -> None:
    memo = Memo("test-lapse", size=4, seconds=60)
    with time_machine.travel(datetime(2026, 11, 23, 9, 0), tick=False) as traveller:
        memo.set("a", 1)
        memo.set("b", 2, seconds=5)  # less than the memo's own
        memo.set("c", 3, seconds=600)  # never more than the memo's own
        assert (memo.get("a"), memo.get("b"), memo.get("c")) == (1, 2, 3)
        traveller.shift(timedelta(seconds=6))
        assert (memo.get("a"), memo.get("b"), memo.get("c")) == (1, MISSING, 3)
        traveller.shift(timedelta(seconds=55))
        assert memo.get("a") is MISSING and memo.get("c") is MISSING


def test_a_full_memo_drops_its_oldest_entry() -> None:
    memo = Memo("test-size", size=2, seconds=60)
    for key in "abc":
        memo.set(key, key.upper())
    assert (memo.get("a"), memo.get("b"), memo.get("c")) == (MISSING, "B", "C")
    assert len(memo) == 2


def test_nothing_is_kept_for_no_time_or_when_memos_are_off() -> None:
    memo = Memo("test-off", size=2, seconds=60)
    assert memo.set("a", 1, seconds=0) == 1 and memo.get("a") is MISSING
    memo.enabled = False
    assert memo.set("b", 2) == 2 and memo.get("b") is MISSING


@pytest.mark.redis
def test_the_redis_cache_reuses_one_client_and_behaves_as_djangos() -> None:
    cache = ReusedClientRedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    try:
        client = cache._cache.get_client()
        assert cache._cache.get_client(write=True) is client  # one server: one pool, one client
        cache.set("session", {"answers": [1, 2]}, 30)
        assert cache.get("session") == {"answers": [1, 2]}
        assert cache.add("generation", 7, None) and not cache.add("generation", 8, None)
        assert cache.incr("generation") == 8
        assert cache.get_many(["session", "generation", "missing"]) == {"session": {"answers": [1, 2]}, "generation": 8}
        with pytest.raises(ValueError):
            cache.incr("missing")
    finally:
        cache.delete_many(["session", "generation"])
