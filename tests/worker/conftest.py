from collections.abc import Iterator

import pytest

from tests.integration.smtp import SMTPSink
from worker import transports
from worker.celery import app


@pytest.fixture
def smtp_sink(settings) -> Iterator[SMTPSink]:
    """A real aiosmtpd server in this process; the outbox's SMTP transport points at it."""
    sink = SMTPSink().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = sink.host
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield sink
    transports.close_connections()
    sink.stop()


@pytest.fixture
def eager_celery() -> Iterator[None]:
    """Tasks run inline where they are published (fast unit tests of task bodies)."""
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = False


@pytest.fixture
def locmem_email(settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
