"""gunicorn's settings for the population benchmark: the service's own (config/gunicorn.conf.py, read as they are)
plus hooks that account each request's CPU, for `benchmarks/population.py`.

For every request a worker writes one line to ``$BENCH_CPU_DIR/worker-<pid>.tsv``: the method, the path (static
files as ``/static``), the status, the worker's CPU time for the request (``time.process_time_ns``: a sync worker
serves one request at a time) and the CPU time of its PostgreSQL backend over the same request (the backend's
``/proc/<pid>/schedstat`` run time, in nanoseconds: it serves only this worker's connection). A backend opened
during the request counts from its start; one closed at its end (CONN_MAX_AGE) loses that request's share.

With ``BENCH_PROFILE_PATH`` set (a path such as ``/choose-time``), each worker profiles every GET of it with
pyinstrument (after the first ``BENCH_PROFILE_SKIP`` of them: the rendering cache warm) and writes the combined
profile to ``$BENCH_CPU_DIR/profile-<pid>.txt`` when it exits.
"""

import os
import runpy
import time
from pathlib import Path

globals().update(
    {
        name: value
        for name, value in runpy.run_path(
            str(Path(__file__).resolve().parents[1] / "config" / "gunicorn.conf.py")
        ).items()
        if not name.startswith("__")
    }
)

_DIR = Path(os.environ.get("BENCH_CPU_DIR", "/tmp"))
_PROFILE_PATH = os.environ.get("BENCH_PROFILE_PATH", "")
_PROFILE_SKIP = int(os.environ.get("BENCH_PROFILE_SKIP") or 0)  # the first views a worker serves, left out
_state: dict[str, object] = {}


def _backend() -> tuple[int, int] | None:
    """This worker's PostgreSQL backend and its CPU so far (ns), if its connection is open."""
    from django.db import connection

    raw = connection.connection
    if raw is None or getattr(raw, "closed", True):
        return None
    pid = raw.info.backend_pid
    cpu = _backend_cpu(pid)
    return None if cpu is None else (pid, cpu)


def _backend_cpu(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _skipped() -> int:
    """How many GETs of the profiled path this worker had served before this one."""
    seen = int(_state.get("seen", 0))
    _state["seen"] = seen + 1
    return seen


def post_fork(server, worker):
    _state["out"] = (_DIR / f"worker-{os.getpid()}.tsv").open("a", buffering=1)


def pre_request(worker, req):
    _state["backend"] = _backend()
    if _PROFILE_PATH and req.method == "GET" and req.path == _PROFILE_PATH and _skipped() >= _PROFILE_SKIP:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
        _state["profiler"] = profiler
    _state["cpu"] = time.process_time_ns()


def post_request(worker, req, environ, resp):
    cpu = time.process_time_ns() - _state.pop("cpu", time.process_time_ns())
    profiler = _state.pop("profiler", None)
    if profiler is not None:
        profiler.stop()
        from pyinstrument.session import Session

        previous = _state.get("profile")
        _state["profile"] = (
            profiler.last_session if previous is None else Session.combine(previous, profiler.last_session)
        )
    before = _state.pop("backend", None)
    db = 0
    if before is not None:
        after = _backend_cpu(before[0])
        db = after - before[1] if after is not None else 0
    else:
        opened = _backend()  # a connection opened by this request: its backend's CPU since it started
        db = opened[1] if opened is not None else 0
    path = "/static" if req.path.startswith("/static/") else req.path
    status = str(resp.status).split()[0] if resp is not None else "000"
    out = _state.get("out")
    if out is not None:
        out.write(f"{req.method}\t{path}\t{status}\t{cpu}\t{db}\n")


def worker_exit(server, worker):
    session = _state.get("profile")
    if session is not None:
        from pyinstrument.renderers import ConsoleRenderer

        text = ConsoleRenderer(unicode=False, color=False, show_all=False).render(session)
        (_DIR / f"profile-{os.getpid()}.txt").write_text(text)
    out = _state.get("out")
    if out is not None:
        out.close()
