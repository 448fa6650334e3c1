"""The integration tier: real PostgreSQL, real Redis, a real Celery worker, a real SMTP server.

Outside CI these tests skip when PostgreSQL or Redis is not configured. With
PARTNERSKAP_REQUIRE_INTEGRATION=1 (set by .ci/run) a missing service is a failure, never a skip.

Fixtures (function-scoped):

smtp_server           SMTPSink (tests/integration/smtp.py): a real aiosmtpd server on a free
                      loopback port. .url for EMAIL_URL, .messages / .count() / .message_ids(),
                      faults: .fail_next(n, code), .fail_for(seconds, code),
                      .reject_recipient(address, code), .hold() / .release() / .wait_held(n).
celery_worker         a started `celery -A worker worker -Q default,mail -c 2 -B` subprocess
                      (CeleryWorker in harness.py: .stop(), .kill() = SIGKILL to the group,
                      .start() again to restart, .log()). It talks to the test database, to
                      REDIS_URL and to smtp_server, with tests/integration/worker_settings.py
                      (short retry delays, sweep every second).
celery_worker_factory the same with options: (beat=True, concurrency=2, queues="default,mail",
                      broker_url=None -> REDIS_URL, email_url=None -> smtp_server.url,
                      env=None -> extra environment, start=True).
private_redis         RedisServer: a redis-server of the test's own on a free port
                      (.url, .stop(), .start()), for broker outages. Use with
                      harness.broker(private_redis.url) so this process publishes there too.

Helpers in harness.py: wait_for(condition, timeout=, message=), mime_tree(message),
attachments(message), database_url(settings_dict).

Requesting celery_worker makes the test transactional (the worker must see committed rows):
the worker is stopped before pytest-django empties the tables. The Redis database named by
REDIS_URL belongs to the test run: it is flushed before and after each test that uses it.
"""

import os
from collections.abc import Callable, Iterator

import pytest
from django.conf import settings
from django.db import connection

from . import worker_settings
from .harness import CeleryWorker, RedisServer, database_url
from .smtp import SMTPSink

REQUIRED = os.environ.get("PARTNERSKAP_REQUIRE_INTEGRATION") == "1"


def _missing() -> list[str]:
    missing = []
    if connection.vendor != "postgresql":
        missing.append("PostgreSQL (set DATABASE_URL=postgres://...)")
    if not settings.REDIS_URL:
        missing.append("Redis (set REDIS_URL=redis://...)")
    else:
        import redis

        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
        except Exception as exc:
            missing.append(f"Redis at {settings.REDIS_URL} ({exc})")
    return missing


@pytest.fixture(autouse=True)
def _integration_services():
    missing = _missing()
    if missing:
        message = "integration tier needs: " + "; ".join(missing)
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/integration" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(autouse=True)
def _outbox_settings(settings):
    """This process uses the worker's outbox delays too (e.g. when a test runs the sweep)."""
    for name in dir(worker_settings):
        if name.startswith("OUTBOX_"):
            setattr(settings, name, getattr(worker_settings, name))


@pytest.fixture
def smtp_server() -> Iterator[SMTPSink]:
    sink = SMTPSink().start()
    yield sink
    sink.stop()


def _flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


@pytest.fixture
def celery_worker_factory(
    transactional_db, smtp_server, tmp_path
) -> Iterator[Callable[..., CeleryWorker]]:
    workers: list[CeleryWorker] = []
    flushed: set[str] = set()

    def make(
        *,
        beat: bool = True,
        concurrency: int = 2,
        queues: str = "default,mail",
        broker_url: str | None = None,
        email_url: str | None = None,
        env: dict[str, str] | None = None,
        start: bool = True,
    ) -> CeleryWorker:
        broker_url = broker_url or settings.REDIS_URL
        if broker_url not in flushed:
            _flush_redis(broker_url)
            flushed.add(broker_url)
        worker_env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.integration.worker_settings",
            "PYTHONPATH": str(settings.BASE_DIR),
            "DATABASE_URL": database_url(connection.settings_dict),
            "REDIS_URL": broker_url,
            "EMAIL_URL": email_url or smtp_server.url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            **(env or {}),
        }
        log_dir = tmp_path / f"worker-{len(workers)}"
        log_dir.mkdir()
        worker = CeleryWorker(
            env=worker_env, log_dir=log_dir, concurrency=concurrency, queues=queues, beat=beat
        )
        workers.append(worker)
        if start:
            worker.start()
        return worker

    yield make
    for worker in workers:
        worker.stop()
        print(f"--- {worker.log_path} (last 4000 characters) ---\n{worker.log()[-4000:]}")
    for url in flushed:
        try:
            _flush_redis(url)
        except Exception:  # a private Redis may be gone already
            pass


@pytest.fixture
def celery_worker(celery_worker_factory) -> CeleryWorker:
    return celery_worker_factory()


@pytest.fixture
def private_redis(tmp_path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()
