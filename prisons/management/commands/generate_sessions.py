"""Generate the visit sessions of every prison's window now (the beat job does this every 6 hours)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from prisons.services import sessions_generate


class Command(BaseCommand):
    help = "Create, update and retire visit sessions so that every prison's window matches its timetable."

    def handle(self, *args: Any, **options: Any) -> None:
        result = sessions_generate(today=timezone.localdate())
        self.stdout.write(
            f"Sessions: {result.created} created, {result.updated} updated, {result.deleted} deleted, "
            f"{len(result.kept_for_review)} kept for staff review."
        )
