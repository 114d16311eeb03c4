"""Whether NOMIS is answering, as every process of the service sees it: the time an outage was first noticed, kept
in the cache (Redis in production) until NOMIS answers again. Set by the HTTP client's circuit breaker when it opens
and by the events poll when it fails; cleared when the breaker closes or the poll works. The staff pages show a
banner while it is set."""

from __future__ import annotations

from datetime import datetime

from django.core.cache import cache
from django.utils import timezone

KEY = "nomis:unavailable-since"


def nomis_outage_start(now: datetime | None = None) -> None:
    """NOMIS stopped answering (the first time noticed is kept)."""
    cache.add(KEY, (now or timezone.now()).isoformat(), timeout=None)


def nomis_outage_end() -> None:
    cache.delete(KEY)


def nomis_outage_since() -> datetime | None:
    """When NOMIS stopped answering, or None while it answers (or nobody has noticed otherwise)."""
    try:
        value = cache.get(KEY)
    except Exception:  # the cache down must not take the staff pages with it
        return None
    try:
        return timezone.localtime(datetime.fromisoformat(value)) if isinstance(value, str) else None
    except ValueError:
        return None
