"""The integration tier: real PostgreSQL, real Redis, a real Celery worker, a real SMTP server.

Outside CI these tests skip when PostgreSQL or Redis is not configured. With
PARTNERSKAP_REQUIRE_INTEGRATION=1 (set by .ci/run) a missing service is a failure, never a skip.
"""

import os

import pytest
from django.conf import settings
from django.db import connection

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
