"""The embedded default runs the scheduled jobs too (issue 15, item 15): `make run` starts Celery beat beside the
web server (scripts/run_embedded.py), so a release published by NOMIS (the fake HMPPS server, through its signed
events queue) cancels the prisoner's visit, as it would in production."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from hmpps_fake.process import FakeHmppsProcess

ROOT = Path(__file__).resolve().parents[2]
BOOK = """
from datetime import timedelta
from django.utils import timezone
from prisons.models import VisitSession
from visits.rules import PartyMember
from visits.selectors import prisoner_context
from visits.services import ContactDetails, PrisonerDetails, visit_book, visit_reserve
from datetime import date
facts = prisoner_context("A1001AA", first=timezone.localdate(), last=timezone.localdate() + timedelta(days=28))
p = facts.prisoner
session = VisitSession.objects.filter(prison__slug="rochester", date__gte=timezone.localdate() + timedelta(days=6),
                                      blocked=False).order_by("date", "start_time").first()
hold = visit_reserve(session=session, prisoner=PrisonerDetails(p.number, p.first_name, p.last_name, p.date_of_birth,
                     p.location), party=[PartyMember("Sophie", "Walker", date(1990, 7, 3))], closed=False,
                     visitor_contact_ids=[100101])
print(visit_book(visit=hold, contact=ContactDetails(email="sophie@example.com")).reference)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_release_published_by_nomis_cancels_the_visit_with_make_run(tmp_path: Path, prison_data_dir: Path) -> None:
    drop = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL", "REDIS_URL", "SECRET_KEY"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(DEBUG="1", SQLITE_PATH=str(tmp_path / "db.sqlite3"), LOG_LEVEL="WARNING", SERVICE_BASE_URL="")
    (tmp_path / "prisons").mkdir()
    (tmp_path / "prisons" / "RCI-rochester.yml").write_text((prison_data_dir / "RCI-rochester.yml").read_text())
    fake = FakeHmppsProcess(tmp_path / "fake.sqlite3", per_prison=2, prison_data=tmp_path / "prisons")
    env.update(fake.service_env())  # make run's own fake is not started when HMPPS_AUTH_URL names one
    with fake:
        run_make_run(env, tmp_path, fake)


def run_make_run(env: dict[str, str], tmp_path: Path, fake: FakeHmppsProcess) -> None:

    def manage(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    manage("migrate", "--noinput", "-v", "0")
    manage("import_prisons", str(tmp_path / "prisons"))
    manage("generate_sessions")
    reference = manage("shell", "--no-imports", "-c", BOOK).split()[-1]
    assert fake.admin("POST", "/__fake/events", {"type": "released", "prisoner_number": "A1001AA"})[0] == 201

    def state() -> str:
        with sqlite3.connect(tmp_path / "db.sqlite3", timeout=20) as db:
            return db.execute("SELECT state FROM visits_visit WHERE reference = ?", [reference]).fetchone()[0]

    assert state() == "booked"  # nothing acts on the event until beat runs the poll
    embedded = subprocess.Popen(
        [sys.executable, "scripts/run_embedded.py", "--port", str(free_port())],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while state() != "cancelled" and time.monotonic() < deadline:
            time.sleep(0.5)
        assert state() == "cancelled"
    finally:
        embedded.terminate()
        embedded.wait(timeout=30)
    assert embedded.returncode == 0
