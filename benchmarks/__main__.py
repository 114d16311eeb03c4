"""Run every benchmark: `python -m benchmarks [name ...]`."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

from benchmarks import govuk_rendering  # noqa: E402

BENCHMARKS = {"govuk_rendering": govuk_rendering.main}


def main(names: list[str]) -> None:
    for name in names or list(BENCHMARKS):
        print(f"\n== {name}")
        BENCHMARKS[name]()


if __name__ == "__main__":
    main(sys.argv[1:])
