"""What the fake server gets wrong on purpose, set through ``/__fake/faults``; kept in the process (the server is
one process), all off at start.

- ``latency_ms``: every API answer waits this long first (longer than the client's timeout: a timeout);
- ``error_share``, ``throttle_share``, ``malformed_share``: the share of API calls answered 503, 429 (with
  ``Retry-After: 1``) or 200 with a body that is not JSON;
- ``down``: every API call answered 503; ``auth_down``: the token endpoint answers 503;
- expiring every token (``POST /__fake/faults/expire-tokens``): tokens issued before then are refused with 401.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass
class Faults:
    latency_ms: int = 0
    error_share: float = 0.0
    throttle_share: float = 0.0
    malformed_share: float = 0.0
    down: bool = False
    auth_down: bool = False

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


_lock = threading.Lock()
_faults = Faults()
_tokens_valid_after = 0.0
_rng = random.Random()
_api_calls = 0
_api_seconds = 0.0


def faults_now() -> Faults:
    with _lock:
        return Faults(**asdict(_faults))


def faults_set(values: dict[str, Any]) -> Faults:
    """Replace the faults with ``values`` (a field left out is off). Raises ValueError naming a bad field."""
    known = {field.name: field.type for field in fields(Faults)}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ValueError(f"unknown fault: {', '.join(unknown)}")
    chosen = Faults()
    for name, value in values.items():
        default = getattr(chosen, name)
        if isinstance(default, bool):
            if not isinstance(value, bool):
                raise ValueError(f"{name} must be true or false")
        elif isinstance(default, int):
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 120_000:
                raise ValueError(f"{name} must be a whole number of milliseconds from 0 to 120000")
        elif isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise ValueError(f"{name} must be a share from 0 to 1")
        setattr(chosen, name, value)
    global _faults
    with _lock:
        _faults = chosen
    return chosen


def faults_clear() -> None:
    global _faults, _tokens_valid_after
    with _lock:
        _faults = Faults()
        _tokens_valid_after = 0.0


def tokens_expire() -> None:
    global _tokens_valid_after
    with _lock:
        _tokens_valid_after = time.time()


def tokens_valid_after() -> float:
    with _lock:
        return _tokens_valid_after


def api_called() -> None:
    global _api_calls
    with _lock:
        _api_calls += 1


def api_answered(seconds: float) -> None:
    global _api_seconds
    with _lock:
        _api_seconds += seconds


def api_calls() -> int:
    """How many API calls the server has been asked (the token endpoint's not counted): tests see whether a call
    reached it."""
    with _lock:
        return _api_calls


def api_seconds() -> float:
    """The time the server took to answer them (benchmarks/population.py reports it per booked journey)."""
    with _lock:
        return _api_seconds


def chance(share: float) -> bool:
    with _lock:
        return share > 0 and _rng.random() < share
