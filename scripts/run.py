"""`make run`: the web server and a real Celery worker (with beat) side by side; Ctrl-C stops both.

This script supervises the two as a process manager would: a worker that dies is started again
after a back-off (1 s, doubling up to 60 s, back to 1 s once a worker has run for a minute), and
each exit and restart is logged here and in the worker log. If the web server exits, everything
stops. Ctrl-C (SIGINT) or SIGTERM stops both.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
VAR = Path(os.environ.get("VAR_DIR", ROOT / "var"))

FIRST_DELAY = 1.0
MAX_DELAY = 60.0
STABLE_AFTER = 60.0  # a worker that ran this long starts the back-off again from FIRST_DELAY
STOP_TIMEOUT = 30.0


def log(message: str, *files: IO[bytes]) -> None:
    line = "  [run %s] %s" % (time.strftime("%H:%M:%S"), message)
    print(line, flush=True)
    for handle in files:
        handle.write(("%s\n" % line).encode())
        handle.flush()


def _exit_reason(code: int) -> str:
    if code < 0:
        try:
            return "was killed by %s" % signal.Signals(-code).name
        except ValueError:
            return "was killed by signal %d" % -code
    return "exited with code %d" % code


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _die_with_parent() -> None:
    """In the child before exec: its own session (so its pool and beat can be stopped as one
    group) and, on Linux, SIGTERM when this script dies without cleaning up."""
    os.setsid()
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Worker:
    """The Celery worker with embedded beat, in a process group of its own."""

    def __init__(self, log_file: IO[bytes]) -> None:
        self.log_file = log_file
        self.process: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                str(BIN / "celery"),
                "-A",
                "worker",
                "worker",
                "-B",
                "--loglevel=INFO",
                "--concurrency=2",
                "-Q",
                "default,mail",
                "--schedule",
                str(VAR / "celerybeat-schedule"),
            ],
            cwd=ROOT,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 - no threads here
        )
        self.started_at = time.monotonic()
        log("Celery worker started (pid %d)." % self.process.pid, self.log_file)

    def poll(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def uptime(self) -> float:
        return time.monotonic() - self.started_at

    def kill_leftovers(self) -> None:
        """The pool processes and the embedded beat of a worker that died must not outlive it
        (two beats would schedule every task twice)."""
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # Celery's warm shutdown
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                log("Celery worker did not stop in %d s; killing it." % STOP_TIMEOUT)
        self.kill_leftovers()
        self.process.wait()


def main() -> int:
    port = os.environ.get("PORT", "8000")
    VAR.mkdir(parents=True, exist_ok=True)
    worker_log = open(VAR / "worker.log", "ab")  # noqa: SIM115 - open for the worker's lifetime
    stopping = False

    def stop(*_args: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)

    worker = Worker(worker_log)
    worker.start()
    login = subprocess.run(
        [sys.executable, "manage.py", "ensure_demo_organiser"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if stopping:  # Ctrl-C while the login was being made
        worker.stop()
        worker_log.close()
        return 0
    login = "\n".join("    " + line for line in login.splitlines())
    print(
        "\n  Partnerskap is running at http://127.0.0.1:%(port)s/\n"
        "  Log in at http://127.0.0.1:%(port)s/konto/logg-inn/ with\n%(login)s\n"
        "  Organiser area: http://127.0.0.1:%(port)s/arrangor/   API docs: http://127.0.0.1:%(port)s/api/v1/docs\n"
        "  Celery worker log: %(var)s/worker.log   Mail (without EMAIL_URL): %(var)s/mail/*.eml\n"
        "  Press Ctrl-C to stop.\n" % {"port": port, "login": login, "var": _shown(VAR)},
        flush=True,
    )
    web = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "127.0.0.1:%s" % port, "--noreload"], cwd=ROOT
    )

    exit_code = 0
    failures = 0
    restart_at: float | None = None
    while not stopping:
        web_code = web.poll()
        if web_code is not None:
            log("The web server %s; stopping the worker too." % _exit_reason(web_code))
            exit_code = 1
            break
        worker_code = worker.poll()
        if worker_code is not None and restart_at is None:
            worker.kill_leftovers()
            if worker.uptime() >= STABLE_AFTER:
                failures = 0
            delay = min(FIRST_DELAY * 2**failures, MAX_DELAY)
            failures += 1
            log(
                "Celery worker %s after %d s; starting it again in %g s."
                % (_exit_reason(worker_code), worker.uptime(), delay),
                worker_log,
            )
            restart_at = time.monotonic() + delay
        if restart_at is not None and time.monotonic() >= restart_at:
            restart_at = None
            worker.start()
        time.sleep(0.2)

    if web.poll() is None:
        web.send_signal(signal.SIGTERM)
    worker.stop()
    try:
        web.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        web.kill()
        web.wait()
    worker_log.close()
    print("\n  Stopped the web server and the worker.", flush=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
