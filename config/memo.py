"""Process-local memos: small maps whose entries lapse after a while, the oldest dropped first when full.

For values keyed by everything they depend on (the generations of ``prisons.generations`` included), so that an
entry is never wrong for its key, only possibly old: the lapse bounds how old, for what no generation tracks
(NOMIS's own changes, a hold running out). Each process has its own; nothing in them is shared or written back.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from django.conf import settings

MISSING: Any = object()
_ALL: list[Memo] = []


class Memo:
    """A map of at most ``size`` entries (the oldest set goes first), each kept for ``seconds`` at most (less if
    ``set`` says so)."""

    def __init__(self, name: str, *, size: int, seconds: float) -> None:
        self.name = name
        self.size = size
        self.seconds = seconds
        self._entries: OrderedDict[Hashable, tuple[Any, float]] = OrderedDict()
        self._lock = threading.Lock()
        self.enabled = getattr(settings, "PROCESS_MEMOS", True)  # off: nothing is kept (benchmarks)
        _ALL.append(self)

    def get(self, key: Hashable) -> Any:
        """The value, or ``MISSING`` when there is none or it has lapsed."""
        entry = self._entries.get(key)
        if entry is None:
            return MISSING
        if entry[1] < time.time():
            with self._lock:
                self._entries.pop(key, None)
            return MISSING
        return entry[0]

    def set(self, key: Hashable, value: Any, *, seconds: float | None = None) -> Any:
        """Keep ``value`` for ``seconds`` (at most the memo's own), and return it."""
        lasts = self.seconds if seconds is None else min(seconds, self.seconds)
        if lasts <= 0 or not self.enabled:
            return value
        with self._lock:
            self._entries[key] = (value, time.time() + lasts)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def clear_all() -> None:
    """Empty every memo of this process (tests, between cases)."""
    for memo in _ALL:
        memo.clear()
