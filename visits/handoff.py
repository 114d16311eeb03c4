"""The one way the booking domain hands work to the background once a change commits.

A service that causes later work records it in the same transaction: the message rows in the outbox
(``visits.outbox``), ``nomis_sync_needed`` on the visit, the waiting list's entries. Then it calls ``after_commit``
with the kind of work and the ids, and nothing more: it never imports a task. Each background package registers the
handler of its kind when Django starts (its ``AppConfig.ready``):

| kind | registered by | what the handler does |
| --- | --- | --- |
| ``SEND_MESSAGES`` | ``notifications`` | queues a send task for each outbox row |
| ``PUSH_TO_NOMIS`` | ``nomis_sync`` | queues the push of the visit to NOMIS |
| ``PLACE_FREED`` | ``waiting_list`` | queues the offer of the session's free place to its waiting list |

The handler runs after the commit, and never inside a rolled-back change. Each background package also sweeps up
what its handler did not get to (a broker that was down, a worker killed), from the rows the service recorded: so a
handler's failure is logged and never undoes or fails the change. A kind with no handler is a configuration error
that ``manage.py check`` reports (``handoff.E001``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.core.checks import Error, register
from django.db import transaction

logger = logging.getLogger(__name__)

SEND_MESSAGES = "send_messages"
PUSH_TO_NOMIS = "push_to_nomis"
PLACE_FREED = "place_freed"
KINDS = (SEND_MESSAGES, PUSH_TO_NOMIS, PLACE_FREED)

Handler = Callable[..., Any]
_handlers: dict[str, Handler] = {}


def register_handler(kind: str, handler: Handler) -> None:
    """The background package that does ``kind`` of work says how (from its ``AppConfig.ready``)."""
    if kind not in KINDS:
        raise ValueError(f"No such kind of later work: {kind}")
    _handlers[kind] = handler


def after_commit(kind: str, *args: Any) -> None:
    """Hand ``kind`` of work to the background once the current transaction commits (at once outside one)."""
    handler = _handlers.get(kind)
    if handler is None:
        raise LookupError(f"Nothing handles {kind!r}: is its app in INSTALLED_APPS?")

    def run() -> None:
        try:
            handler(*args)
        except Exception:  # the change has committed; the background's own sweep does what this did not
            logger.exception("Handing %s %s to the background failed; its sweep will pick it up", kind, args)

    transaction.on_commit(run)


@register()
def every_kind_has_a_handler(app_configs: Any, **kwargs: Any) -> list[Error]:
    """``manage.py check``: each kind of later work has its handler registered."""
    return [
        Error(f"No handler is registered for the later work {kind!r}", id="handoff.E001")
        for kind in KINDS
        if kind not in _handlers
    ]
