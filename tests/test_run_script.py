"""`make run` (scripts/run.py) as a newcomer runs it: a dead worker comes back, Ctrl-C stops all.

Runs the real script in a subprocess on a free port with its own SQLite database and embedded
broker (VAR_DIR in a temporary folder), and kills its Celery worker with SIGKILL.
"""

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads process groups from /proc"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _processes() -> dict[int, tuple[str, int, int]]:
    """pid -> (state, parent pid, process group) from /proc."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state, ppid, pgrp = stat[stat.rindex(")") + 2 :].split()[:3]
        found[int(entry.name)] = (state, int(ppid), int(pgrp))
    return found


def _alive(pids: set[int]) -> set[int]:
    table = _processes()
    return {pid for pid in pids if pid in table and table[pid][0] not in {"Z", "X"}}


def _descendants(root: int) -> set[int]:
    table = _processes()
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, (_s, ppid, _g) in table.items() if ppid in frontier} - found
        found |= frontier
    return found


def _group(pgid: int) -> set[int]:
    return _alive({pid for pid, (_s, _p, group) in _processes().items() if group == pgid})


def _health(port: int) -> int | None:
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port, timeout=5) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def _wait(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out after %d s waiting for %s" % (timeout, what))


class Run:
    def __init__(self, var: Path, port: int) -> None:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "REDIS_URL", "EMAIL_URL", "DJANGO_SETTINGS_MODULE"}
        }
        env.update(VAR_DIR=str(var), PORT=str(port), PYTHONUNBUFFERED="1")
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=180,
        )
        self.var = var
        self.process = subprocess.Popen(
            [sys.executable, "scripts/run.py"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # so a failed test can stop the web server with the script
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def expect(self, pattern: str, timeout: float = 90) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                line = self.lines.get(timeout=max(remaining, 0.01))
            except queue.Empty:
                raise AssertionError(
                    "no line matching %r in %d s; output:\n%s"
                    % (pattern, timeout, "".join(self.output))
                ) from None
            self.output.append(line)
            match = re.search(pattern, line)
            if match:
                return match

    def worker_ready_count(self) -> int:
        path = self.var / "worker.log"
        return path.read_text(errors="replace").count(" ready.") if path.exists() else 0


@pytest.fixture
def run(tmp_path) -> Iterator[Run]:
    started = Run(tmp_path, _free_port())
    yield started
    if started.process.poll() is None:
        children = _descendants(started.process.pid)
        os.killpg(started.process.pid, signal.SIGKILL)
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        started.process.wait(timeout=30)


def test_a_killed_worker_is_started_again_with_a_back_off_and_ctrl_c_stops_everything(run):
    first = int(run.expect(r"Celery worker started \(pid (\d+)\)")[1])
    port = int(run.expect(r"is running at http://127\.0\.0\.1:(\d+)/")[1])
    _wait(lambda: _health(port) == 200, 90, "the web server to answer /healthz")
    _wait(lambda: run.worker_ready_count() == 1, 90, "the first worker to be ready")
    first_group = _group(first)
    assert first in first_group and len(first_group) > 1  # the pool and the embedded beat

    os.kill(first, signal.SIGKILL)
    run.expect(r"Celery worker was killed by SIGKILL after \d+ s; starting it again in 1 s\.")
    second = int(run.expect(r"Celery worker started \(pid (\d+)\)", timeout=10)[1])
    assert second != first
    assert "celery" in Path("/proc/%d/cmdline" % second).read_text()
    assert _group(first) == set()  # no orphaned pool process or second beat
    _wait(lambda: run.worker_ready_count() == 2, 90, "the restarted worker to be ready")
    assert _health(port) == 200

    # A worker that dies again soon waits twice as long before its next start.
    os.kill(second, signal.SIGKILL)
    run.expect(r"Celery worker was killed by SIGKILL after \d+ s; starting it again in 2 s\.")
    third = int(run.expect(r"Celery worker started \(pid (\d+)\)", timeout=15)[1])
    assert "starting it again in 2 s" in (run.var / "worker.log").read_text()
    _wait(lambda: run.worker_ready_count() == 3, 90, "the third worker to be ready")
    assert _health(port) == 200

    children = _descendants(run.process.pid)
    assert third in children and len(children) >= 3  # web server, worker, its pool and beat
    run.process.send_signal(signal.SIGINT)
    assert run.process.wait(timeout=60) == 0
    run.expect(r"Stopped the web server and the worker\.", timeout=5)
    _wait(lambda: not _alive(children), 10, "every child to have stopped")
    assert _health(port) is None


def test_when_the_web_server_dies_the_worker_is_stopped_too(run):
    worker = int(run.expect(r"Celery worker started \(pid (\d+)\)")[1])
    port = int(run.expect(r"is running at http://127\.0\.0\.1:(\d+)/")[1])
    _wait(lambda: _health(port) == 200, 90, "the web server to answer /healthz")
    _wait(lambda: run.worker_ready_count() == 1, 90, "the worker to be ready")
    web = next(
        pid
        for pid in _descendants(run.process.pid)
        if "runserver" in Path("/proc/%d/cmdline" % pid).read_bytes().decode(errors="replace")
    )
    os.kill(web, signal.SIGKILL)
    run.expect(r"The web server was killed by SIGKILL; stopping the worker too\.")
    assert run.process.wait(timeout=60) == 1  # make run fails visibly instead of half-running
    _wait(lambda: not _group(worker), 10, "the worker's processes to have stopped")
