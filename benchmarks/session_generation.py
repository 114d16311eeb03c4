"""Generating every prison's visit sessions for the window: time and number of queries."""

from __future__ import annotations

import io
import time

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from prisons.models import Prison, VisitSession
from prisons.services import sessions_generate


def timed_generation(label: str) -> float:
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = sessions_generate(today=timezone.localdate())
        elapsed = time.perf_counter() - start
    print(
        f"{label:<28}{elapsed * 1000:>10.0f} ms{len(queries):>8} queries   created {result.created}, "
        f"updated {result.updated}, deleted {result.deleted}"
    )
    return elapsed


def main() -> None:
    VisitSession.objects.all().delete()
    call_command("import_prisons", stdout=io.StringIO())
    prisons = Prison.objects.count()
    first = timed_generation("first run (all new)")
    again = timed_generation("second run (nothing to do)")
    print(
        f"{prisons} prisons, {VisitSession.objects.count()} sessions for today + 28 days; "
        f"second run / first run = {again / first:.2f}"
    )
