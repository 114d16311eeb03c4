"""Import the prison data files (`prisons/data/prisons/*.yml`) into Prison and its timetable rows.

Each file is read and checked in full before anything is written, then written in its own transaction, so a bad
file is reported (file name and field) and leaves nothing behind while the other files still import. Running the
import again on unchanged files writes nothing. The rules (what is updated, what staff own) are in
docs/prison-data.md.
"""

from __future__ import annotations

import contextlib
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import DatabaseError, transaction
from django.db.models import Q

from prisons.models import (
    DEFAULT_ADULT_AGE,
    DEFAULT_LEAD_DAYS,
    MAX_BOOKING_WINDOW_DAYS,
    BlockedDate,
    DateSpecificSession,
    Prison,
    SessionTemplate,
    Weekday,
)

UNBOOKABLE_REASON = "Imported: no visits"
MAX_ADULT_AGE = 18
MAX_LEAD_DAYS = MAX_BOOKING_WINDOW_DAYS
WEEKDAYS = {
    "mon": Weekday.MONDAY,
    "tue": Weekday.TUESDAY,
    "wed": Weekday.WEDNESDAY,
    "thu": Weekday.THURSDAY,
    "fri": Weekday.FRIDAY,
    "sat": Weekday.SATURDAY,
    "sun": Weekday.SUNDAY,
}
KNOWN_FIELDS = {
    "name",
    "nomis_id",
    "address",
    "postcode",
    "email_address",
    "phone_no",
    "enabled",
    "private",
    "closed",
    "translations",
    "booking_window",
    "lead_days",
    "works_weekends",
    "weekend_processing",
    "adult_age",
    "recurring",
    "anomalous",
    "unbookable",
}
# Placeholders the data uses for "no email address"; stored blank without a warning.
EMAIL_PLACEHOLDERS = {"", "unavailable", "unknown"}
FILE_NAME_RE = re.compile(r"^(?P<code>[A-Z]{3})-(?P<slug>.+)\.yml$")
CODE_RE = re.compile(r"^[A-Z]{3}$")
TIME_RANGE_RE = re.compile(r"^(\d{2})(\d{2})-(\d{2})(\d{2})$")
# The Prison fields the file owns: set from the file on every import (absent from the file means the default).
PRISON_FIELDS = (
    "code",
    "name",
    "name_cy",
    "address",
    "address_cy",
    "postcode",
    "phone",
    "email",
    "enabled",
    "private",
    "closed",
    "booking_window",
    "lead_days",
    "works_weekends",
    "adult_age",
)
FIELD_MAX_LENGTHS = {"name": 120, "name_cy": 120, "postcode": 10, "phone": 30, "email": 254}


class _DataLoader(yaml.SafeLoader):
    """YAML loader that keeps dates as text (so a bad date is reported by field) and refuses duplicate keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_DataLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class PrisonData:
    """One data file, checked: the Prison field values and the timetable rows it asks for."""

    slug: str
    fields: dict[str, Any]
    recurring: tuple[tuple[int, time, time], ...]
    anomalous: tuple[tuple[date, time, time], ...]
    unbookable: tuple[date, ...]


@dataclass
class FileResult:
    file_name: str
    slug: str = ""
    outcome: str = "failed"  # created, updated, unchanged, kept (exists; not updated without --update) or failed
    changed_fields: list[str] = field(default_factory=list)
    templates_created: int = 0
    date_sessions_created: int = 0
    blocked_dates_created: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    folder: Path
    files: list[FileResult] = field(default_factory=list)

    @property
    def files_read(self) -> int:
        return len(self.files)

    def _count(self, outcome: str) -> int:
        return sum(1 for result in self.files if result.outcome == outcome)

    @property
    def prisons_created(self) -> int:
        return self._count("created")

    @property
    def prisons_updated(self) -> int:
        return self._count("updated")

    @property
    def prisons_unchanged(self) -> int:
        return self._count("unchanged")

    @property
    def prisons_kept(self) -> list[FileResult]:
        """Prisons that exist already and that the file would change: left as the operators have them."""
        return [result for result in self.files if result.outcome == "kept"]

    @property
    def files_failed(self) -> int:
        return self._count("failed")

    @property
    def templates_created(self) -> int:
        return sum(result.templates_created for result in self.files)

    @property
    def date_sessions_created(self) -> int:
        return sum(result.date_sessions_created for result in self.files)

    @property
    def blocked_dates_created(self) -> int:
        return sum(result.blocked_dates_created for result in self.files)

    @property
    def errors(self) -> list[str]:
        return [error for result in self.files for error in result.errors]

    @property
    def warnings(self) -> list[str]:
        return [warning for result in self.files for warning in result.warnings]

    @property
    def ok(self) -> bool:
        return self.files_failed == 0


class _Problems:
    """Collects the errors and warnings for one file, each prefixed with the file name and the field."""

    def __init__(self, file_name: str, prefix: str = "") -> None:
        self.file_name, self.prefix = file_name, prefix
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{self.file_name}: {self.prefix}{where}: {message}")

    def warning(self, where: str, message: str) -> None:
        self.warnings.append(f"{self.file_name}: {self.prefix}{where}: {message}")

    def nested(self, prefix: str) -> _Problems:
        """The same lists, for the fields under `prefix` (so a nested field is reported with its full path)."""
        child = _Problems(self.file_name, self.prefix + prefix)
        child.errors, child.warnings = self.errors, self.warnings
        return child


def import_prison_folder(folder: Path, *, today: date, update: bool = False) -> ImportReport:
    """Import every `*.yml` file in the folder, each in its own transaction; a bad file does not stop the rest.

    A prison already in the database belongs to its operators (they may have changed it in the admin or the
    console): it is left as it is, and what the file would change is reported, unless ``update`` says to take the
    file's values (and add its missing timetable rows)."""
    report = ImportReport(folder=folder)
    slugs_seen: dict[str, str] = {}
    for path in sorted(folder.glob("*.yml")):
        result = import_prison_file(path, today=today, slugs_seen=slugs_seen, update=update)
        report.files.append(result)
    return report


def import_prison_file(
    path: Path, *, today: date, slugs_seen: dict[str, str] | None = None, update: bool = False
) -> FileResult:
    """Check one data file and, if it is valid, create its prison with its timetable; a prison that exists is
    updated and given its missing timetable rows only with ``update``."""
    result = FileResult(file_name=path.name)
    problems = _Problems(path.name)
    data = _read_prison_file(path, problems)
    if data is not None and slugs_seen is not None:
        if data.slug in slugs_seen:
            problems.error("file name", f'slug "{data.slug}" is already used by {slugs_seen[data.slug]}')
        else:
            slugs_seen[data.slug] = path.name
    result.warnings = problems.warnings
    result.errors = problems.errors
    if data is None or result.errors:
        return result
    result.slug = data.slug
    try:
        with transaction.atomic():
            _write_prison(data, result, today=today, update=update)
    except DatabaseError as exc:
        # Everything checkable is checked above; this is the database refusing a row, reported like a bad field.
        result.outcome = "failed"
        result.templates_created = result.date_sessions_created = result.blocked_dates_created = 0
        result.changed_fields = []
        result.errors.append(f"{path.name}: database: {exc}")
    return result


def _read_prison_file(path: Path, problems: _Problems) -> PrisonData | None:
    """Parse and check one file without touching the database; every problem goes to `problems`."""
    name_match = FILE_NAME_RE.match(path.name)
    if name_match is None:
        problems.error("file name", "expected <NOMIS code>-<slug>.yml, e.g. RCI-rochester.yml")
        return None
    slug = name_match["slug"]
    try:
        validate_slug(slug)
    except ValidationError:
        problems.error("file name", f'"{slug}" is not a slug (letters, numbers, hyphens and underscores)')
    if len(slug) > Prison._meta.get_field("slug").max_length:
        problems.error("file name", f'"{slug}" is too long for a slug')

    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_DataLoader)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        problems.error("YAML", " ".join(str(exc).split()))
        return None
    if not isinstance(raw, dict):
        problems.error("YAML", "the file is not a mapping of field names to values")
        return None

    # A field name written with spaces or hyphens is the field it names (Pentonville's file says "adult age").
    for key in list(raw):
        spelt = re.sub(r"[\s-]+", "_", str(key).strip().lower())
        if key not in KNOWN_FIELDS and spelt in KNOWN_FIELDS and spelt not in raw:
            raw[spelt] = raw.pop(key)
    for key in raw:
        if key not in KNOWN_FIELDS:
            close = difflib.get_close_matches(str(key), KNOWN_FIELDS, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            problems.warning(str(key), f"unknown field, ignored{hint}")

    fields: dict[str, Any] = {}
    fields["name"] = _text(raw, "name", problems, required=True)
    code = _text(raw, "nomis_id", problems, required=True)
    if code and not CODE_RE.match(code):
        problems.error("nomis_id", f'"{code}" is not a NOMIS code of 3 capital letters')
    elif code and code != name_match["code"]:
        problems.warning("nomis_id", f'"{code}" does not match the file name prefix "{name_match["code"]}"')
    fields["code"] = code
    fields["address"] = _text(raw, "address", problems)
    fields["postcode"] = _text(raw, "postcode", problems)
    fields["phone"] = _text(raw, "phone_no", problems)
    fields["email"] = _email(raw, problems)
    fields["name_cy"], fields["address_cy"] = _welsh(raw, problems)
    fields["enabled"] = _enabled(raw, problems)
    fields["private"] = _boolean(raw, "private", problems)
    fields["closed"] = _boolean(raw, "closed", problems)
    works_weekends, weekend_processing = (
        _boolean(raw, key, problems) for key in ("works_weekends", "weekend_processing")
    )
    fields["works_weekends"] = works_weekends or weekend_processing
    fields["booking_window"] = _booking_window(raw, problems)
    fields["lead_days"] = _integer(raw, "lead_days", problems, default=DEFAULT_LEAD_DAYS, low=0, high=MAX_LEAD_DAYS)
    fields["adult_age"] = _integer(raw, "adult_age", problems, default=DEFAULT_ADULT_AGE, low=0, high=MAX_ADULT_AGE)
    for name, max_length in FIELD_MAX_LENGTHS.items():
        if len(fields[name]) > max_length:
            problems.error(_SOURCE_FIELD.get(name, name), f"longer than {max_length} characters")

    recurring = _recurring(raw.get("recurring"), problems)
    anomalous, no_visit_dates = _anomalous(raw.get("anomalous"), problems)
    unbookable = _dates(raw.get("unbookable"), "unbookable", problems)
    _check_blocked_dates(raw.get("unbookable"), anomalous, problems)
    if problems.errors:
        return None
    return PrisonData(
        slug=slug,
        fields=fields,
        recurring=tuple(recurring),
        anomalous=tuple(anomalous),
        unbookable=tuple(dict.fromkeys([*unbookable, *no_visit_dates])),
    )


_SOURCE_FIELD = {"phone": "phone_no", "email": "email_address", "name_cy": "translations.cy.name"}


def _text(raw: dict[str, Any], key: str, problems: _Problems, *, required: bool = False) -> str:
    value = raw.get(key)
    if value is None:
        if required:
            problems.error(key, "missing")
        return ""
    if not isinstance(value, str):
        # A number would have been read by YAML already (0300 becomes 192): ask for quotes rather than guess.
        problems.error(key, f"YAML read this as {value!r}, not as text: put it in quotes")
        return ""
    text = value.strip()
    if required and not text:
        problems.error(key, "is blank")
    return text


def _email(raw: dict[str, Any], problems: _Problems) -> str:
    value = _text(raw, "email_address", problems)
    try:
        validate_email(value)
    except ValidationError:
        if value.lower() not in EMAIL_PLACEHOLDERS:
            problems.warning("email_address", f'"{value}" is not an email address; stored blank')
        return ""
    return value


def _welsh(raw: dict[str, Any], problems: _Problems) -> tuple[str, str]:
    translations = raw.get("translations") or {}
    if not isinstance(translations, dict):
        problems.error("translations", "expected a mapping of language codes, e.g. cy")
        return "", ""
    for language in translations:
        if language != "cy":
            problems.warning(f"translations.{language}", "only cy (Welsh) is imported; ignored")
    welsh = translations.get("cy") or {}
    if not isinstance(welsh, dict):
        problems.error("translations.cy", "expected name and address")
        return "", ""
    name = _text(welsh, "name", problems.nested("translations.cy."))
    address = _text(welsh, "address", problems.nested("translations.cy."))
    return name, address


def _boolean(raw: dict[str, Any], key: str, problems: _Problems) -> bool:
    value = raw.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        problems.error(key, f"{value!r} is not true or false")
        return False
    return value


# Words the source data uses for yes and no (Hull's file says "enabled: enable").
ENABLED_WORDS = {"enable": True, "enabled": True, "yes": True, "on": True, "true": True}
ENABLED_WORDS |= {"disable": False, "disabled": False, "no": False, "off": False, "false": False}


def _enabled(raw: dict[str, Any], problems: _Problems) -> bool:
    # Read as the data means it ("enable" is yes); anything else keeps online booking off (the safe side) and is
    # reported for fixing.
    if "enabled" not in raw or raw["enabled"] is None:
        problems.error("enabled", "missing")
        return False
    value = raw["enabled"]
    if isinstance(value, str) and value.strip().lower() in ENABLED_WORDS:
        return ENABLED_WORDS[value.strip().lower()]
    if not isinstance(value, bool):
        problems.warning("enabled", f"{value!r} is not true or false; read as false (online booking off)")
        return False
    return value


def _integer(raw: dict[str, Any], key: str, problems: _Problems, *, default: int, low: int, high: int) -> int:
    value = raw.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        problems.error(key, f"{value!r} is not a whole number")
        return default
    if not low <= value <= high:
        problems.error(key, f"{value} is not between {low} and {high}")
        return default
    return value


def _booking_window(raw: dict[str, Any], problems: _Problems) -> int:
    value = _integer(raw, "booking_window", problems, default=MAX_BOOKING_WINDOW_DAYS, low=1, high=10_000)
    if value > MAX_BOOKING_WINDOW_DAYS:
        problems.warning(
            "booking_window", f"{value} days is more than the maximum; capped at {MAX_BOOKING_WINDOW_DAYS}"
        )
        return MAX_BOOKING_WINDOW_DAYS
    return value


def _time_range(value: Any, where: str, problems: _Problems) -> tuple[time, time] | None:
    match = TIME_RANGE_RE.match(value) if isinstance(value, str) else None
    if match is None:
        problems.error(where, f'"{value}" is not a time range HHMM-HHMM')
        return None
    start_hour, start_minute, end_hour, end_minute = (int(part) for part in match.groups())
    try:
        start, end = time(start_hour, start_minute), time(end_hour, end_minute)
    except ValueError:
        problems.error(where, f'"{value}" is not a time range HHMM-HHMM')
        return None
    if end <= start:
        problems.error(where, f'"{value}" ends before it starts')
        return None
    return start, end


def _time_ranges(value: Any, where: str, problems: _Problems) -> list[tuple[time, time]]:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.error(where, "expected a list of HHMM-HHMM")
        return []
    ranges = []
    for index, item in enumerate(value):
        time_range = _time_range(item, f"{where}[{index}]", problems)
        if time_range is None:
            continue
        if time_range in ranges:
            problems.warning(f"{where}[{index}]", f'"{item}" is listed twice; imported once')
            continue
        ranges.append(time_range)
    return ranges


def _recurring(value: Any, problems: _Problems) -> list[tuple[int, time, time]]:
    if value is None:
        return []
    if not isinstance(value, dict):
        problems.error("recurring", "expected weekdays (mon..sun), each with a list of HHMM-HHMM")
        return []
    sessions = []
    for key, ranges in value.items():
        weekday = WEEKDAYS.get(key) if isinstance(key, str) else None
        if weekday is None:
            problems.error(f"recurring.{key}", f'"{key}" is not a weekday (mon, tue, wed, thu, fri, sat, sun)')
            continue
        sessions += [(int(weekday), start, end) for start, end in _time_ranges(ranges, f"recurring.{key}", problems)]
    return sessions


def _checked_date(value: Any, where: str, problems: _Problems) -> date | None:
    parsed = None
    if isinstance(value, str) and len(value) == len("YYYY-MM-DD"):
        with contextlib.suppress(ValueError):
            parsed = date.fromisoformat(value)
    if parsed is None:
        problems.error(where, f'"{value}" is not a date YYYY-MM-DD')
    return parsed


def _check_blocked_dates(listed: Any, sessions: list[tuple[date, time, time]], problems: _Problems) -> None:
    """A date blocked twice, or blocked and given date-specific sessions too, is a mistake in the file: which one
    was meant cannot be known, so the file is refused."""
    if not isinstance(listed, list):
        return
    seen: set[str] = set()
    session_days = {day.isoformat() for day, _start, _end in sessions}
    for index, item in enumerate(listed):
        text = str(item)
        if text in seen:
            problems.error(f"unbookable[{index}]", f"{text} is listed twice")
        seen.add(text)
        if text in session_days:
            problems.error(f"unbookable[{index}]", f"{text} is blocked but also has date-specific sessions (anomalous)")


def _anomalous(value: Any, problems: _Problems) -> tuple[list[tuple[date, time, time]], list[date]]:
    """Date-specific sessions, and the dates listed with no sessions (imported as whole-day blocks)."""
    if value is None:
        return [], []
    if not isinstance(value, dict):
        problems.error("anomalous", "expected dates, each with a list of HHMM-HHMM")
        return [], []
    sessions: list[tuple[date, time, time]] = []
    no_visits: list[date] = []
    for key, ranges in value.items():
        where = f"anomalous.{key}"
        day = _checked_date(key, where, problems)
        time_ranges = _time_ranges(ranges, where, problems)
        if day is None:
            continue
        if not ranges:
            no_visits.append(day)
            continue
        starts: set[time] = set()
        for start, end in time_ranges:
            if start in starts:
                problems.error(where, f"two sessions start at {start:%H:%M}")
            starts.add(start)
            sessions.append((day, start, end))
    return sessions, no_visits


def _dates(value: Any, where: str, problems: _Problems) -> list[date]:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.error(where, "expected a list of dates YYYY-MM-DD")
        return []
    days = [_checked_date(item, f"{where}[{index}]", problems) for index, item in enumerate(value)]
    return list(dict.fromkeys(day for day in days if day is not None))


def _write_prison(data: PrisonData, result: FileResult, *, today: date, update: bool) -> None:
    prison = Prison.objects.filter(slug=data.slug).first()
    if prison is None:
        prison = Prison.objects.create(slug=data.slug, **data.fields)
        result.outcome = "created"
    else:
        result.changed_fields = [name for name in PRISON_FIELDS if getattr(prison, name) != data.fields[name]]
        if not update:
            result.outcome = "kept" if result.changed_fields else "unchanged"
            return  # the operators' prison: nothing of it is written
        if result.changed_fields:
            for name in result.changed_fields:
                setattr(prison, name, data.fields[name])
            prison.save(update_fields=result.changed_fields)
            result.outcome = "updated"
        else:
            result.outcome = "unchanged"

    result.templates_created = _add_templates(prison, data.recurring, result, today=today)
    result.date_sessions_created = _add_date_sessions(prison, data.anomalous)
    result.blocked_dates_created = _add_blocked_dates(prison, data.unbookable)


def _add_templates(
    prison: Prison, sessions: Iterable[tuple[int, time, time]], result: FileResult, *, today: date
) -> int:
    # Templates belong to the staff once imported: one with the same weekday and times, current or ended, is never
    # touched and never created again (staff who ended a session meant it).
    existing = set(SessionTemplate.objects.filter(prison=prison).values_list("weekday", "start_time", "end_time"))
    new = [session for session in sessions if session not in existing]
    SessionTemplate.objects.bulk_create(
        SessionTemplate(prison=prison, weekday=weekday, start_time=start, end_time=end, valid_from=today)
        for weekday, start, end in new
    )
    return len(new)


def _add_date_sessions(prison: Prison, sessions: Iterable[tuple[date, time, time]]) -> int:
    existing = set(DateSpecificSession.objects.filter(prison=prison).values_list("date", "start_time"))
    new = [(day, start, end) for day, start, end in sessions if (day, start) not in existing]
    DateSpecificSession.objects.bulk_create(
        DateSpecificSession(prison=prison, date=day, start_time=start, end_time=end) for day, start, end in new
    )
    return len(new)


def _add_blocked_dates(prison: Prison, days: Iterable[date]) -> int:
    existing = set(BlockedDate.objects.filter(Q(start_time__isnull=True), prison=prison).values_list("date", flat=True))
    new = [day for day in days if day not in existing]
    BlockedDate.objects.bulk_create(BlockedDate(prison=prison, date=day, reason=UNBOOKABLE_REASON) for day in new)
    return len(new)
