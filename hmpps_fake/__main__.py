"""``python -m hmpps_fake [--host 127.0.0.1] [--port 8091] [--reseed]``: migrate the fake's database, seed it with
the stub NOMIS's prisoners when it is empty (or ``--reseed``), and serve HMPPS Auth and the HMPPS APIs.

Settings come from the environment (hmpps_fake/settings.py): ``HMPPS_FAKE_DATABASE`` (an SQLite file),
``HMPPS_FAKE_CLIENTS`` (``id:secret``), ``HMPPS_FAKE_TOKEN_SECONDS``, ``HMPPS_FAKE_ADMIN_KEY``, ``NOMIS_STUB_SEED``
and ``PRISON_DATA_DIR`` (whose prisons get random prisoners, beside the known ones of docs/nomis.md).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hmpps_fake", description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("HMPPS_FAKE_PORT", "8091")))
    parser.add_argument("--reseed", action="store_true", help="Seed afresh even when the database has prisoners.")
    parser.add_argument("--per-prison", type=int, default=None, help="Random prisoners per prison (default 30).")
    options = parser.parse_args(argv)

    os.environ["DJANGO_SETTINGS_MODULE"] = "hmpps_fake.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.core.servers.basehttp import run
    from django.core.wsgi import get_wsgi_application

    from prisons.nomis.stub import models as stub
    from prisons.nomis.stub.seed import DEFAULT_PER_PRISON, prisons_in_data, stub_seed

    Path(settings.DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    call_command("migrate", verbosity=0, interactive=False)
    if options.reseed or not stub.Prisoner.objects.exists():
        per_prison = DEFAULT_PER_PRISON if options.per_prison is None else options.per_prison
        stub_seed(
            seed=settings.NOMIS_STUB_SEED, per_prison=per_prison, prisons=prisons_in_data(settings.PRISON_DATA_DIR)
        )
    count = stub.Prisoner.objects.count()
    sys.stdout.write(f"Fake HMPPS server on http://{options.host}:{options.port}/ ({count} prisoners)\n")
    sys.stdout.flush()
    run(options.host, options.port, get_wsgi_application(), threading=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
