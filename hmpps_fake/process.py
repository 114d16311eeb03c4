"""Starting and stopping the fake HMPPS server as a process of its own, and the settings that point the service at
it: for ``make run`` (scripts/run_embedded.py), ``make prod-local`` and the production-shaped test
(scripts/prod_local.py), the fuzz, and the client's fault tests.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CLIENT_ID = "visit-someone-in-prison"
QUEUE_PATH = "/000000000000/prisoner-events"
# The events queue takes any AWS credentials that sign their requests; these are the demo's.
AWS_KEY_ID, AWS_SECRET = "fake-access-key-id", "fake-secret-access-key"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class FakeHmppsProcess:
    """``python -m hmpps_fake`` on loopback with its own SQLite database, admin key and client secret."""

    def __init__(
        self,
        database: Path,
        *,
        port: int | None = None,
        per_prison: int | None = None,
        log: Path | None = None,
        prison_data: Path | None = None,
        admin_key: str | None = None,
        client_secret: str | None = None,
        seed: int | None = None,
        database_url: str = "",
        python: str = sys.executable,
    ) -> None:
        self.database, self.port, self.per_prison, self.log = database, port or free_port(), per_prison, log
        self.prison_data, self.python, self.seed = prison_data, python, seed
        self.database_url = database_url  # instead of the SQLite file: a database holding the stub's tables
        self.admin_key = admin_key or secrets.token_urlsafe(16)
        self.client_secret = client_secret or secrets.token_urlsafe(16)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def service_env(self) -> dict[str, str]:
        """The service's settings for this server: the HTTP client, HMPPS Auth, every API, the events queue."""
        return {
            "NOMIS_CLIENT": "prisons.nomis.hmpps.client.HmppsNomisClient",
            "HMPPS_AUTH_URL": self.origin,
            "HMPPS_CLIENT_ID": CLIENT_ID,
            "HMPPS_CLIENT_SECRET": self.client_secret,
            "HMPPS_API_URL": self.origin,
            "HMPPS_EVENTS_QUEUE_URL": f"{self.origin}{QUEUE_PATH}",
            "AWS_ACCESS_KEY_ID": AWS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": AWS_SECRET,
        }

    def start(self, timeout: float = 60) -> FakeHmppsProcess:
        self.database.parent.mkdir(parents=True, exist_ok=True)
        env = {
            **{key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"},
            "HMPPS_FAKE_DATABASE": str(self.database),
            "HMPPS_FAKE_ADMIN_KEY": self.admin_key,
            "HMPPS_FAKE_CLIENTS": f"{CLIENT_ID}:{self.client_secret}",
        }
        if self.prison_data is not None:
            env["PRISON_DATA_DIR"] = str(self.prison_data)
        if self.seed is not None:
            env["NOMIS_STUB_SEED"] = str(self.seed)
        if self.database_url:
            env["HMPPS_FAKE_DATABASE_URL"] = self.database_url
        command = [self.python, "-m", "hmpps_fake", "--port", str(self.port)]
        if self.per_prison is not None:
            command += ["--per-prison", str(self.per_prison)]
        output = self.log.open("ab") if self.log else subprocess.DEVNULL
        try:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT
            )
        finally:
            if self.log:
                output.close()  # type: ignore[union-attr]
        deadline = time.monotonic() + timeout
        while not self.healthy():
            if self.process.poll() is not None:
                raise RuntimeError(f"the fake HMPPS server exited with status {self.process.returncode}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the fake HMPPS server did not answer in {timeout:g} s")
            time.sleep(0.1)
        return self

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.origin}/health", timeout=1) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def admin(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """Call the fake's own admin endpoint (faults, events): the status and the JSON answer."""
        request = urllib.request.Request(
            f"{self.origin}{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"X-Fake-Admin-Key": self.admin_key, "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                content = response.read()
                return response.status, json.loads(content) if content else None
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def __enter__(self) -> FakeHmppsProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(Exception):
            self.stop()
