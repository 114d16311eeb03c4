"""`python manage.py import_prisons [folder]`: load the prison data files; see docs/prison-data.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from prisons.importer import ImportReport, import_prison_folder


class Command(BaseCommand):
    help = (
        "Import the prison data files (*.yml) into prisons and their timetables. Safe to run again: a prison already "
        "in the database is left as its operators have it (what the file would change is reported) unless --update "
        "is given. Exits non-zero if any file failed, after importing the others."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "folder", nargs="?", type=Path, help=f"Folder of *.yml files (default {settings.PRISON_DATA_DIR})."
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="Also update prisons that exist already to the file's values, and add their missing timetable rows.",
        )

    def handle(
        self, *args: Any, folder: Path | None = None, update: bool = False, verbosity: int = 1, **options: Any
    ) -> None:
        folder = Path(folder or settings.PRISON_DATA_DIR)
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder")
        if not any(folder.glob("*.yml")):
            raise CommandError(f"{folder} has no *.yml files")

        report = import_prison_folder(folder, today=timezone.localdate(), update=update)

        if verbosity >= 2:
            for result in report.files:
                changed = f" ({', '.join(result.changed_fields)})" if result.changed_fields else ""
                self.stdout.write(f"{result.file_name}: {result.outcome}{changed}")
        for result in report.prisons_kept:
            self.stdout.write(
                f"Kept as it is: {result.slug} (the file would change {', '.join(result.changed_fields)}; "
                "run with --update to take the file's values)"
            )
        for warning in report.warnings:
            self.stderr.write(f"Warning: {warning}", style_func=self.style.WARNING)
        for error in report.errors:
            self.stderr.write(f"Error: {error}", style_func=self.style.ERROR)
        self.stdout.write(self._summary(report))

        if not report.ok:
            raise CommandError(f"{report.files_failed} of {report.files_read} files failed; the others were imported")

    @staticmethod
    def _summary(report: ImportReport) -> str:
        return "\n".join(
            [
                f"Files read: {report.files_read} from {report.folder}",
                f"Prisons created: {report.prisons_created}, updated: {report.prisons_updated}, "
                f"unchanged: {report.prisons_unchanged}, kept as they are: {len(report.prisons_kept)}",
                f"Session templates created: {report.templates_created}",
                f"Date-specific sessions created: {report.date_sessions_created}",
                f"Blocked dates created: {report.blocked_dates_created}",
                f"Warnings: {len(report.warnings)}",
                f"Files failed: {report.files_failed}",
            ]
        )
