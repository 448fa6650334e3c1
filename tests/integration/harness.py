"""Processes and helpers for the integration tier: a real Celery worker, a private Redis,
polling, and reading received mail. The fixtures in conftest.py wrap these."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from email.message import EmailMessage, Message
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

from .smtp import free_port

REPO = Path(__file__).resolve().parents[2]
WORKER_SETTINGS = "tests.integration.worker_settings"
T = TypeVar("T")


def wait_for(
    condition: Callable[[], T],
    *,
    timeout: float = 30.0,
    interval: float = 0.05,
    message: str | Callable[[], str] = "",
) -> T:
    """Poll `condition` until it returns something truthy; return that, or fail at `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            text = message() if callable(message) else message
            raise AssertionError(f"timed out after {timeout}s waiting for {text or condition}")
        time.sleep(interval)


def mime_tree(message: Message) -> tuple | str:
    """The content types of a message as nested tuples: ("multipart/mixed", (...), "a/b")."""
    if message.is_multipart():
        payload = message.get_payload()
        assert isinstance(payload, list)
        return (message.get_content_type(), *(mime_tree(part) for part in payload))
    return message.get_content_type()


def attachments(message: EmailMessage) -> dict[str, EmailMessage]:
    """filename -> part, for the attachments of a parsed message."""
    return {part.get_filename() or "": part for part in message.iter_attachments()}  # type: ignore[misc]


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL for the database Django is connected to (the test database)."""
    user = quote(settings_dict.get("USER") or "")
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{quote(password)}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


class CeleryWorker:
    """`celery -A worker worker` as a subprocess in its own process group.

    start() waits for the "ready." log line; stop() is a warm shutdown (SIGTERM, then SIGKILL
    after `timeout`); kill() is SIGKILL to the whole group (main process, pool children, beat),
    as a machine or OOM kill would do it. start() again after either to restart."""

    def __init__(
        self,
        *,
        env: dict[str, str],
        log_dir: Path,
        concurrency: int = 2,
        queues: str = "default,mail",
        beat: bool = False,
        extra_args: list[str] | None = None,
    ) -> None:
        self.env = env
        self.log_dir = log_dir
        self.concurrency = concurrency
        self.queues = queues
        self.beat = beat
        self.extra_args = extra_args or []
        self.process: subprocess.Popen | None = None
        self.starts = 0
        self.log_path = log_dir / "worker.log"

    def command(self) -> list[str]:
        name = f"test-{uuid.uuid4().hex[:8]}@%h"
        cmd = [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "worker",
            "worker",
            "-Q",
            self.queues,
            "-c",
            str(self.concurrency),
            "-n",
            name,
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        if self.beat:
            cmd += ["-B", "--schedule", str(self.log_dir / f"beat-{self.starts}")]
        return cmd + self.extra_args

    def start(self, timeout: float = 30.0) -> CeleryWorker:
        assert self.process is None or self.process.poll() is not None, "already running"
        self.starts += 1
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with self.log_path.open("ab") as log:
            log.write(f"\n===== start {self.starts} =====\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                self.command(),
                cwd=REPO,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

        def ready() -> bool:
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"worker exited at start:\n{self.log()[-3000:]}")
            with self.log_path.open("rb") as log:
                log.seek(offset)
                return b" ready." in log.read()

        wait_for(ready, timeout=timeout, interval=0.1, message="the Celery worker to be ready")
        return self

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole process group, no shutdown of any kind."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self, timeout: float = 15.0) -> None:
        if not self.running:
            return
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        # Pool children die with the main process (prctl PDEATHSIG); make sure of it.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class RedisServer:
    """A private redis-server on a free loopback port, for outage tests: stop() and start()
    again on the same port. Never touches the shared Redis."""

    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()
        self.log_path = log_dir / f"redis-{self.port}.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> RedisServer:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed"
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
                + ["--appendonly", "no", "--protected-mode", "no"],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)

        def up() -> bool:
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False

        wait_for(up, timeout=timeout, interval=0.05, message="the private redis-server")
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@contextlib.contextmanager
def broker(url: str) -> Iterator[None]:
    """Point this process's Celery app (what queue_messages publishes with) at `url`."""
    from worker.celery import app

    def reset_pools() -> None:
        # Only drop this app's references: kombu keeps pools per URL in a global registry, and
        # closing one would leave a closed pool there for the next user of that URL.
        app._pool = None
        app.amqp._producer_pool = None

    previous = app.conf.broker_url
    reset_pools()
    app.conf.broker_url = url
    try:
        yield
    finally:
        reset_pools()
        app.conf.broker_url = previous
