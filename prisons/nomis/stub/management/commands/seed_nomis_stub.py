"""`python manage.py seed_nomis_stub [--seed N] [--per-prison N]`: (re)create the stub NOMIS data; see docs/nomis.md."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from prisons.nomis.stub.seed import DEFAULT_PER_PRISON, stub_seed


class Command(BaseCommand):
    help = (
        "Replace the stub NOMIS data with the fixed test prisoners and random prisoners for every prison in the "
        "database. The same seed gives the same data; recorded visits and events are kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=None, help="Random seed (default: the NOMIS_STUB_SEED setting)."
        )
        parser.add_argument(
            "--per-prison",
            type=int,
            default=DEFAULT_PER_PRISON,
            help=f"Random prisoners per prison (default {DEFAULT_PER_PRISON}).",
        )

    def handle(self, *args: Any, seed: int | None = None, per_prison: int = DEFAULT_PER_PRISON, **options: Any) -> None:
        seed = settings.NOMIS_STUB_SEED if seed is None else seed
        started = time.perf_counter()
        summary = stub_seed(seed=seed, per_prison=max(0, per_prison))
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Seeded the NOMIS stub (seed {seed}) for {summary.prisons} prisons: {summary.prisoners} prisoners, "
            f"{summary.contacts} contacts, {summary.restrictions} restrictions, "
            f"{summary.non_associations} non-associations, {summary.unavailable_dates} unavailable dates "
            f"in {seconds:.1f}s."
        )
