"""Fixtures shared by the configuration's tests."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest


@pytest.fixture
def lines() -> Iterator[io.StringIO]:
    """What the service's own handler (settings.LOGGING's "console", on the root logger) writes, as a stream."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)
