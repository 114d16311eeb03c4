"""Settings for the test suite: the same settings as production, with a throwaway secret and fast hashing.

CI points DATABASE_URL and REDIS_URL at real PostgreSQL and Redis; without them the tests run on SQLite with
eager tasks, and the tests that need the real services are skipped with a reason.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
# A demo deployment: the fake Notify, asked for explicitly as an operator would.
os.environ.setdefault("NOTIFY_FAKE", "1")
os.environ.setdefault("SERVICE_BASE_URL", "http://testserver")

from config.settings import *  # noqa: F403
from prisons.nomis.stub.test_double import STUB_SETTINGS

# NOMIS is the stub, in the process, over tables in the test database: a test double (docs/nomis.md). The HTTP client
# runs against the fake HMPPS server in tests/prisons/nomis/ and in the production-shaped test.
INSTALLED_APPS = [*INSTALLED_APPS, *STUB_SETTINGS["INSTALLED_APPS"]]  # noqa: F405
NOMIS_CLIENT = os.environ.get("NOMIS_CLIENT", STUB_SETTINGS["NOMIS_CLIENT"])
globals().update({key: value for key, value in STUB_SETTINGS.items() if key.startswith("NOMIS_STUB_")})

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
# Local memory, cleared before each test (tests/conftest.py): clearing a Redis cache would flush the queues the
# real-worker tests use on the same Redis. Behaviour that needs Redis is tested with the real broker.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tests run tasks inline unless a test starts a real worker itself.
CELERY_TASK_ALWAYS_EAGER = True
# As production: sessions in the cache (local memory here), no database row read or written for them.
SESSION_ENGINE = "django.contrib.sessions.backends.cache"
# Every page reads the prison and its places taken afresh, so that a test sees its own writes at once (the few
# seconds' reuse of production is tested on its own: tests/journey/test_shared_reads.py).
SHARED_READS_SECONDS = int(os.environ.get("SHARED_READS_SECONDS", "0"))
