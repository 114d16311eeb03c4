"""Reading the HMPPS APIs' JSON answers field by field: a field that is missing or of the wrong type is a
``NomisError`` naming the API and the field (logged once a process), never a ``KeyError`` or a silently wrong value.

Optional fields may be absent as well as ``null`` (prisoner search and the contact registry drop null fields).
"""

from __future__ import annotations

import logging
import threading
from datetime import date
from typing import Any, NoReturn

from prisons.nomis.interface import NomisError

logger = logging.getLogger(__name__)

_logged: set[str] = set()
_logged_lock = threading.Lock()
_MAX_LOGGED = 1000


def _log_once(message: str) -> None:
    with _logged_lock:
        if message in _logged or len(_logged) >= _MAX_LOGGED:
            return
        _logged.add(message)
    logger.warning("NOMIS answered with something it does not promise: %s", message)


class Answer:
    """One JSON object of an API's answer. ``where`` says how it was reached, for the error's message."""

    def __init__(self, api: str, data: Any, where: str = "") -> None:
        self.api, self.where = api, where
        if not isinstance(data, dict):
            self._fail("", "is not a JSON object")
        self.data: dict[str, Any] = data

    def _fail(self, field: str, problem: str) -> NoReturn:
        name = f"{self.where}.{field}" if self.where and field else (field or self.where or "the answer")
        message = f"{self.api}: {name} {problem}"
        _log_once(message)
        raise NomisError(message)

    def _value(self, field: str, kind: type | tuple[type, ...], optional: bool) -> Any:
        value = self.data.get(field)
        if value is None:
            if optional:
                return None
            self._fail(field, "is missing")
        if isinstance(value, bool) and kind is not bool:  # JSON true is not a number
            self._fail(field, f"is not {_kind_name(kind)}")
        if not isinstance(value, kind):
            self._fail(field, f"is not {_kind_name(kind)}")
        return value

    def text(self, field: str) -> str:
        return str(self._value(field, str, optional=False))

    def text_or_none(self, field: str) -> str | None:
        value = self._value(field, str, optional=True)
        return value if value else None

    def number(self, field: str) -> int:
        return int(self._value(field, int, optional=False))

    def number_or_none(self, field: str) -> int | None:
        value = self._value(field, int, optional=True)
        return None if value is None else int(value)

    def flag(self, field: str, *, default: bool = False) -> bool:
        value = self._value(field, bool, optional=True)
        return default if value is None else bool(value)

    def day(self, field: str) -> date:
        found = self.day_or_none(field)
        if found is None:
            self._fail(field, "is missing")
        return found

    def day_or_none(self, field: str) -> date | None:
        value = self._value(field, str, optional=True)
        if not value:
            return None
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            self._fail(field, "is not a date")

    def child(self, field: str) -> Answer:
        return Answer(self.api, self._value(field, dict, optional=False), self._path(field))

    def child_or_none(self, field: str) -> Answer | None:
        value = self._value(field, dict, optional=True)
        return None if value is None else Answer(self.api, value, self._path(field))

    def children(self, field: str, *, optional: bool = False) -> list[Answer]:
        values = self._value(field, list, optional=optional) or []
        return [Answer(self.api, value, f"{self._path(field)}[{n}]") for n, value in enumerate(values)]

    def _path(self, field: str) -> str:
        return f"{self.where}.{field}" if self.where else field


def answers(api: str, data: Any) -> list[Answer]:
    """An answer that is a JSON array of objects."""
    if not isinstance(data, list):
        message = f"{api}: the answer is not a JSON array"
        _log_once(message)
        raise NomisError(message)
    return [Answer(api, value, f"[{n}]") for n, value in enumerate(data)]


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "text", int: "a whole number", bool: "true or false", dict: "an object", list: "a list"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)
