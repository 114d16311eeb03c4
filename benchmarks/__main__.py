"""Run the benchmarks: `python -m benchmarks [name ...]` (`make bench` runs them all).

They run on a throwaway database: a temporary SQLite file, or, with BENCH_DATABASE_URL set, that PostgreSQL
database (its tables are created and emptied by the run).
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.stub_settings")
os.environ.setdefault("DEBUG", "1")
# The booking benchmarks run the after-commit tasks inline (no broker): their INFO lines would bury the figures.
os.environ.setdefault("LOG_LEVEL", "ERROR")
if os.environ.get("BENCH_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
else:
    os.environ.pop("DATABASE_URL", None)
    _scratch = tempfile.mkdtemp(prefix="visits-bench-")
    atexit.register(shutil.rmtree, _scratch, ignore_errors=True)
    os.environ["SQLITE_PATH"] = os.path.join(_scratch, "bench.sqlite3")

import django

django.setup()

from benchmarks import (  # noqa: E402
    availability,
    booking_throughput,
    govuk_rendering,
    notify_throughput,
    pages,
    population,
    session_generation,
)

# In this order: session_generation deletes every session, which the visits the later ones make would forbid.
BENCHMARKS = {
    "govuk_rendering": govuk_rendering.main,
    "session_generation": session_generation.main,
    "availability": availability.main,
    "booking_throughput": booking_throughput.main,
    "pages": pages.main,
    "notify_throughput": notify_throughput.main,
    # Last: it empties the visits and sessions and loads its own (docs/benchmarks.md).
    "population": population.main,
}


def main(names: list[str]) -> None:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}")
    for name in names or list(BENCHMARKS):
        print(f"\n== {name}")
        BENCHMARKS[name]()


if __name__ == "__main__":
    main(sys.argv[1:])
