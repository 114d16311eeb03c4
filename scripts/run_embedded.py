"""`make run`'s last step: the embedded default's web server and its Celery beat, started and stopped together.

Without Redis, tasks run eagerly wherever they are queued; the periodic jobs (expire holds, poll NOMIS's events,
send reminders, reject unanswered requests, anonymise, keep the sessions rolling) need beat, a process of its own,
which runs each job itself as it falls due (config/settings.py: the in-memory transport). So the demo behaves as the
service does. Ctrl-C, or either process ending, stops both.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", default="8000")
    args = parser.parse_args(argv)
    state = ROOT / ".embedded"
    state.mkdir(exist_ok=True)
    beat_command = [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel", "INFO"]
    beat_command += ["--schedule", str(state / "celerybeat-schedule")]
    with (state / "beat.log").open("ab") as beat_log:
        beat = subprocess.Popen(beat_command, cwd=ROOT, stdout=beat_log, stderr=subprocess.STDOUT)
    web = subprocess.Popen([sys.executable, "manage.py", "runserver", f"127.0.0.1:{args.port}"], cwd=ROOT)
    print(f"Celery beat runs the scheduled jobs (log: {state / 'beat.log'}).", flush=True)

    def stop(*_: object) -> None:
        for process in (web, beat):
            if process.poll() is None:
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while web.poll() is None and beat.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for process in (web, beat):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
    return web.returncode or 0


if __name__ == "__main__":
    sys.exit(main())
