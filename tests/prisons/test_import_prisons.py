"""The prison data import: the real data files, every field, bad files, re-running it, and the command."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from prisons import importer
from prisons.importer import UNBOOKABLE_REASON, ImportReport, import_prison_file, import_prison_folder
from prisons.models import (
    DEFAULT_CLOSED_CAPACITY,
    DEFAULT_OPEN_CAPACITY,
    BlockedDate,
    DateSpecificSession,
    Prison,
    SessionTemplate,
    Weekday,
)

TODAY = date(2025, 3, 3)
TEST_DATA = Path(__file__).parent / "data"
REAL_FILES = sorted(Path(settings.PRISON_DATA_DIR).glob("*.yml"))
GOOD_FIELDS: dict[str, Any] = {
    "name": "Goodtown",
    "nomis_id": "GDI",
    "enabled": True,
    "private": False,
    "closed": False,
    "recurring": {"mon": ["1400-1600"]},
}


def prison_yaml(**changes: Any) -> str:
    """A valid data file with some fields changed; a change to None removes the field."""
    fields = {key: value for key, value in {**GOOD_FIELDS, **changes}.items() if value is not None}
    return yaml.safe_dump(fields, sort_keys=False)


def write(folder: Path, file_name: str, text: str) -> Path:
    path = folder / file_name
    path.write_text(text, encoding="utf-8")
    return path


def timetable(prison: Prison) -> list[tuple[int, time, time]]:
    return list(
        prison.session_templates.order_by("weekday", "start_time").values_list("weekday", "start_time", "end_time")
    )


@pytest.fixture
def real_import(db: None) -> ImportReport:
    return import_prison_folder(Path(settings.PRISON_DATA_DIR), today=TODAY)


# The real data folder


def test_real_folder_gives_one_prison_per_file(real_import: ImportReport) -> None:
    assert len(REAL_FILES) == 132
    assert real_import.files_read == 132
    assert real_import.errors == []
    assert real_import.prisons_created == Prison.objects.count() == 132
    assert Prison.objects.filter(enabled=True).count() == 91
    assert set(Prison.objects.values_list("slug", flat=True)) == {path.stem[4:] for path in REAL_FILES}


def test_real_folder_counts_match_the_docs(real_import: ImportReport) -> None:
    # The counts quoted in docs/prison-data.md: change both together.
    assert real_import.templates_created == SessionTemplate.objects.count() == 655
    assert real_import.date_sessions_created == DateSpecificSession.objects.count() == 286
    assert real_import.blocked_dates_created == BlockedDate.objects.count() == 584


def test_rochester_has_exactly_its_weekly_timetable(real_import: ImportReport) -> None:
    rochester = Prison.objects.get(slug="rochester")

    assert rochester.code == "RCI"
    assert rochester.name == "Rochester"
    afternoon = (time(14, 0), time(15, 45))
    assert timetable(rochester) == [
        (Weekday.MONDAY, *afternoon),
        (Weekday.TUESDAY, *afternoon),
        (Weekday.WEDNESDAY, *afternoon),
        (Weekday.THURSDAY, *afternoon),
        (Weekday.FRIDAY, *afternoon),
        (Weekday.SATURDAY, time(9, 15), time(10, 45)),
        (Weekday.SATURDAY, *afternoon),
        (Weekday.SUNDAY, *afternoon),
    ]
    templates = rochester.session_templates.all()
    assert {(t.valid_from, t.valid_to, t.every_n_weeks) for t in templates} == {(TODAY, None, 1)}
    assert {(t.open_capacity, t.closed_capacity) for t in templates} == {
        (DEFAULT_OPEN_CAPACITY, DEFAULT_CLOSED_CAPACITY)
    }
    assert rochester.blocked_dates.count() == 16
    assert rochester.date_specific_sessions.count() == 4


def test_cardiff_has_its_welsh_name_and_address(real_import: ImportReport) -> None:
    cardiff = Prison.objects.get(slug="cardiff")

    assert cardiff.name_cy == "Caerdydd"
    assert cardiff.address_cy == "Knox Road\nCaerdydd"


def test_booking_lines_of_one_prison_share_its_nomis_code(real_import: ImportReport) -> None:
    assert set(Prison.objects.filter(code="BNI").values_list("slug", flat=True)) == {
        "bullingdon-convicted-only",
        "bullingdon-remand-only",
    }
    shared = {code: n for code, n in Counter(Prison.objects.values_list("code", flat=True)).items() if n > 1}
    assert shared == {"BNI": 2, "HDI": 2, "HPI": 2, "LPI": 2, "NWI": 3, "WCI": 2}


def test_real_data_oddities_are_read_as_the_data_means_them(real_import: ImportReport) -> None:
    assert Prison.objects.get(slug="hull").enabled is True  # the file says "enabled: enable"
    assert Prison.objects.get(slug="pentonville").adult_age == 18  # the file says "adult age: 18"
    assert real_import.warnings == []
    assert Prison.objects.get(slug="rochester").email == ""  # "Unavailable"
    assert list(Prison.objects.filter(works_weekends=True).values_list("slug", flat=True)) == ["lewes"]
    assert Prison.objects.get(slug="belmarsh").booking_window == 21


def test_reimport_writes_nothing_and_keeps_staff_changes(real_import: ImportReport) -> None:
    template = Prison.objects.get(slug="rochester").session_templates.first()
    template.open_capacity = 7
    template.save()
    counts = [model.objects.count() for model in (Prison, SessionTemplate, DateSpecificSession, BlockedDate)]

    with CaptureQueriesContext(connection) as queries:
        again = import_prison_folder(Path(settings.PRISON_DATA_DIR), today=TODAY + timedelta(days=1))

    assert (again.prisons_created, again.prisons_updated, again.prisons_unchanged) == (0, 0, 132)
    assert (again.templates_created, again.date_sessions_created, again.blocked_dates_created) == (0, 0, 0)
    assert [model.objects.count() for model in (Prison, SessionTemplate, DateSpecificSession, BlockedDate)] == counts
    template.refresh_from_db()
    assert template.open_capacity == 7
    writes = [
        q["sql"] for q in queries.captured_queries if q["sql"].split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}
    ]
    assert writes == []
    assert len(queries.captured_queries) <= 8 * len(REAL_FILES)  # a handful of queries a file, however many rows


def test_first_import_is_a_fixed_number_of_queries_a_file(db: None) -> None:
    with CaptureQueriesContext(connection) as queries:
        import_prison_folder(Path(settings.PRISON_DATA_DIR), today=TODAY)

    assert len(queries.captured_queries) <= 10 * len(REAL_FILES)


# One file, every field


def test_every_field_is_mapped(db: None) -> None:
    result = import_prison_file(TEST_DATA / "TST-every-field.yml", today=TODAY)

    assert result.outcome == "created", result.errors
    prison = Prison.objects.get(slug="every-field")
    assert (prison.code, prison.name, prison.name_cy) == ("TST", "Testshire", "Swydd Prawf")
    assert prison.address == "1 Test Road\nTestshire"
    assert prison.address_cy == "1 Ffordd Prawf\nSwydd Prawf"
    assert (prison.postcode, prison.phone, prison.email) == (
        "TE1 1ST",
        "0300 000 0000",
        "visits.testshire@example.gov.uk",
    )
    assert (prison.enabled, prison.private, prison.closed) == (True, True, False)
    assert (prison.booking_window, prison.lead_days, prison.works_weekends, prison.adult_age) == (28, 5, True, 12)
    assert result.warnings == ["TST-every-field.yml: booking_window: 60 days is more than the maximum; capped at 28"]
    assert timetable(prison) == [
        (Weekday.MONDAY, time(9, 30), time(11, 30)),
        (Weekday.MONDAY, time(14, 0), time(16, 0)),
        (Weekday.SATURDAY, time(9, 0), time(10, 0)),
    ]
    assert list(prison.date_specific_sessions.values_list("date", "start_time", "end_time")) == [
        (date(2024, 12, 24), time(9, 30), time(11, 0)),
        (date(2024, 12, 24), time(14, 0), time(15, 0)),
    ]
    # An anomalous date with no sessions is a day with no visits.
    assert list(prison.blocked_dates.values_list("date", "start_time", "reason")) == [
        (date(2024, 12, 25), None, UNBOOKABLE_REASON),
        (date(2024, 12, 26), None, UNBOOKABLE_REASON),
        (date(2025, 1, 1), None, UNBOOKABLE_REASON),
    ]


def test_missing_optional_fields_take_the_defaults(tmp_path: Path, db: None) -> None:
    import_prison_file(write(tmp_path, "GDI-goodtown.yml", prison_yaml(recurring=None)), today=TODAY)

    prison = Prison.objects.get(slug="goodtown")
    assert (prison.booking_window, prison.lead_days, prison.works_weekends, prison.adult_age) == (28, 3, False, 18)
    assert (prison.name_cy, prison.address, prison.email) == ("", "", "")
    assert not prison.session_templates.exists()


@pytest.mark.parametrize(
    ("changes", "works_weekends"),
    [
        ({}, False),
        ({"works_weekends": True}, True),
        ({"weekend_processing": True}, True),
        ({"works_weekends": False, "weekend_processing": True}, True),
        ({"works_weekends": True, "weekend_processing": False}, True),
        ({"works_weekends": False, "weekend_processing": False}, False),
    ],
)
def test_works_weekends_from_either_field(tmp_path: Path, db: None, changes: dict, works_weekends: bool) -> None:
    import_prison_file(write(tmp_path, "GDI-goodtown.yml", prison_yaml(**changes)), today=TODAY)

    assert Prison.objects.get(slug="goodtown").works_weekends is works_weekends


@pytest.mark.parametrize(
    ("email_address", "stored", "warned"),
    [
        ("Unavailable", "", False),
        ("Unknown", "", False),
        ("socialvisits.goodtown@justice.gov.uk", "socialvisits.goodtown@justice.gov.uk", False),
        ("ring the prison", "", True),
    ],
)
def test_email_that_is_not_an_address_is_stored_blank(
    tmp_path: Path, db: None, email_address: str, stored: str, warned: bool
) -> None:
    result = import_prison_file(
        write(tmp_path, "GDI-goodtown.yml", prison_yaml(email_address=email_address)), today=TODAY
    )

    assert Prison.objects.get(slug="goodtown").email == stored
    assert bool(result.warnings) is warned


def test_booking_window_over_28_is_capped_with_a_warning(tmp_path: Path, db: None) -> None:
    report = import_prison_folder(
        write(tmp_path, "GDI-goodtown.yml", prison_yaml(booking_window=35)).parent, today=TODAY
    )

    assert Prison.objects.get(slug="goodtown").booking_window == 28
    assert report.warnings == ["GDI-goodtown.yml: booking_window: 35 days is more than the maximum; capped at 28"]
    assert report.ok


# Re-importing


def test_prison_fields_follow_the_file_and_staff_fields_stay(tmp_path: Path, db: None) -> None:
    path = write(tmp_path, "GDI-goodtown.yml", prison_yaml(phone_no="0300 111 1111"))
    import_prison_folder(tmp_path, today=TODAY)
    Prison.objects.filter(slug="goodtown").update(
        max_visitors=4, phone="typed by staff", visits_mailbox="visits@goodtown.example"
    )

    write(tmp_path, path.name, prison_yaml(phone_no="0300 222 2222", enabled=False))
    report = import_prison_folder(tmp_path, today=TODAY, update=True)

    assert (report.prisons_created, report.prisons_updated, report.prisons_unchanged) == (0, 1, 0)
    assert report.files[0].changed_fields == ["phone", "enabled"]
    prison = Prison.objects.get(slug="goodtown")
    assert (prison.phone, prison.enabled, prison.max_visitors) == ("0300 222 2222", False, 4)
    assert prison.visits_mailbox == "visits@goodtown.example"  # set by staff: --update keeps it


def test_templates_belong_to_staff_once_imported(tmp_path: Path, db: None) -> None:
    first_day = TODAY - timedelta(days=30)
    write(tmp_path, "GDI-goodtown.yml", prison_yaml(recurring={"mon": ["1400-1600"], "tue": ["1000-1100"]}))
    import_prison_folder(tmp_path, today=first_day)
    prison = Prison.objects.get(slug="goodtown")
    # Staff end Monday's session, move Tuesday's capacity, and add a Friday session the file does not have.
    prison.session_templates.filter(weekday=Weekday.MONDAY).update(valid_to=TODAY - timedelta(days=1))
    prison.session_templates.filter(weekday=Weekday.TUESDAY).update(open_capacity=5)
    SessionTemplate.objects.create(
        prison=prison, weekday=Weekday.FRIDAY, start_time=time(9), end_time=time(10), valid_from=first_day
    )

    report = import_prison_folder(tmp_path, today=TODAY)

    # All three are left alone: Monday stays ended although the file still lists it (staff own the timetable).
    assert report.templates_created == 0
    assert list(prison.session_templates.values_list("weekday", "valid_from", "valid_to", "open_capacity")) == [
        (Weekday.MONDAY, first_day, TODAY - timedelta(days=1), 20),
        (Weekday.TUESDAY, first_day, None, 5),
        (Weekday.FRIDAY, first_day, None, 20),
    ]
    assert report.warnings == []


# Bad files

BAD_FILES = [
    ("XYZ-broken.yml", prison_yaml(recurring={"mon": ["2500-2600"]}),
     'XYZ-broken.yml: recurring.mon[0]: "2500-2600" is not a time range HHMM-HHMM'),
    ("XYZ-backwards.yml", prison_yaml(recurring={"sat": ["0900-1000", "1400-1300"]}),
     'XYZ-backwards.yml: recurring.sat[1]: "1400-1300" ends before it starts'),
    ("XYZ-colons.yml", prison_yaml(recurring={"mon": ["14:00-16:00"]}),
     'XYZ-colons.yml: recurring.mon[0]: "14:00-16:00" is not a time range HHMM-HHMM'),
    ("XYZ-weekday.yml", prison_yaml(recurring={"monday": ["1400-1600"]}),
     'XYZ-weekday.yml: recurring.monday: "monday" is not a weekday'),
    ("XYZ-syntax.yml", "name: Goodtown\nrecurring: [mon: 1400\n",
     "XYZ-syntax.yml: YAML: while parsing"),
    ("XYZ-duplicate-key.yml", prison_yaml() + "name: Again\n",
     "XYZ-duplicate-key.yml: YAML: duplicate key 'name'"),
    ("XYZ-no-name.yml", prison_yaml(name=None), "XYZ-no-name.yml: name: missing"),
    ("XYZ-no-code.yml", prison_yaml(nomis_id=None), "XYZ-no-code.yml: nomis_id: missing"),
    ("XYZ-no-enabled.yml", prison_yaml(enabled=None), "XYZ-no-enabled.yml: enabled: missing"),
    ("XYZ-long-code.yml", prison_yaml(nomis_id="ROCH"),
     'XYZ-long-code.yml: nomis_id: "ROCH" is not a NOMIS code of 3 capital letters'),
    ("XYZ-digit-code.yml", prison_yaml(nomis_id="RC1"),
     'XYZ-digit-code.yml: nomis_id: "RC1" is not a NOMIS code of 3 capital letters'),
    ("XYZ-bad-date.yml", prison_yaml() + "unbookable:\n- 2024-12-25\n- 2024-02-30\n",
     'XYZ-bad-date.yml: unbookable[1]: "2024-02-30" is not a date YYYY-MM-DD'),
    ("XYZ-word-date.yml", prison_yaml(anomalous={"christmas": ["1000-1100"]}),
     'XYZ-word-date.yml: anomalous.christmas: "christmas" is not a date YYYY-MM-DD'),
    ("XYZ-same-start.yml", prison_yaml() + "anomalous:\n  2024-12-24:\n  - 1000-1100\n  - 1000-1200\n",
     "XYZ-same-start.yml: anomalous.2024-12-24: two sessions start at 10:00"),
    ("XYZ-adult-age.yml", prison_yaml(adult_age=21), "XYZ-adult-age.yml: adult_age: 21 is not between 0 and 18"),
    ("XYZ-phone-number.yml", prison_yaml() + "phone_no: 0300123\n",
     "XYZ-phone-number.yml: phone_no: YAML read this as 98387, not as text: put it in quotes"),
    ("XYZ-private.yml", prison_yaml(private="yes please"),
     "XYZ-private.yml: private: 'yes please' is not true or false"),
    ("XYZ-not-a-mapping.yml", "- just\n- a list\n",
     "XYZ-not-a-mapping.yml: YAML: the file is not a mapping of field names to values"),
    ("rochester.yml", prison_yaml(), "rochester.yml: file name: expected <NOMIS code>-<slug>.yml"),
]  # fmt: skip


@pytest.mark.parametrize(("file_name", "text", "error"), BAD_FILES, ids=[bad[0] for bad in BAD_FILES])
def test_bad_file_is_reported_by_file_and_field_and_the_rest_import(
    tmp_path: Path, db: None, file_name: str, text: str, error: str
) -> None:
    write(tmp_path, file_name, text)
    write(tmp_path, "GDI-goodtown.yml", prison_yaml())

    report = import_prison_folder(tmp_path, today=TODAY)

    assert (report.files_read, report.files_failed, report.prisons_created) == (2, 1, 1)
    assert len(report.errors) == 1
    assert report.errors[0].startswith(error)
    assert list(Prison.objects.values_list("slug", flat=True)) == ["goodtown"]
    assert SessionTemplate.objects.count() == 1
    assert not DateSpecificSession.objects.exists()
    assert not BlockedDate.objects.exists()


def test_every_problem_in_a_file_is_reported(tmp_path: Path, db: None) -> None:
    path = write(tmp_path, "XYZ-broken.yml", prison_yaml(name=None, recurring={"mon": ["1400-1300"], "xyz": []}))

    result = import_prison_file(path, today=TODAY)

    assert result.errors == [
        "XYZ-broken.yml: name: missing",
        'XYZ-broken.yml: recurring.mon[0]: "1400-1300" ends before it starts',
        'XYZ-broken.yml: recurring.xyz: "xyz" is not a weekday (mon, tue, wed, thu, fri, sat, sun)',
    ]


def test_bad_file_leaves_its_prison_as_it_was(tmp_path: Path, db: None) -> None:
    write(tmp_path, "GDI-goodtown.yml", prison_yaml())
    import_prison_folder(tmp_path, today=TODAY)

    write(
        tmp_path,
        "GDI-goodtown.yml",
        prison_yaml(name="Renamed", recurring={"mon": ["1400-1600"], "tue": ["0900-1000"]}, unbookable=["someday"]),
    )
    report = import_prison_folder(tmp_path, today=TODAY)

    assert report.errors == ['GDI-goodtown.yml: unbookable[0]: "someday" is not a date YYYY-MM-DD']
    assert Prison.objects.get(slug="goodtown").name == "Goodtown"
    assert SessionTemplate.objects.count() == 1


def test_database_error_part_way_rolls_back_the_whole_file(
    tmp_path: Path, db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any) -> int:
        raise IntegrityError("refused")

    monkeypatch.setattr(importer, "_add_blocked_dates", refuse)
    write(tmp_path, "GDI-goodtown.yml", prison_yaml(anomalous={"2024-12-24": ["1000-1100"]}))

    report = import_prison_folder(tmp_path, today=TODAY)

    assert report.errors == ["GDI-goodtown.yml: database: refused"]
    assert (report.prisons_created, report.templates_created, report.date_sessions_created) == (0, 0, 0)
    assert not Prison.objects.exists()
    assert not SessionTemplate.objects.exists()
    assert not DateSpecificSession.objects.exists()


def test_two_files_with_the_same_slug_are_refused(tmp_path: Path, db: None) -> None:
    write(tmp_path, "ABC-goodtown.yml", prison_yaml(nomis_id="ABC"))
    write(tmp_path, "XYZ-goodtown.yml", prison_yaml(nomis_id="XYZ"))

    report = import_prison_folder(tmp_path, today=TODAY)

    assert report.errors == ['XYZ-goodtown.yml: file name: slug "goodtown" is already used by ABC-goodtown.yml']
    assert Prison.objects.get(slug="goodtown").code == "ABC"


# The command


def run_command(*args: str) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("import_prisons", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def test_command_imports_the_default_folder_and_prints_a_summary(tmp_path: Path, db: None, settings: Any) -> None:
    settings.PRISON_DATA_DIR = tmp_path
    write(tmp_path, "GDI-goodtown.yml", prison_yaml(unbookable=["2024-12-25"]))

    stdout, stderr = run_command()

    assert stdout.splitlines() == [
        f"Files read: 1 from {tmp_path}",
        "Prisons created: 1, updated: 0, unchanged: 0, kept as they are: 0",
        "Session templates created: 1",
        "Date-specific sessions created: 0",
        "Blocked dates created: 1",
        "Warnings: 0",
        "Files failed: 0",
    ]
    assert stderr == ""
    assert "Prisons created: 0, updated: 0, unchanged: 1" in run_command(str(tmp_path))[0]


def test_command_fails_after_importing_the_other_files(tmp_path: Path, db: None) -> None:
    write(tmp_path, "XYZ-broken.yml", prison_yaml(recurring={"mon": ["2500-2600"]}))
    write(tmp_path, "GDI-goodtown.yml", prison_yaml())
    stdout, stderr = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError, match="1 of 2 files failed"):
        call_command("import_prisons", str(tmp_path), stdout=stdout, stderr=stderr)

    assert 'Error: XYZ-broken.yml: recurring.mon[0]: "2500-2600" is not a time range HHMM-HHMM' in stderr.getvalue()
    assert "Files failed: 1" in stdout.getvalue()
    assert list(Prison.objects.values_list("slug", flat=True)) == ["goodtown"]


def test_command_refuses_a_folder_that_is_not_there(tmp_path: Path, db: None) -> None:
    with pytest.raises(CommandError, match="is not a folder"):
        run_command(str(tmp_path / "missing"))
    with pytest.raises(CommandError, match=r"has no \*\.yml files"):
        run_command(str(tmp_path))


@pytest.mark.parametrize(
    ("written", "enabled", "warned"),
    [("enable", True, False), ("Yes", True, False), ("disabled", False, False), ("maybe", False, True)],
)
def test_enabled_words_are_read_as_meant(tmp_path: Path, db: None, written: str, enabled: bool, warned: bool) -> None:
    result = import_prison_file(write(tmp_path, "GDI-goodtown.yml", prison_yaml(enabled=written)), today=TODAY)
    assert Prison.objects.get(slug="goodtown").enabled is enabled
    assert bool(result.warnings) is warned


@pytest.mark.parametrize("spelt", ["adult age", "adult-age", "Adult Age"])
def test_a_field_name_with_spaces_or_hyphens_is_the_field_it_names(tmp_path: Path, db: None, spelt: str) -> None:
    path = write(tmp_path, "GDI-goodtown.yml", prison_yaml(adult_age=None) + f"{spelt}: 10\n")
    result = import_prison_file(path, today=TODAY)
    assert Prison.objects.get(slug="goodtown").adult_age == 10
    assert result.warnings == []


def test_re_importing_keeps_what_operators_changed_and_says_what_it_would_change(tmp_path: Path, db: None) -> None:
    path = write(
        tmp_path, "GDI-goodtown.yml", prison_yaml(lead_days=3, unbookable=[(TODAY + timedelta(days=9)).isoformat()])
    )
    import_prison_folder(tmp_path, today=TODAY)
    prison = Prison.objects.get(slug="goodtown")
    Prison.objects.filter(pk=prison.pk).update(lead_days=5)  # changed in the admin
    prison.blocked_dates.all().delete()  # unblocked by the visits team
    write(tmp_path, path.name, prison_yaml(lead_days=3, unbookable=[(TODAY + timedelta(days=9)).isoformat()]))

    report = import_prison_folder(tmp_path, today=TODAY)  # make run, or a deploy's migrate step

    assert Prison.objects.get(slug="goodtown").lead_days == 5
    assert prison.blocked_dates.count() == 0
    assert (report.prisons_updated, [r.slug for r in report.prisons_kept]) == (0, ["goodtown"])
    assert report.prisons_kept[0].changed_fields == ["lead_days"]
    updated = import_prison_folder(tmp_path, today=TODAY, update=True)  # asked for
    assert updated.prisons_updated == 1 and Prison.objects.get(slug="goodtown").lead_days == 3


def test_the_command_reports_what_it_kept(tmp_path: Path, db: None) -> None:
    from io import StringIO

    from django.core.management import call_command

    write(tmp_path, "GDI-goodtown.yml", prison_yaml(lead_days=3))
    call_command("import_prisons", str(tmp_path), stdout=StringIO())
    Prison.objects.filter(slug="goodtown").update(lead_days=5)
    out = StringIO()
    call_command("import_prisons", str(tmp_path), stdout=out)
    assert "Kept as it is: goodtown (the file would change lead_days; run with --update" in out.getvalue()
    assert "updated: 0, unchanged: 0, kept as they are: 1" in out.getvalue()
    assert Prison.objects.get(slug="goodtown").lead_days == 5


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"unbookable": ["2026-12-25", "2026-12-25"]}, "GDI-goodtown.yml: unbookable[1]: 2026-12-25 is listed twice"),
        (
            {"unbookable": ["2026-12-26"], "anomalous": {"2026-12-26": ["1400-1600"]}},
            "GDI-goodtown.yml: unbookable[0]: 2026-12-26 is blocked but also has date-specific sessions (anomalous)",
        ),
    ],
)
def test_a_date_blocked_twice_or_blocked_with_sessions_is_an_error(
    tmp_path: Path, db: None, changes: dict[str, Any], error: str
) -> None:
    result = import_prison_file(write(tmp_path, "GDI-goodtown.yml", prison_yaml(**changes)), today=TODAY)
    assert error in result.errors
    assert not Prison.objects.filter(slug="goodtown").exists()
