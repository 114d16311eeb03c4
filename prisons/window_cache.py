"""The version of a prison's shared window: what makes a change show in the next date picker at once.

The public date picker reads a prison's window (its sessions, the places taken, whose visits take them) from the
cache, shared by every visitor to that prison (visits.selectors). Every change to what a picker shows there (a hold,
a booking, a cancellation or any other change of a visit's state, a block, a timetable change) calls
``window_changed`` inside its transaction; once the transaction commits, the prison's version goes up by one. A
window is kept with the version it was read at, and one read at another version is read again. The version is read
before the database, so a window read while a change was committing is kept under the old version and never used.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import transaction

from prisons.models import Prison

logger = logging.getLogger(__name__)
# Prisons' slugs by id: what a version's key is made of (a slug is set by the prison data, not by staff).
_slugs: dict[int, str] = {}


def window_version_key(slug: str) -> str:
    return f"window-version:{slug}"


def window_version(found: object) -> int:
    """A version as read from the cache (none yet: 0)."""
    return found if isinstance(found, int) else 0


def window_changed(prison_id: int) -> None:
    """What pickers show at this prison changes when the current transaction commits: raise its version then."""
    transaction.on_commit(lambda: _bump(prison_id))


def _bump(prison_id: int) -> None:
    """After the change committed: a cache that does not answer is logged, never raised (the change is made; the
    window kept lapses within ``SHARED_READS_SECONDS`` anyway)."""
    try:
        _raise_version(prison_id)
    except Exception:  # the cache's own errors, whatever its backend
        logger.warning("The window version of prison %s was not raised: the cache did not answer", prison_id)


def _raise_version(prison_id: int) -> None:
    slug = _slugs.get(prison_id)
    if slug is None:
        slug = Prison.objects.filter(pk=prison_id).values_list("slug", flat=True).first()
        if slug is None:
            return
        _slugs[prison_id] = slug
    key = window_version_key(slug)
    cache.add(key, 0, timeout=None)
    try:
        cache.incr(key)
    except ValueError:  # gone between add and incr
        cache.set(key, 1, timeout=None)
