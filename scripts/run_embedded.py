"""`make run`'s last step: the embedded default's web server, its Celery beat and the fake HMPPS server, started
and stopped together.

Without Redis, tasks run eagerly wherever they are queued; the periodic jobs (expire holds, poll NOMIS's events,
send reminders, reject unanswered requests, anonymise, keep the sessions rolling) need beat, a process of its own,
which runs each job itself as it falls due (config/settings.py: the in-memory transport). NOMIS is the fake HMPPS
server (``python -m hmpps_fake`` on ``HMPPS_FAKE_PORT``, 8091), which the service reaches over HTTP as it would the
real HMPPS APIs; it is not started when ``HMPPS_AUTH_URL`` names another. So the demo behaves as the service does.
Ctrl-C, or any of the processes ending, stops them all.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hmpps_fake.process import AWS_KEY_ID, AWS_SECRET, FakeHmppsProcess  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", default="8000")
    args = parser.parse_args(argv)
    state = ROOT / ".embedded"
    state.mkdir(exist_ok=True)
    env = {**os.environ}
    fake = None
    if not env.get("HMPPS_AUTH_URL"):
        port = int(env.get("HMPPS_FAKE_PORT") or 8091)
        admin_key = env.get("HMPPS_FAKE_ADMIN_KEY") or "make-run-admin-key"
        fake = FakeHmppsProcess(
            state / "hmpps-fake.sqlite3",
            port=port,
            log=state / "hmpps-fake.log",
            admin_key=admin_key,
            client_secret=env.get("HMPPS_CLIENT_SECRET") or "fake-secret",
        )
        print(f"Starting the fake HMPPS server on {fake.origin} (log: {state / 'hmpps-fake.log'})...", flush=True)
        fake.start(timeout=120)
        print(f"  its admin endpoint takes X-Fake-Admin-Key: {admin_key} (docs/nomis.md)", flush=True)
        env.setdefault("AWS_ACCESS_KEY_ID", AWS_KEY_ID)
        env.setdefault("AWS_SECRET_ACCESS_KEY", AWS_SECRET)
    beat_command = [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel", "INFO"]
    beat_command += ["--schedule", str(state / "celerybeat-schedule")]
    with (state / "beat.log").open("ab") as beat_log:
        beat = subprocess.Popen(beat_command, cwd=ROOT, env=env, stdout=beat_log, stderr=subprocess.STDOUT)
    web = subprocess.Popen([sys.executable, "manage.py", "runserver", f"127.0.0.1:{args.port}"], cwd=ROOT, env=env)
    print(f"Celery beat runs the scheduled jobs (log: {state / 'beat.log'}).", flush=True)
    processes = [web, beat, *([fake.process] if fake and fake.process else [])]

    def stop(*_: object) -> None:
        for process in processes:
            if process.poll() is None:
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
    return web.returncode or 0


if __name__ == "__main__":
    sys.exit(main())
