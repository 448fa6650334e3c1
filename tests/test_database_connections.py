"""Production's database connections (issue 10): reused across requests, with the hot path's
statements prepared on PostgreSQL. Run in a fresh process with the settings production uses
(nothing about connections set), against the test database: eight registrations through the
public API, as the WSGI handler sees them."""

import datetime as dt
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from events.models import Event
from partners.models import Host
from tests.factories import EventFactory

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db(transaction=True)

SCRIPT = """
import io, json, os, sys, tempfile, time, django
from django.core.wsgi import get_wsgi_application
application = get_wsgi_application()  # the real handler: it closes connections past their age
from django.db import connection
from django.db.backends.signals import connection_created

# libpq's trace of what each connection sent and received, one file per connection.
traces = []

def trace(sender, connection, **kwargs):
    if connection.vendor == "postgresql":
        traces.append(open(os.path.join(tempfile.mkdtemp(), "trace"), "w"))
        connection.connection.pgconn.trace(traces[-1].fileno())

connection_created.connect(trace)

def terminate(pid):  # what a PostgreSQL restart does to a connection: the server ends it
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%%s)", [pid])
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %%s", [pid]).fetchone():
            time.sleep(0.01)

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
    if n + 1 == %(terminate_after)d:
        terminate(pids[-1])
with connection.cursor() as cursor:
    cursor.execute("SELECT statement FROM pg_prepared_statements")
    prepared = [row[0] for row in cursor.fetchall()]
sent = []
for file in traces:
    file.close()
    with open(file.name) as text:
        sent.append(text.read())
print(json.dumps({"pids": pids, "statuses": statuses, "prepared": prepared, "sent": sent}))
"""


def _requests_in_production_process(
    event_id: int, *, terminate_after: int = 0, **extra: str
) -> dict:
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
        [
            sys.executable,
            "-c",
            SCRIPT
            % {"event": event_id, "tag": secrets.token_hex(2), "terminate_after": terminate_after},
        ],
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
    return EventFactory(
        title="Partnerskapskonferansen",
        host=Host.objects.create(slug="vtfk", name="Vestfold og Telemark"),
        starts_at=start,
        ends_at=start + dt.timedelta(hours=6),
        status=Event.Status.PUBLISHED,
        venue_name="",
        venue_address="",
        organiser_name="",
        organiser_email="",
        capacity=None,
    )


def test_production_reuses_one_connection_and_prepares_the_registration(published_event):
    answer = _requests_in_production_process(published_event.pk)
    assert answer["statuses"] == [201] * 8
    # One PostgreSQL backend for every request, still open after the last.
    assert None not in answer["pids"] and len(set(answer["pids"])) == 1
    prepared = answer["prepared"]
    assert any("jsonb_populate_record" in statement for statement in prepared)  # registering
    # The public event is read once and then kept in the process (events.selectors.public),
    # so it is never sent often enough to be prepared.
    assert not any("has_sessions" in statement for statement in prepared)


def test_connection_per_request_when_asked_for(published_event):
    answer = _requests_in_production_process(
        published_event.pk, DATABASE_CONN_MAX_AGE="0", DATABASE_PREPARE_THRESHOLD="none"
    )
    assert answer["statuses"] == [201] * 8
    assert answer["pids"] == [None] * 8  # closed at the end of each request
    assert answer["prepared"] == []


def test_the_health_check_sends_nothing_and_replaces_a_connection_the_server_ended(
    published_event,
):
    """Eight registrations; after the fourth PostgreSQL ends the connection (as a restart
    does). Every request is answered, the fifth on a new connection, and no request sent a
    health-check query while its connection was fine (Django's own check sends SELECT 1 at
    the start of every request but the first on a connection)."""
    answer = _requests_in_production_process(published_event.pk, terminate_after=4)
    assert answer["statuses"] == [201] * 8
    first, second = answer["pids"][:4], answer["pids"][4:]
    assert len(set(first)) == 1 and len(set(second)) == 1 and first[0] != second[0]
    assert len(answer["sent"]) == 2  # one connection each side of the restart
    # libpq's trace: "<time>\tF\t<length>\tQuery\t "SELECT 1"" for what the client sent.
    health_check = re.compile(r'\tF\t\d+\t(?:Query|Parse)\t[^\n]*"SELECT 1"')
    before, after = (len(health_check.findall(trace)) for trace in answer["sent"])
    assert after == 0
    assert before <= 1  # the check asked the ended connection, and it did not answer
    # The second connection did the registrations' work all the same.
    assert answer["sent"][1].count("INSERT INTO events_registration") == 4
