"""Production's database connections (issue 10): reused across requests, with the hot path's
statements prepared on PostgreSQL. Run in a fresh process with the settings production uses
(nothing about connections set), against the test database: eight registrations through the
public API, as the WSGI handler sees them."""

import datetime as dt
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from events.models import Event
from partners.models import Host

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db(transaction=True)

SCRIPT = """
import io, json, sys, django
from django.core.wsgi import get_wsgi_application
application = get_wsgi_application()  # the real handler: it closes connections past their age
from django.db import connection

def post(path, body, address):
    data = json.dumps(body).encode()
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": path, "QUERY_STRING": "",
        "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(data)),
        "SERVER_NAME": "testserver", "SERVER_PORT": "443", "HTTP_HOST": "testserver",
        "HTTP_X_FORWARDED_PROTO": "https", "REMOTE_ADDR": address,
        "wsgi.input": io.BytesIO(data), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0), "wsgi.multithread": True, "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    status = []
    result = application(environ, lambda s, headers, exc_info=None: status.append(s))
    b"".join(result)
    result.close()  # the end of the request: request_finished
    return int(status[0].split()[0])

pids, statuses = [], []
for n in range(8):
    statuses.append(post(
        "/api/v1/events/%(event)d/registrations",
        {"name": "Deltaker %%d" %% n, "email": "deltaker-%(tag)s-%%d@example.org" %% n},
        "fd00::%(tag)s:%%x" %% n,
    ))
    pids.append(connection.connection.info.backend_pid if connection.connection else None)
with connection.cursor() as cursor:
    cursor.execute("SELECT statement FROM pg_prepared_statements")
    prepared = [row[0] for row in cursor.fetchall()]
print(json.dumps({"pids": pids, "statuses": statuses, "prepared": prepared}))
"""


def _requests_in_production_process(event_id: int, **extra: str) -> dict:
    settings = connection.settings_dict
    url = "postgres://%s%s@%s:%s/%s" % (
        settings["USER"],
        ":" + settings["PASSWORD"] if settings["PASSWORD"] else "",
        settings["HOST"] or "127.0.0.1",
        settings["PORT"] or 5432,
        settings["NAME"],
    )
    drop = {"DEBUG", "CONN_MAX_AGE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("DATABASE_")}
    env.update(
        DATABASE_URL=url,
        DEBUG="0",
        SECRET_KEY="test-only-" + "x" * 50,
        ALLOWED_HOSTS="testserver",
        LOG_LEVEL="WARNING",
        **extra,
    )
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT % {"event": event_id, "tag": secrets.token_hex(2)}],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def published_event():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: prepared statements and backend ids")
    start = timezone.now() + dt.timedelta(days=30)
    return Event.objects.create(
        title="Partnerskapskonferansen",
        host=Host.objects.create(slug="vtfk", name="Vestfold og Telemark"),
        starts_at=start,
        ends_at=start + dt.timedelta(hours=6),
        status=Event.Status.PUBLISHED,
    )


def test_production_reuses_one_connection_and_prepares_the_public_event(published_event):
    answer = _requests_in_production_process(published_event.pk)
    assert answer["statuses"] == [201] * 8
    # One PostgreSQL backend for every request, still open after the last.
    assert None not in answer["pids"] and len(set(answer["pids"])) == 1
    prepared = answer["prepared"]
    assert any("has_sessions" in statement for statement in prepared)  # the public event
    assert any("jsonb_populate_record" in statement for statement in prepared)  # registering


def test_connection_per_request_when_asked_for(published_event):
    answer = _requests_in_production_process(
        published_event.pk, DATABASE_CONN_MAX_AGE="0", DATABASE_PREPARE_THRESHOLD="none"
    )
    assert answer["statuses"] == [201] * 8
    assert answer["pids"] == [None] * 8  # closed at the end of each request
    assert answer["prepared"] == []
