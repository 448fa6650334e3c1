"""Registration throughput: 50 concurrent clients POST the real HTML form to gunicorn + PostgreSQL.

The yardstick is a view doing one plain INSERT on the same stack (gunicorn, middleware, CSRF,
PostgreSQL), measured in the same run: the ratio registration / baseline is what DESIGN rule 3
talks about (lock-then-count: ~0.1x; the counter taken last: ~0.5x). It also checks that no
event ended up with more confirmed registrations than seats. Baseline and registration run in
alternating rounds (4 by default), since this machine's speed drifts from minute to minute;
the ratio is over all rounds, and the per-round ratios show the spread. With the default
capacity half the registrations are confirmed and half join the waiting list.

    python -m bench.registration [--clients 50] [--requests 4000] [--capacity 2000] [--rounds 4]

Needs PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/partnerskap_reg_bench,
dropped and created afresh) and uses REDIS_URL as the broker if set (no worker runs: queued mail
is left undelivered and the queue is deleted afterwards).
"""

import argparse
import http.client
import multiprocessing
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/partnerskap_reg_bench"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# The server --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _recreate_database(url: str) -> None:
    import psycopg

    parsed = urllib.parse.urlparse(url)
    name = parsed.path.lstrip("/")
    assert re.fullmatch(r"[a-z0-9_]+", name), name
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)
        conn.execute("CREATE DATABASE %s" % name)


def _drop_database(url: str) -> None:
    import psycopg

    parsed = urllib.parse.urlparse(url)
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS %s WITH (FORCE)" % parsed.path.lstrip("/"))


def _seed(env: dict, capacity: int) -> tuple[int, int, int]:
    """Create the event under test, the baseline's event and a warm-up event; return their ids."""
    code = (
        "import django, datetime as dt; django.setup()\n"
        "from django.utils import timezone\n"
        "from events.models import Event\n"
        "from partners.models import Host\n"
        "host, _ = Host.objects.get_or_create(slug='bench', defaults={'name': 'Bench'})\n"
        "start = timezone.now() + dt.timedelta(days=30)\n"
        "common = dict(host=host, starts_at=start, ends_at=start + dt.timedelta(hours=6),\n"
        "              status='published', organiser_email='bench@example.org',\n"
        "              venue_name='Bølgen kulturhus', meeting_url='https://meet.example.org/x')\n"
        "event = Event.objects.create(title='Partnerskapskonferansen', capacity=%d, **common)\n"
        "baseline = Event.objects.create(title='Baseline', capacity=None, **common)\n"
        "warmup = Event.objects.create(title='Warm-up', capacity=None, **common)\n"
        "print(event.pk, baseline.pk, warmup.pk)\n" % capacity
    )
    out = subprocess.run(
        [PYTHON, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.split()
    return int(out[-3]), int(out[-2]), int(out[-1])


def _counts(env: dict, event_id: int) -> dict:
    code = (
        "import django; django.setup()\n"
        "from events.models import Event, Registration\n"
        "e = Event.objects.get(pk=%d)\n"
        "c = Registration.objects.filter(event=e, status='confirmed').count()\n"
        "w = Registration.objects.filter(event=e, status='waitlisted').count()\n"
        "o = Registration.objects.filter(event=e, status='offered').count()\n"
        "print(e.capacity, e.seats_taken, c, w, e.seats_taken - c - o)\n" % event_id
    )
    out = subprocess.run(
        [PYTHON, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.split()
    capacity, seats_taken, confirmed, waitlisted, drift = (int(x) for x in out[-5:])
    return {
        "capacity": capacity,
        "seats_taken": seats_taken,
        "confirmed": confirmed,
        "waitlisted": waitlisted,
        "drift": drift,  # seats_taken minus the confirmed and offered rows
    }


class Server:
    def __init__(self, *, database_url: str, workers: int, threads: int) -> None:
        self.var_dir = tempfile.mkdtemp(prefix="partnerskap-bench-")
        self.port = _free_port()
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PARTNERSKAP_BENCH": "1",
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-not-secret-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "CONN_MAX_AGE": "60",
            "VAR_DIR": self.var_dir,
            "LOG_LEVEL": "WARNING",
            "SITE_URL": "http://127.0.0.1:%d" % self.port,
            "PYTHONPATH": str(ROOT),
        }
        self.workers = workers
        self.threads = threads
        self.process: subprocess.Popen | None = None

    def prepare(self) -> None:
        manage = [PYTHON, "manage.py"]
        subprocess.run(manage + ["migrate", "--noinput", "-v0"], env=self.env, cwd=ROOT, check=True)
        subprocess.run(
            manage + ["collectstatic", "--noinput", "-v0"], env=self.env, cwd=ROOT, check=True
        )

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "config.wsgi",
                "--bind",
                "127.0.0.1:%d" % self.port,
                "--workers",
                str(self.workers),
                "--worker-class",
                "gthread" if self.threads > 1 else "sync",
                "--threads",
                str(self.threads),
                "--backlog",
                "512",
                "--log-level",
                "warning",
            ],
            env=self.env,
            cwd=ROOT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                conn.getresponse().read()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        shutil.rmtree(self.var_dir, ignore_errors=True)


# The clients -------------------------------------------------------------------------------


class Client:
    """A browser without a browser: one keep-alive connection, the CSRF cookie and token."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn: http.client.HTTPConnection | None = None
        self.cookie = ""
        self.token = ""

    def _request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes, dict]:
        headers = {"Host": "127.0.0.1:%d" % self.port}
        if self.cookie:
            headers["Cookie"] = self.cookie
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = "http://127.0.0.1:%d%s" % (self.port, path)
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return response.status, data, dict(response.getheaders())
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def start(self, event_path: str) -> None:
        status, body, headers = self._request("GET", event_path)
        assert status == 200, status
        set_cookie = headers.get("Set-Cookie", "")
        match = re.search(r"csrftoken=([^;]+)", set_cookie)
        assert match, set_cookie
        self.cookie = "csrftoken=" + match.group(1)
        token = CSRF_INPUT.search(body.decode())
        assert token
        self.token = token.group(1)

    def post(self, path: str, fields: dict) -> int:
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": self.token, **fields})
        return self._request("POST", path, body)[0]


def _client_process(args: tuple) -> tuple[list[float], int, float, float]:
    """One process with several client threads; returns latencies, errors and its time span."""
    port, event_path, post_path, extra, threads, per_thread, offset, start_at = args
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    clients = [Client(port) for _ in range(threads)]
    for client in clients:
        client.start(event_path)

    def run(index: int, client: Client) -> None:
        nonlocal errors
        mine = []
        bad = 0
        for i in range(per_thread):
            n = offset + index * per_thread + i
            fields = {
                "name": "Deltaker %d" % n,
                "email": "deltaker%d@example.org" % n,
                "organisation_name": "Kommune %d" % (n % 23),
                "title": "Rådgiver",
                "language": ("nb", "nn", "en")[n % 3],
                **extra,
            }
            t0 = time.perf_counter()
            status = client.post(post_path, fields)
            mine.append(time.perf_counter() - t0)
            if status != 302:
                bad += 1
        with lock:
            latencies.extend(mine)
            errors += bad

    while time.time() < start_at:
        time.sleep(0.001)
    began = time.time()
    workers = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(clients)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return latencies, errors, began, time.time()


def load(
    *,
    port: int,
    event_path: str,
    post_path: str,
    extra: dict,
    clients: int,
    requests: int,
    processes: int,
    offset: int,
) -> dict:
    per_thread = max(1, requests // clients)
    per_process = [
        clients // processes + (1 if i < clients % processes else 0) for i in range(processes)
    ]
    start_at = time.time() + 1.5  # every client has its CSRF cookie before the clock starts
    jobs = []
    index = 0
    for threads in per_process:
        jobs.append(
            (
                port,
                event_path,
                post_path,
                extra,
                threads,
                per_thread,
                offset + index * per_thread,
                start_at,
            )
        )
        index += threads
    with multiprocessing.get_context("spawn").Pool(len(jobs)) as pool:
        results = pool.map(_client_process, jobs)
    latencies = [x for r in results for x in r[0]]
    errors = sum(r[1] for r in results)
    span = max(r[3] for r in results) - min(r[2] for r in results)
    latencies.sort()
    return {
        "latencies": latencies,
        "requests": len(latencies),
        "errors": errors,
        "seconds": span,
        "per_second": len(latencies) / span,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000,
    }


# The run -----------------------------------------------------------------------------------


def _combine(rounds: list[dict]) -> dict:
    """Rounds of one side as one: all requests over the time spent in its rounds."""
    latencies = sorted(x for r in rounds for x in r["latencies"])
    seconds = sum(r["seconds"] for r in rounds)
    return {
        "latencies": latencies,
        "requests": len(latencies),
        "errors": sum(r["errors"] for r in rounds),
        "seconds": seconds,
        "per_second": len(latencies) / seconds,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000,
    }


def run(
    *,
    clients: int = 50,
    requests: int = 4000,
    rounds: int = 4,
    capacity: int = 2000,
    workers: int = 4,
    threads: int = 4,
    processes: int = 2,
    keep_database: bool = False,
) -> dict:
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    _recreate_database(database_url)
    server = Server(database_url=database_url, workers=workers, threads=threads)
    try:
        server.prepare()
        event_id, baseline_id, warmup_id = _seed(server.env, capacity)
        server.start()
        event_path = "/arrangementer/%d/" % event_id
        common = {
            "port": server.port,
            "event_path": event_path,
            "clients": clients,
            "processes": processes,
        }
        # Warm up both paths (imports, template caches, connections), then measure them in
        # alternating rounds: this machine's speed drifts by a third from minute to minute,
        # and alternating puts both sides of the ratio under the same drift.
        load(
            post_path="/arrangementer/bench/baseline/",
            extra={"event": baseline_id},
            requests=clients * 2,
            offset=10_000_000,
            **common,
        )
        load(
            post_path="/arrangementer/%d/" % warmup_id,
            extra={},
            requests=clients * 2,
            offset=11_000_000,
            **common,
        )
        baseline_rounds, registration_rounds = [], []
        per_round = max(clients, requests // rounds)
        for index in range(rounds):
            baseline_rounds.append(
                load(
                    post_path="/arrangementer/bench/baseline/",
                    extra={"event": baseline_id},
                    requests=per_round,
                    offset=20_000_000 + index * per_round,
                    **common,
                )
            )
            registration_rounds.append(
                load(
                    post_path=event_path,
                    extra={},
                    requests=per_round,
                    offset=index * per_round,
                    **common,
                )
            )
        baseline = _combine(baseline_rounds)
        registration = _combine(registration_rounds)
        counts = _counts(server.env, event_id)
    finally:
        server.stop()
        _purge_broker()
        if not keep_database:
            _drop_database(database_url)
    return {
        "registration": registration,
        "baseline": baseline,
        "ratio": registration["per_second"] / baseline["per_second"],
        "round_ratios": [
            r["per_second"] / b["per_second"]
            for r, b in zip(registration_rounds, baseline_rounds, strict=True)
        ],
        "overbooked": max(0, counts["confirmed"] - counts["capacity"]),
        "counts": counts,
        "clients": clients,
        "gunicorn": "%d workers x %d threads (%s)"
        % (workers, threads, "gthread" if threads > 1 else "sync"),
    }


def _purge_broker() -> None:
    """The bench queued mail for a worker that never ran; remove just that queue."""
    url = os.environ.get("REDIS_URL")
    if not url:
        return
    import redis

    redis.Redis.from_url(url).delete("mail")


def report(result: dict) -> str:
    r, b, c = result["registration"], result["baseline"], result["counts"]
    lines = [
        "registration bench: %d clients, gunicorn %s, PostgreSQL"
        % (result["clients"], result["gunicorn"]),
        "  baseline (one plain INSERT): %7.1f req/s   p50 %6.1f ms   p95 %6.1f ms   errors %d"
        % (b["per_second"], b["p50_ms"], b["p95_ms"], b["errors"]),
        "  registration (HTML form):    %7.1f reg/s   p50 %6.1f ms   p95 %6.1f ms   errors %d"
        % (r["per_second"], r["p50_ms"], r["p95_ms"], r["errors"]),
        "  ratio registration/baseline: %.2f (target >= 0.5; > 100 registrations/s); "
        "by round: %s" % (result["ratio"], " ".join("%.2f" % x for x in result["round_ratios"])),
        "  overbooking: %d (capacity %d, confirmed %d, waitlisted %d, seats_taken %d, counter drift %d)"
        % (
            result["overbooked"],
            c["capacity"],
            c["confirmed"],
            c["waitlisted"],
            c["seats_taken"],
            c["drift"],
        ),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=4000, help="per side, over all rounds")
    parser.add_argument("--capacity", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds per side")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--processes", type=int, default=2, help="client processes")
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args(argv)
    result = run(
        clients=args.clients,
        requests=args.requests,
        capacity=args.capacity,
        rounds=args.rounds,
        workers=args.workers,
        threads=args.threads,
        processes=args.processes,
        keep_database=args.keep_database,
    )
    print(report(result))
    ok = result["overbooked"] == 0 and result["counts"]["drift"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
