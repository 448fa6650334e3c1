"""`make run`: the web server and a real Celery worker (with beat) side by side; Ctrl-C stops both."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def main() -> int:
    port = os.environ.get("PORT", "8000")
    (ROOT / "var").mkdir(exist_ok=True)
    log = open(ROOT / "var" / "worker.log", "ab")  # noqa: SIM115 - open for the worker's lifetime
    worker = subprocess.Popen(
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
            "var/celerybeat-schedule",
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    login = subprocess.run(
        [sys.executable, "manage.py", "ensure_demo_organiser"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    print(
        "\n  Partnerskap is running at http://127.0.0.1:%(port)s/\n"
        "  %(login)s  (log in at http://127.0.0.1:%(port)s/konto/logg-inn/)\n"
        "  Organiser area: http://127.0.0.1:%(port)s/arrangor/   API docs: http://127.0.0.1:%(port)s/api/v1/docs\n"
        "  Celery worker log: var/worker.log   Mail (without EMAIL_URL): var/mail/\n"
        "  Press Ctrl-C to stop.\n" % {"port": port, "login": login},
        flush=True,
    )
    web = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "127.0.0.1:%s" % port, "--noreload"], cwd=ROOT
    )
    children = [web, worker]
    stopping = False

    def stop(*_args: object) -> None:
        nonlocal stopping
        stopping = True
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping and all(child.poll() is None for child in children):
        time.sleep(0.3)
    stop()
    for child in children:
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
    print("\n  Stopped the web server and the worker.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
