"""What the wrk benches share: a throw-away PostgreSQL database, gunicorn servers on free
loopback ports, wrk with a Lua script, and the CPU time of the processes involved."""

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/partnerskap_bench"
# The gunicorn of production (Dockerfile CMD), for both apps.
GUNICORN = ["--workers", "4", "--worker-class", "gthread", "--threads", "4"]


# The database ------------------------------------------------------------------------------


def bench_database_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or DEFAULT_DB
    if not url.startswith("postgres"):
        raise SystemExit("bench.registration needs PostgreSQL: set DATABASE_URL=postgres://...")
    parsed = urllib.parse.urlparse(url)
    name = parsed.path.lstrip("/")
    if "bench" not in name:  # it is dropped: never the database the URL names for real use
        name += "_bench"
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise SystemExit("bench database name must be [a-z0-9_]: %r" % name)
    return parsed._replace(path="/" + name).geturl()


def admin(url: str):
    import psycopg

    parsed = urllib.parse.urlparse(url)
    admin = parsed._replace(path="/postgres").geturl()
    return psycopg.connect(admin, autocommit=True), parsed.path.lstrip("/")


def recreate_database(url: str) -> None:
    conn, name = admin(url)
    with conn:
        conn.execute("DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)
        conn.execute("CREATE DATABASE %s" % name)


def drop_database(url: str) -> None:
    conn, name = admin(url)
    with conn:
        conn.execute("DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)


def run_django(env: dict, code: str) -> list[str]:
    """Run `code` with the project's settings in a fresh process; its last output line, split."""
    out = subprocess.run(
        [PYTHON, "-c", "import django; django.setup()\n" + code],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return out.strip().splitlines()[-1].split("\t")


# The servers -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, *, app: str, env: dict, port: int) -> None:
        self.app = app
        self.env = env
        self.port = port
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(Path(PYTHON).parent / "gunicorn"), self.app, "--bind", "127.0.0.1:%d" % self.port]
            + GUNICORN
            + ["--backlog", "512", "--log-level", "warning"],
            env=self.env,
            cwd=ROOT,
            start_new_session=True,
        )

    def wait_ready(self, path: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError("gunicorn %s exited" % self.app)
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", path, headers={"X-Forwarded-Proto": "https"})
                conn.getresponse().read()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn %s did not start" % self.app)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


# The load ----------------------------------------------------------------------------------


def wrk(
    url: str,
    *,
    script: Path,
    args: list[str],
    seconds: float,
    connections: int,
    threads: int,
) -> dict[str, float]:
    """Run wrk; with a quota (args[4] > 0) stop it once each thread has had that many answers."""
    process = subprocess.Popen(
        [
            "wrk",
            "-t%d" % threads,
            "-c%d" % connections,
            "-d%ds" % max(1, round(seconds)),
            "--timeout",
            "30s",
            "-s",
            str(script),
            url,
            "--",
            *args,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    lines, done = [], 0
    for line in process.stdout:
        lines.append(line)
        done += line.startswith("WRK_THREAD_DONE")
        if done == threads:
            process.send_signal(signal.SIGINT)  # wrk then stops and prints its summary
    if process.wait() != 0:
        raise RuntimeError("wrk failed: %s" % "".join(lines))
    line = next(line for line in lines if line.startswith("WRK_RESULT "))
    result = json.loads(line.removeprefix("WRK_RESULT "))
    result["seconds"] = result["duration_us"] / 1e6
    result["errors"] = sum(result[k] for k in ("status", "connect", "read", "write", "timeout"))
    result["per_second"] = (result["requests"] - result["errors"]) / result["seconds"]
    return result


def cpu_by_pid(pids: list[int]) -> dict[int, float]:
    """utime + stime in seconds of each of these processes still running (Linux /proc)."""
    found = {}
    for pid in pids:
        try:
            fields = Path("/proc/%d/stat" % pid).read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return found


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime of these processes (Linux /proc; 0 elsewhere)."""
    return sum(cpu_by_pid(pids).values())


def cpu_since(before: dict[int, float], pids: list[int]) -> float:
    """CPU the processes running now spent since `before` (those started since count from
    zero). A process that ended in between is not counted at all, so this never goes below
    zero (subtracting totals did, when PostgreSQL backends were replaced mid-round)."""
    return sum(now - before.get(pid, 0.0) for pid, now in cpu_by_pid(pids).items())


def server_pids(server: "Server") -> list[int]:
    """gunicorn's master and workers: the process group the bench started."""
    assert server.process is not None
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == server.process.pid:
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def backend_pids(database_url: str) -> list[int]:
    conn, name = admin(database_url)
    with conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        ).fetchall()
    return [pid for (pid,) in rows]
