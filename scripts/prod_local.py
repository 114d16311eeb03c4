"""Run the service on this machine the way production runs it: `make prod-local` (`python scripts/prod_local.py`).

DEBUG off and the production settings read from the environment (config/settings.py), static files collected into
a hashed, compressed STATIC_ROOT and served by WhiteNoise, and separate OS processes as an operator would start
them: gunicorn (``-c config/gunicorn.conf.py``, 2 workers), ``celery -A config worker`` and ``celery -A config
beat``, each writing its own log file. It is the demo deployment: the fake Notify (NOTIFY_FAKE=1, messages at
/notify/fake-outbox) and, for NOMIS, the fake HMPPS server (``python -m hmpps_fake``, a process of its own that the
service's HTTP client talks to), on the machine's PostgreSQL and Redis::

    make prod-local                      # http://127.0.0.1:8000, Ctrl-C stops everything
    PORT=8080 make prod-local
    python scripts/prod_local.py --database-url postgres://postgres@127.0.0.1:5432/visits_local \\
        --redis-url redis://127.0.0.1:6379/1 --work /tmp/visits

The database (default ``postgres://postgres@127.0.0.1:5432/visits_local``) is created if missing, migrated, given
the staff roles, the prisons, their sessions and the demo staff users (README); the fake HMPPS server seeds its own.

The same machinery is importable: ``Stack`` prepares and runs a stack for any environment (the production-shaped
end-to-end test, tests/production/, runs one against the test database, a fake Notify server and its own Redis
database). Every process is started in its own session and stopped with SIGTERM, then SIGKILL to its whole
process group after a timeout, so nothing is left behind; each also gets SIGTERM should this process die first.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hmpps_fake.process import FakeHmppsProcess  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/visits_local"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/1"
# What a process inherits from the environment it was started from; everything else comes from the stack's own
# settings, so that nothing leaks in (the test settings, say, set NOTIFY_FAKE and SECRET_KEY in their process).
INHERITED = ("PATH", "HOME", "USER", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "VIRTUAL_ENV")
SERVICES = ("gunicorn", "worker", "beat")
# A line in a service's log that says something went wrong: a traceback, a log record at ERROR or CRITICAL (gunicorn
# writes "[ERROR]", Celery "ERROR/MainProcess", JSON logs "level": "ERROR"), or a 5xx in gunicorn's access log (as
# text or JSON).
PROBLEM = re.compile(r'Traceback|\bERROR\b|\bCRITICAL\b|" 5\d\d |"status": 5\d\d\b')


class StackError(RuntimeError):
    """A step failed, a process exited, or the stack did not become ready in time."""


def _die_with_parent() -> None:  # pragma: no cover - runs in the child, between fork and exec
    """Linux: the child gets SIGTERM if the process that started it dies (a test run killed, say)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Stack:
    """A production-shaped stack: ``build()`` (collectstatic, migrate), ``load_data()``, ``start()``, ``stop()``.

    ``env`` holds the service's settings (DATABASE_URL, REDIS_URL, SECRET_KEY, SERVICE_BASE_URL, the Notify and NOMIS
    choices, ...); the stack adds DEBUG=0, DJANGO_SETTINGS_MODULE, STATIC_ROOT (in ``work``), GUNICORN_BIND and
    WEB_CONCURRENCY unless ``env`` sets them. Logs: ``work/<name>.log`` for gunicorn, worker, beat and the
    management commands (manage). Use it as a context manager, or call ``stop()`` in a ``finally``.
    """

    def __init__(
        self,
        env: Mapping[str, str],
        work: Path | str,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        web_concurrency: int = 2,
        worker_concurrency: int = 2,
        python: str = sys.executable,
        log_level: str = "INFO",
    ) -> None:
        self.work = Path(work)
        self.work.mkdir(parents=True, exist_ok=True)
        self.host, self.port, self.python = host, port, python
        self.worker_concurrency = worker_concurrency
        self.worker_name = f"visits-{os.getpid()}-{secrets.token_hex(3)}"
        self.env = {
            **{name: os.environ[name] for name in INHERITED if name in os.environ},
            # For the liveness checks (python -m config.health worker|beat): this stack's worker and beat only.
            "CELERY_WORKER_NAME": self.worker_name,
            "CELERY_BEAT_HEARTBEAT_FILE": str(self.work / "beat-heartbeat"),
            "DEBUG": "0",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "STATIC_ROOT": str(self.work / "static"),
            "GUNICORN_BIND": f"{host}:{port}",
            "WEB_CONCURRENCY": str(web_concurrency),
            "LOG_LEVEL": log_level,
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        self.logs = {name: self.work / f"{name}.log" for name in ("manage", *SERVICES)}
        self.worker_node = f"{self.worker_name}@{socket.gethostname()}"
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.exit_codes: dict[str, int] = {}
        self.forced: list[str] = []
        self.leftovers: list[str] = []
        atexit.register(self.stop)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # Preparing ----------------------------------------------------------------------------------------------------

    def manage(self, *args: str, timeout: float = 600) -> str:
        """Run ``manage.py`` with the stack's settings; its output goes to the manage log and is returned."""
        started = time.monotonic()
        result = subprocess.run(
            [self.python, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=timeout,
            check=False,
        )
        output = result.stdout.decode(errors="replace")
        with self.logs["manage"].open("a") as log:
            log.write(f"$ manage.py {' '.join(args)}  ({time.monotonic() - started:.1f} s, exit {result.returncode})\n")
            log.write(output)
        if result.returncode:
            raise StackError(f"manage.py {' '.join(args)} exited {result.returncode}:\n{output[-3000:]}")
        return output

    def build(self) -> None:
        """What a release runs before the processes start: collect the static files (hashed, compressed), migrate."""
        self.manage("collectstatic", "--noinput", "--clear", "--verbosity", "0")
        self.manage("migrate", "--noinput")

    def load_data(
        self,
        *,
        prison_data: Path | None = None,
        demo_users: bool = False,
    ) -> dict[str, str]:
        """The data a deployment needs: the staff roles, the prisons (from ``prison_data``, default the shipped
        data) and their sessions; for a demo the demo staff users. Returns each command's output."""
        outputs = {"sync_roles": self.manage("sync_roles")}
        outputs["import_prisons"] = self.manage("import_prisons", *([str(prison_data)] if prison_data else []))
        outputs["generate_sessions"] = self.manage("generate_sessions")
        if demo_users:
            outputs["seed_demo"] = self.manage("seed_demo", "--force")
        return outputs

    # Running ------------------------------------------------------------------------------------------------------

    def _command(self, program: str, *args: str) -> list[str]:
        """The program's own script beside this Python (the virtualenv's), else ``python -m program``."""
        script = Path(self.python).parent / program
        return [str(script), *args] if script.exists() else [self.python, "-m", program, *args]

    def commands(self) -> dict[str, list[str]]:
        worker = ["--concurrency", str(self.worker_concurrency), "--hostname", f"{self.worker_name}@%h"]
        beat = ["--schedule", str(self.work / "celerybeat-schedule")]
        return {
            "gunicorn": self._command("gunicorn", "-c", "config/gunicorn.conf.py"),
            "worker": self._command("celery", "-A", "config", "worker", "--loglevel", "INFO", *worker),
            "beat": self._command("celery", "-A", "config", "beat", "--loglevel", "INFO", *beat),
        }

    def start(self, timeout: float = 120) -> Stack:
        """Start gunicorn, the worker and beat, each in its own session with its own log, and wait until they
        answer. On failure everything started is stopped again."""
        try:
            for name, command in self.commands().items():
                with self.logs[name].open("ab") as log:
                    self.processes[name] = subprocess.Popen(
                        command,
                        cwd=ROOT,
                        env=self.env,
                        stdin=subprocess.DEVNULL,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
                    )
            self.wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def check_running(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise StackError(f"{name} exited with status {process.returncode}:\n{self.tail(name)}")

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def worker_answers(self) -> bool:
        from celery import Celery

        app = Celery(broker=self.env["REDIS_URL"], set_as_current=False)  # the caller's own app stays current
        try:
            replies = app.control.ping(destination=[self.worker_node], timeout=1.0) or []
        finally:
            app.close()
        return any(self.worker_node in reply for reply in replies)

    def beat_started(self) -> bool:
        return "beat: Starting" in self.logs["beat"].read_text(errors="replace")

    def wait_ready(self, timeout: float = 120) -> None:
        """Until gunicorn answers /healthz, the worker answers a Celery ping and beat has started."""
        deadline = time.monotonic() + timeout
        waiting: dict[str, Callable[[], bool]] = {
            "gunicorn": self.healthy,
            "worker": self.worker_answers,
            "beat": self.beat_started,
        }
        while waiting:
            self.check_running()
            waiting = {name: check for name, check in waiting.items() if not check()}
            if waiting and time.monotonic() > deadline:
                tails = "\n".join(f"--- {name}\n{self.tail(name)}" for name in waiting)
                raise StackError(f"not ready after {timeout:g} s: {', '.join(waiting)}\n{tails}")
            if waiting:
                time.sleep(0.2)

    def stop(self, timeout: float = 20) -> None:
        """SIGTERM to each process (gunicorn and Celery shut down warmly), SIGKILL to the process group of any still
        running after ``timeout``, and then to each group anyway, so that no child outlives the stack. What
        happened is kept: ``exit_codes``, ``forced`` (needed SIGKILL) and ``leftovers`` (left processes behind)."""
        for process in self.processes.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for name, process in self.processes.items():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.forced.append(name)
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
            self.exit_codes[name] = process.returncode
            try:
                os.killpg(process.pid, signal.SIGKILL)  # anything the process left behind in its group
                self.leftovers.append(name)
            except (ProcessLookupError, PermissionError):
                pass
        self.processes.clear()

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # Logs ---------------------------------------------------------------------------------------------------------

    def tail(self, name: str, lines: int = 40) -> str:
        log = self.logs[name]
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else "(no log)"

    def tails(self, lines: int = 40) -> str:
        return "\n".join(f"----- {self.logs[name]} (last {lines} lines)\n{self.tail(name, lines)}" for name in SERVICES)

    def problems(self, allowed: Iterable[str] = ()) -> list[str]:
        """The lines of the gunicorn, worker and beat logs that say something went wrong (a traceback, an ERROR or
        CRITICAL record, a 5xx answered), less those matching one of the ``allowed`` regular expressions."""
        allow = [re.compile(pattern) for pattern in allowed]
        found = []
        for name in SERVICES:
            if self.logs[name].exists():
                for line in self.logs[name].read_text(errors="replace").splitlines():
                    if PROBLEM.search(line) and not any(a.search(line) for a in allow):
                        found.append(f"{name}: {line}")
        return found


# `make prod-local` ------------------------------------------------------------------------------------------------


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in ``url`` if the server does not have it yet."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True, connect_timeout=5) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Created the database {name}")


def demo_env(database_url: str, redis_url: str, port: int, fake: FakeHmppsProcess) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SERVICE_BASE_URL": f"http://127.0.0.1:{port}",
        # No proxy in front here, so no HTTPS: nothing to redirect to, and the cookies must travel over HTTP.
        "SECURE_SSL_REDIRECT": "0",
        "NOTIFY_FAKE": "1",
        **fake.service_env(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], prog="prod_local.py")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8000))
    parser.add_argument("--database-url", default=os.environ.get("PROD_LOCAL_DATABASE_URL") or DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=os.environ.get("PROD_LOCAL_REDIS_URL") or DEFAULT_REDIS_URL)
    parser.add_argument("--work", type=Path, help="folder for the logs and static files (default: a new temporary one)")
    options = parser.parse_args(argv)

    work = options.work or Path(tempfile.mkdtemp(prefix="visits-prod-local-"))
    ensure_database(options.database_url)
    fake = FakeHmppsProcess(work / "hmpps-fake.sqlite3", log=work / "hmpps-fake.log")
    stack = Stack(demo_env(options.database_url, options.redis_url, options.port, fake), work, port=options.port)
    stopping = False

    def on_signal(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        print(f"Preparing (collectstatic, migrate, roles, prisons, sessions, demo users); log: {work}")
        stack.build()
        demo_users = stack.load_data(demo_users=True)["seed_demo"]
        print("Starting the fake HMPPS server, gunicorn, the Celery worker and beat...")
        fake.start(timeout=120)
        stack.start()
        print(f"\nVisit someone in prison, as production runs it: {stack.url}/")
        print(f"  staff console:       {stack.url}/staff/")
        print(f"  messages (fake Notify): {stack.url}/notify/fake-outbox (signed in as admin)")
        print(f"  NOMIS: the fake HMPPS server at {fake.origin}, faults and events through its admin endpoint with")
        print(f"         X-Fake-Admin-Key: {fake.admin_key} (docs/nomis.md)")
        print("Demo staff sign-ins:\n  " + "\n  ".join(demo_users.strip().splitlines()))
        print("Logs:\n  " + "\n  ".join(str(stack.logs[name]) for name in (*SERVICES, "manage")))
        print("Ctrl-C stops everything.")
        while True:
            stack.check_running()
            if not fake.healthy():
                raise StackError(f"the fake HMPPS server stopped (log: {work / 'hmpps-fake.log'})")
            time.sleep(1)
    except KeyboardInterrupt:
        stopping = True
        print("\nStopping...")
        return 0
    except StackError as error:
        print(f"\n{error}", file=sys.stderr)
        return 1
    finally:
        stack.stop()
        fake.stop()
        shutil.rmtree(work / "static", ignore_errors=True)
        if stopping:
            print(f"Stopped. The logs are kept in {work}")


if __name__ == "__main__":
    sys.exit(main())
