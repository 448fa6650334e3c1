"""Registration throughput against the limit: a bare Django app doing one INSERT.

Two gunicorns run side by side with the same settings (4 workers x 4 threads, gthread) on the
same PostgreSQL: the project as production runs it (DEBUG=0, its own database settings: nothing
here overrides CONN_MAX_AGE or the like; requests arrive as from the TLS proxy, with
X-Forwarded-Proto and X-Forwarded-For) and the bare app in bench/_bare (no apps, no middleware,
one raw INSERT on a persistent connection). wrk, not Python, is the client (50 connections), so
the client costs every side alike and little. Three sides, measured in alternating rounds
because this machine's speed drifts from minute to minute:

- bare: the bare app, one JSON POST -> one INSERT (the limit);
- form: the public HTML registration form (CSRF cookie and token, 302 to the personal page);
- api: the public API, POST /api/v1/events/{id}/registrations (JSON, 201), rate-limited per
  client address, one address per request.

It prints each side's rate, the ratios form/bare and api/bare over all rounds and per round
(the spread), and checks that no event took more confirmed registrations than seats and that
every answered request left its row. In each round the form and the API each make 2,000
registrations for a fresh event with 1,000 seats: half take a seat (one at a time, as each
holds the seat counter's row lock until its commit) and half join the waiting list (no lock),
as when a conference opens; the bare app runs for 8 seconds a round.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/partnerskap_bench \
    REDIS_URL=redis://127.0.0.1:6379/9 .venv/bin/python -m bench.registration \
        [--seconds 8] [--rounds 3] [--connections 50] [--registrations 2000]

The database (BENCH_DATABASE_URL, else DATABASE_URL, with "_bench" added to its name unless it
has "bench" in it) is dropped and created afresh. REDIS_URL is the broker and cache if set (no
worker runs: the queued mail task is deleted afterwards). Needs wrk (Debian: apt-get install wrk).
"""

import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ._harness import (
    GUNICORN,
    PYTHON,
    ROOT,
    Server,
    backend_pids,
    bench_database_url,
    cpu_by_pid,
    cpu_seconds,
    cpu_since,
    drop_database,
    free_port,
    recreate_database,
    run_django,
    server_pids,
    wrk,
)

LUA = Path(__file__).with_suffix(".lua")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SIDES = ("bare", "form", "api")


SEED = """
import datetime as dt, json
from django.conf import settings
from django.db import connection
from django.utils import timezone
from events.models import Event
from partners.models import Host
from bench._bare.urls import CREATE_TABLE
with connection.cursor() as cursor:
    cursor.execute(CREATE_TABLE)
host, _ = Host.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
start = timezone.now() + dt.timedelta(days=30)
common = dict(host=host, starts_at=start, ends_at=start + dt.timedelta(hours=6),
              status="published", organiser_email="bench@example.org",
              venue_name="Bølgen kulturhus", meeting_url="https://meet.example.org/x")
ids = [Event.objects.create(title="Partnerskapskonferansen", capacity=100, **common).pk
       for _ in range(%(events)d)]
db = settings.DATABASES["default"]
conf = {"CONN_MAX_AGE": db["CONN_MAX_AGE"], "CONN_HEALTH_CHECKS": db["CONN_HEALTH_CHECKS"],
        **{k: db["OPTIONS"].get(k) for k in ("server_side_binding", "prepare_threshold")}}
print(json.dumps(ids), json.dumps(conf), sep="\\t")
"""

COUNTS = """
from django.db import connection
from django.db.models import Count, Q
from events.models import Event
out = {}
for side, ids in %(events)s.items():
  out[side] = []
  for pk in ids:
    e = Event.objects.annotate(
        confirmed=Count("registrations", filter=Q(registrations__status="confirmed")),
        offered=Count("registrations", filter=Q(registrations__status="offered")),
        rows=Count("registrations"),
    ).get(pk=pk)
    out[side].append(dict(capacity=e.capacity, seats_taken=e.seats_taken, confirmed=e.confirmed,
                          rows=e.rows, drift=e.seats_taken - e.confirmed - e.offered))
with connection.cursor() as cursor:
    cursor.execute("SELECT count(*) FROM bench_bare_registration")
    bare = cursor.fetchone()[0]
import json
print(json.dumps({**out, "bare": bare}))
"""


def _csrf(port: int, path: str) -> tuple[str, str]:
    """The CSRF cookie and the form's token, as a browser gets them with the page."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"X-Forwarded-Proto": "https"})
    response = conn.getresponse()
    body = response.read().decode()
    assert response.status == 200, (response.status, body[:500])
    cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie", ""))
    token = CSRF_INPUT.search(body)
    assert cookie and token, "no CSRF cookie or token on %s" % path
    return cookie.group(1), token.group(1)


def _combine(rounds: list[dict]) -> dict[str, float]:
    requests = sum(r["requests"] for r in rounds)
    errors = sum(r["errors"] for r in rounds)
    seconds = sum(r["seconds"] for r in rounds)
    return {
        "requests": requests,
        "errors": errors,
        "seconds": seconds,
        "per_second": (requests - errors) / seconds,
        "p50_ms": statistics.median(r["p50_us"] for r in rounds) / 1000,
        "p99_ms": max(r["p99_us"] for r in rounds) / 1000,
        # CPU per answered request: the app (gunicorn) and PostgreSQL (its backends)
        "app_cpu_ms": 1000 * sum(r["app_cpu"] for r in rounds) / max(1, requests - errors),
        "db_cpu_ms": 1000 * sum(r["db_cpu"] for r in rounds) / max(1, requests - errors),
    }


# The run -----------------------------------------------------------------------------------


def run(
    *,
    seconds: float = 8,
    rounds: int = 3,
    connections: int = 50,
    threads: int = 2,
    registrations: int = 2000,
    keep_database: bool = False,
) -> dict:
    if shutil.which("wrk") is None:
        raise SystemExit("bench.registration needs wrk (Debian: apt-get install wrk)")
    database_url = bench_database_url()
    recreate_database(database_url)
    var_dir = tempfile.mkdtemp(prefix="partnerskap-bench-")
    port, bare_port = free_port(), free_port()
    origin = "https://127.0.0.1:%d" % port
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env = {
        **inherited,
        # What production sets (docker-compose.yml): nothing about database connections.
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-not-secret-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": origin,
        "API_NUM_PROXIES": "1",
        "VAR_DIR": var_dir,
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    bare_env = {**inherited, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    servers = [
        Server(app="config.wsgi", env=env, port=port),
        Server(app="bench._bare.wsgi", env=bare_env, port=bare_port),
    ]
    try:
        manage = [PYTHON, "manage.py"]
        subprocess.run(manage + ["migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
        subprocess.run(
            manage + ["collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT, check=True
        )
        ids_json, settings_json = run_django(env, SEED % {"events": 2 * (rounds + 1)})
        ids = json.loads(ids_json)
        # One fresh event per side and round (round 0: the warm-up).
        events = {"form": ids[: rounds + 1], "api": ids[rounds + 1 :]}
        for server in servers:
            server.start()
        servers[0].wait_ready("/healthz")
        servers[1].wait_ready("/registrations")
        cookie, token = _csrf(port, "/arrangementer/%d/" % events["form"][0])
        tag = str(int(time.time()))

        def url(side: str, round_no: int) -> str:
            if side == "bare":
                return "http://127.0.0.1:%d/registrations" % bare_port
            event_id = events[side][round_no]
            if side == "form":
                return "http://127.0.0.1:%d/arrangementer/%d/" % (port, event_id)
            return "http://127.0.0.1:%d/api/v1/events/%d/registrations" % (port, event_id)

        def load(side: str, round_no: int, count: int) -> dict:
            """bare: for `seconds`; form and api: `count` registrations (at most 120 s), for
            an event with seats for half of them."""
            quota = 0
            if side != "bare":
                quota = max(1, count // threads)
                _set_capacity(database_url, events[side][round_no], quota * threads // 2)
            app = server_pids(servers[0 if side != "bare" else 1])
            backends = backend_pids(database_url)
            app_cpu, db_cpu = cpu_seconds(app), cpu_by_pid(backends)
            result = wrk(
                url(side, round_no),
                script=LUA,
                args=[side, str(round_no), tag, origin, str(quota), cookie, token],
                seconds=seconds if side == "bare" else 120,
                connections=connections,
                threads=threads,
            )
            # Backends that started during the round count from zero.
            result["app_cpu"] = cpu_seconds(app) - app_cpu
            result["db_cpu"] = cpu_since(db_cpu, backend_pids(database_url))
            return result

        # Warm up every side (imports, prepared statements, connections), then alternate.
        warm_ups = {side: load(side, 0, connections * 4) for side in SIDES}
        by_side: dict[str, list[dict]] = {side: [] for side in SIDES}
        for round_no in range(1, rounds + 1):
            order = SIDES[round_no % 3 :] + SIDES[: round_no % 3]  # each side leads a round
            for side in order:
                by_side[side].append(load(side, round_no, registrations))
        counts = json.loads(" ".join(run_django(env, COUNTS % {"events": json.dumps(events)})))
    finally:
        for server in servers:
            server.stop()
        _purge_broker()
        shutil.rmtree(var_dir, ignore_errors=True)
        if not keep_database:
            drop_database(database_url)
    combined = {side: _combine(by_side[side]) for side in SIDES}
    bare = combined["bare"]["per_second"]
    return {
        "sides": combined,
        "ratios": {side: combined[side]["per_second"] / bare for side in ("form", "api")},
        "round_ratios": {
            side: [
                r["per_second"] / b["per_second"]
                for r, b in zip(by_side[side], by_side["bare"], strict=True)
            ]
            for side in ("form", "api")
        },
        "rounds": {side: [r["per_second"] for r in by_side[side]] for side in SIDES},
        "counts": counts,
        "answered": {
            side: sum(r["requests"] - r["errors"] for r in [warm_ups[side], *by_side[side]])
            for side in SIDES
        },
        "settings": json.loads(settings_json),
        "connections": connections,
        "seconds": seconds,
        "registrations": registrations,
    }


def _set_capacity(database_url: str, event_id: int, capacity: int) -> None:
    """As another process would change the event: with its revision (events.revisions)."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE events_event SET capacity = %s, revision = revision + 1 WHERE id = %s",
            [capacity, event_id],
        )


def _purge_broker() -> None:
    """The bench queued mail for a worker that never ran; remove just that queue."""
    url = os.environ.get("REDIS_URL")
    if not url:
        return
    import redis

    redis.Redis.from_url(url).delete("mail", "default")


def overbooked(counts: dict) -> int:
    """Confirmed registrations over capacity, summed over the events."""
    return sum(
        max(0, e["confirmed"] - e["capacity"]) for side in ("form", "api") for e in counts[side]
    )


def drift(counts: dict) -> int:
    """Seat counters that disagree with the rows (seats_taken vs confirmed + offered)."""
    return sum(abs(e["drift"]) for side in ("form", "api") for e in counts[side])


def unaccounted(result: dict) -> dict[str, int]:
    """Successful answers minus rows stored, per side (warm-ups included): 0 when every success
    left its row (a request cut off by wrk's clock may store a row it never answered: < 0)."""
    counts = result["counts"]
    rows = {
        "bare": counts["bare"],
        **{s: sum(e["rows"] for e in counts[s]) for s in ("form", "api")},
    }
    return {side: result["answered"][side] - rows[side] for side in SIDES}


def report(result: dict) -> str:
    sides, counts = result["sides"], result["counts"]
    names = {
        "bare": "bare Django, one INSERT",
        "form": "registration, HTML form",
        "api": "registration, public API",
    }
    lines = [
        "registration bench: wrk %d connections, %d rounds (bare %ss, form and api %d "
        "registrations each), gunicorn %s, PostgreSQL; project database settings %s"
        % (
            result["connections"],
            len(result["rounds"]["bare"]),
            result["seconds"],
            result["registrations"],
            " ".join(GUNICORN),
            json.dumps(result["settings"]),
        )
    ]
    for side in SIDES:
        s = sides[side]
        lines.append(
            "  %-26s %7.1f req/s  p50 %6.1f ms  p99 %6.1f ms  errors %d  "
            "CPU/request: app %.2f ms, PostgreSQL %.2f ms  by round: %s"
            % (
                names[side] + ":",
                s["per_second"],
                s["p50_ms"],
                s["p99_ms"],
                s["errors"],
                s["app_cpu_ms"],
                s["db_cpu_ms"],
                " ".join("%.0f" % x for x in result["rounds"][side]),
            )
        )
    for side in ("form", "api"):
        lines.append(
            "  ratio %s/bare: %.2f  by round: %s"
            % (
                side,
                result["ratios"][side],
                " ".join("%.2f" % x for x in result["round_ratios"][side]),
            )
        )
    for side in ("form", "api"):
        lines.append(
            "  %s events (capacity/confirmed/rows by round): %s"
            % (
                side,
                "  ".join(
                    "%d/%d/%d" % (e["capacity"], e["confirmed"], e["rows"])
                    for e in counts[side][1:]
                ),
            )
        )
    lines.append(
        "  overbooked: %d   seat counter drift: %d   answered without a row: %s"
        % (overbooked(counts), drift(counts), json.dumps(unaccounted(result)))
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8, help="per round of bare")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument(
        "--registrations",
        type=int,
        default=2000,
        help="per round of form and api, for an event with seats for half of them",
    )
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args([] if argv is None else argv)
    result = run(
        seconds=args.seconds,
        rounds=args.rounds,
        connections=args.connections,
        threads=args.threads,
        registrations=args.registrations,
        keep_database=args.keep_database,
    )
    print(report(result))
    lost = any(n > 0 for n in unaccounted(result).values())
    counts = result["counts"]
    return 0 if overbooked(counts) == 0 and drift(counts) == 0 and not lost else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
