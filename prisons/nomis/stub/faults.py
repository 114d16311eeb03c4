"""Fault injection for the stub: added latency, a share of calls that fail, or NOMIS down.

The settings (``NOMIS_STUB_LATENCY_MS``, ``NOMIS_STUB_FAILURE_RATE``, ``NOMIS_STUB_DOWN``) are read on every call,
so ``override_settings`` and pytest-django's ``settings`` fixture take effect at once. The debug page can override
each of them at runtime through the ``FaultOverride`` row, read with one primary-key query per call: a field set
there wins over the setting.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from django.conf import settings

from prisons.nomis.interface import NomisTimeout, NomisUnavailable
from prisons.nomis.stub.models import FaultOverride


@dataclass(frozen=True)
class Faults:
    latency_ms: int
    failure_rate: float
    down: bool
    timeout_seconds: float

    @property
    def any(self) -> bool:
        return bool(self.latency_ms or self.failure_rate or self.down)


def faults_from_settings() -> Faults:
    """The faults the settings ask for, ignoring any runtime override."""
    return Faults(
        latency_ms=max(0, int(settings.NOMIS_STUB_LATENCY_MS)),
        failure_rate=min(1.0, max(0.0, float(settings.NOMIS_STUB_FAILURE_RATE))),
        down=bool(settings.NOMIS_STUB_DOWN),
        timeout_seconds=float(settings.NOMIS_TIMEOUT_SECONDS),
    )


def faults_override() -> FaultOverride | None:
    """The runtime override row, if the debug page has ever saved one (one query)."""
    return FaultOverride.objects.filter(pk=FaultOverride.SINGLETON_ID).first()


def faults_in_force() -> Faults:
    """The faults applied to calls now: the settings, with any field set in the override row winning."""
    base = faults_from_settings()
    override = faults_override()
    if override is None:
        return base
    return Faults(
        latency_ms=base.latency_ms if override.latency_ms is None else override.latency_ms,
        failure_rate=base.failure_rate if override.failure_rate is None else override.failure_rate,
        down=base.down if override.down is None else override.down,
        timeout_seconds=base.timeout_seconds,
    )


def inject_faults(operation: str, rng: random.Random) -> None:
    """Behave like a slow or failing NOMIS before ``operation`` runs: wait, then maybe raise.

    Latency beyond the timeout waits only the timeout, as a client giving up would, then raises ``NomisTimeout``.
    """
    faults = faults_in_force()
    if faults.latency_ms:
        latency = faults.latency_ms / 1000
        if latency > faults.timeout_seconds:
            time.sleep(faults.timeout_seconds)
            raise NomisTimeout(f"NOMIS stub: {operation} took longer than {faults.timeout_seconds:g}s")
        time.sleep(latency)
    if faults.down:
        raise NomisUnavailable(f"NOMIS stub: down ({operation})")
    if faults.failure_rate and rng.random() < faults.failure_rate:
        raise NomisUnavailable(f"NOMIS stub: injected failure ({operation})")
