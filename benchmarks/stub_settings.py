"""The service's settings with the stub NOMIS in the process (prisons/nomis/stub/test_double.py), for the benchmarks'
stacks: they measure the service's own work over seeded NOMIS tables in the bench database. Used by the benchmarks
only."""

import os

from config.settings import *  # noqa: F403
from prisons.nomis.stub.test_double import STUB_SETTINGS

INSTALLED_APPS = [*INSTALLED_APPS, *STUB_SETTINGS["INSTALLED_APPS"]]  # noqa: F405
NOMIS_CLIENT = os.environ.get("NOMIS_CLIENT", STUB_SETTINGS["NOMIS_CLIENT"])
globals().update({key: value for key, value in STUB_SETTINGS.items() if key.startswith("NOMIS_STUB_")})
