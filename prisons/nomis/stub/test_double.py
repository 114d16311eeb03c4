"""What a settings module adds to run the stub NOMIS in its own process, as a test double: the tests
(config/settings_test.py) and the benchmarks (benchmarks/stub_settings.py). No deployable setting reaches it."""

from __future__ import annotations

import os

STUB_SETTINGS: dict[str, object] = {
    "INSTALLED_APPS": ["prisons.nomis.stub"],
    "NOMIS_CLIENT": "prisons.nomis.stub.client.StubNomisClient",
    # Fault injection: added latency, a share of calls that fail, or NOMIS down (read at call time).
    "NOMIS_STUB_LATENCY_MS": int(os.environ.get("NOMIS_STUB_LATENCY_MS", "0")),
    "NOMIS_STUB_FAILURE_RATE": float(os.environ.get("NOMIS_STUB_FAILURE_RATE", "0")),
    "NOMIS_STUB_DOWN": os.environ.get("NOMIS_STUB_DOWN", "").lower() in ("1", "true", "yes", "on"),
    "NOMIS_STUB_SEED": int(os.environ.get("NOMIS_STUB_SEED", "20261121")),
}
