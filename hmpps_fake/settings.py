"""Settings of the fake HMPPS server: its own small database (SQLite by default), no middleware, its own URLs."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("HMPPS_FAKE_SECRET_KEY") or secrets.token_urlsafe(32)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "hmpps-fake"]
INSTALLED_APPS = ["django.contrib.contenttypes", "prisons.nomis.stub"]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "hmpps_fake.urls"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("HMPPS_FAKE_DATABASE", str(BASE_DIR / ".embedded" / "hmpps-fake.sqlite3")),
        "OPTIONS": {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"},
    }
}
# Or a database named by URL (PostgreSQL): the benchmarks point it at the stub tables they seed.
if os.environ.get("HMPPS_FAKE_DATABASE_URL"):
    import dj_database_url

    DATABASES = {"default": dj_database_url.parse(os.environ["HMPPS_FAKE_DATABASE_URL"])}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "Europe/London"
LANGUAGE_CODE = "en-gb"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("HMPPS_FAKE_LOG_LEVEL", "WARNING")},
}

# The clients HMPPS Auth knows: "id:secret" pairs, comma separated.
HMPPS_FAKE_CLIENTS = dict(
    pair.split(":", 1)
    for pair in os.environ.get("HMPPS_FAKE_CLIENTS", "visit-someone-in-prison:fake-secret").split(",")
    if ":" in pair
)
HMPPS_FAKE_TOKEN_SECONDS = int(os.environ.get("HMPPS_FAKE_TOKEN_SECONDS", "1200"))
# Required in the X-Fake-Admin-Key header to change faults; empty: the admin endpoint is refused.
HMPPS_FAKE_ADMIN_KEY = os.environ.get("HMPPS_FAKE_ADMIN_KEY", "")

# What the stub's own modules read.
NOMIS_STUB_LATENCY_MS = 0
NOMIS_STUB_FAILURE_RATE = 0.0
NOMIS_STUB_DOWN = False
NOMIS_STUB_SEED = int(os.environ.get("NOMIS_STUB_SEED", "20261121"))
PRISON_DATA_DIR = Path(os.environ.get("PRISON_DATA_DIR", str(BASE_DIR / "prisons" / "data" / "prisons")))
