"""The NOMIS adapter: ``get_client()`` gives the configured implementation of ``NomisClient`` (see docs/nomis.md).

The class named by ``settings.NOMIS_CLIENT`` is built once per process and per class path, so
``override_settings(NOMIS_CLIENT=...)`` gets its own instance; ``reset_client()`` (or ``get_client.cache_clear()``)
drops the cached instances, for tests that change a client's state.
"""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from prisons.nomis.interface import (
    ApprovedVisitor,
    BookingFacts,
    CancelOutcome,
    EventPage,
    EventType,
    LegalStatus,
    NomisClient,
    NomisError,
    NomisNotFound,
    NomisTimeout,
    NomisUnavailable,
    Prisoner,
    PrisonerEvent,
    Restriction,
    RestrictionType,
    Unavailability,
    UnavailableReason,
    VisitBalance,
    VisitToRecord,
)


@functools.cache
def _client_for(class_path: str) -> NomisClient:
    try:
        client_class = import_string(class_path)
    except ImportError as error:
        raise ImproperlyConfigured(f"NOMIS_CLIENT={class_path!r} cannot be imported: {error}") from error
    client: Any = client_class()
    if not isinstance(client, NomisClient):
        raise ImproperlyConfigured(f"NOMIS_CLIENT={class_path!r} does not implement NomisClient")
    return client


def get_client() -> NomisClient:
    """The NOMIS client named by ``settings.NOMIS_CLIENT`` (one instance per process)."""
    return _client_for(settings.NOMIS_CLIENT)


def reset_client() -> None:
    """Forget the cached client instances: the next ``get_client()`` builds a new one."""
    _client_for.cache_clear()


get_client.cache_clear = reset_client  # type: ignore[attr-defined]

__all__ = [
    "ApprovedVisitor",
    "BookingFacts",
    "CancelOutcome",
    "EventPage",
    "EventType",
    "LegalStatus",
    "NomisClient",
    "NomisError",
    "NomisNotFound",
    "NomisTimeout",
    "NomisUnavailable",
    "Prisoner",
    "PrisonerEvent",
    "Restriction",
    "RestrictionType",
    "Unavailability",
    "UnavailableReason",
    "VisitBalance",
    "VisitToRecord",
    "get_client",
    "reset_client",
]
