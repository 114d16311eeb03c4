"""Generations: numbers in the shared cache that move whenever what the booking pages read has changed.

A page that works something out from the database (the date picker's sessions and places, a prison's row, a hold)
can keep the result in a process-local memo (``config.memo``) keyed by the generations it read first: the next
request reads the generations again (one round trip to the cache for all of them) and reuses the result only if
none has moved. Three kinds:

- ``everything``: moves on any bulk write (a queryset's ``update``, ``delete``, ``bulk_create``, ``bulk_update``),
  whose rows are not looked at one by one: session generation, expiry, retention.
- a prison's: moves when its row, one of its sessions, or a visit to it is saved or deleted.
- a prisoner number's: moves when one of their visits is saved or deleted, at any prison.

The models that matter (Prison, VisitSession, Visit) take ``Generational``: their ``save`` and ``delete`` and
their querysets' bulk writes move the generations, once straight away (so that the same transaction, or test,
reads afresh) and again when the transaction commits (so that a reader in another transaction who read the
number in between, and with it rows from before the commit, does not keep them under the new number). A save
that touches none of the fields the pages read (``generation_fields``; e.g. NOMIS sync bookkeeping) moves nothing.

A missing generation (never set, or evicted) is set to a random number, never back to an old one, so that a
memo entry cannot come back to life. When the cache cannot be reached, a write still succeeds (its generations do
not move: what other processes kept lapses within its minute) and a read gets new random numbers, so that the
page works everything out afresh.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from typing import Any

from django.core.cache import cache
from django.db import models, transaction

logger = logging.getLogger(__name__)
EVERYTHING = "generation:everything"


def prison_key(prison_id: int) -> str:
    return f"generation:prison:{prison_id}"


def prisoner_key(number: str) -> str:
    return f"generation:prisoner:{number}"


def read(keys: list[str]) -> tuple[int, ...]:
    """The generations for these keys, in order, in one round trip (setting any that is missing)."""
    try:
        found = cache.get_many(keys)
        if len(found) < len(keys):
            for key in keys:
                if key not in found:
                    start = secrets.randbits(48)
                    found[key] = start if cache.add(key, start, None) else cache.get(key, start)
        return tuple(found[key] for key in keys)
    except Exception:  # the cache is down: numbers nothing was kept under
        logger.warning("Cannot read generations from the cache", exc_info=True)
        return tuple(secrets.randbits(64) for _ in keys)


def _move(keys: Iterable[str]) -> None:
    try:
        for key in keys:
            try:
                cache.incr(key)
            except ValueError:  # missing: a new random start is a move too
                if not cache.add(key, secrets.randbits(48), None):
                    cache.incr(key)
    except Exception:  # the cache is down: the write stands; what was kept elsewhere lapses within its minute
        logger.warning("Cannot move generations %s in the cache", list(keys), exc_info=True)


def move(keys: Iterable[str]) -> None:
    """Move these generations now and again when the current transaction commits."""
    keys = tuple(dict.fromkeys(keys))
    if not keys:
        return
    _move(keys)
    transaction.on_commit(lambda: _move(keys))


class GenerationalQuerySet(models.QuerySet[Any]):
    """Bulk writes move the ``everything`` generation: their rows are not looked at one by one."""

    def update(self, **kwargs: Any) -> int:
        rows = super().update(**kwargs)
        if rows and self.model.generation_touched(kwargs):
            move([EVERYTHING])
        return rows

    def delete(self) -> tuple[int, dict[str, int]]:
        result = super().delete()
        if result[0]:
            move([EVERYTHING])
        return result

    def bulk_create(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> list[Any]:
        created = super().bulk_create(objs, *args, **kwargs)
        if created:
            move([EVERYTHING])
        return created

    def bulk_update(self, objs: Iterable[Any], fields: Iterable[str], *args: Any, **kwargs: Any) -> int:
        fields = list(fields)
        rows = super().bulk_update(objs, fields, *args, **kwargs)
        if rows and self.model.generation_touched(fields):
            move([EVERYTHING])
        return rows


class Generational(models.Model):
    """A model whose saves and deletes move generations: ``generation_keys`` says which."""

    generation_fields: frozenset[str] | None = None  # the fields pages read (names and attnames); None: all

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is None or self.generation_touched(update_fields):
            move(self.generation_keys())

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        keys = self.generation_keys()
        result = super().delete(*args, **kwargs)
        move(keys)
        return result

    def generation_keys(self) -> list[str]:
        raise NotImplementedError

    @classmethod
    def generation_touched(cls, fields: Iterable[str]) -> bool:
        return cls.generation_fields is None or not cls.generation_fields.isdisjoint(fields)
