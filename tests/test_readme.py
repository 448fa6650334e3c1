"""README.md's "A session with curl", run as written: bash, curl and python3 against a live
server (`manage.py runserver`, as `make run` starts it) on a fresh database loaded by seed_demo.

Every curl answer is checked against the `# -> STATUS {...}` line under its command in the README
(its status, and each `"key": value` it shows, except ids and codes that differ per run), and
then for what the session is for. So the README and the code cannot drift apart.

The database is the kind the run uses (DATABASE_URL: a fresh PostgreSQL database beside it;
unset: a SQLite file), without Redis, as on a newcomer's machine.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
# Values the README can only show by example.
VARYING_KEYS = {"id", "ticket_code"}

# Records every curl call of the session (arguments, status, body) without changing what the
# reader sees: the body still goes to standard output.
CURL_RECORDER = r"""
curl() {
  local n
  n=$(( $(cat "$CURL_LOG/count") + 1 ))
  echo "$n" > "$CURL_LOG/count"
  printf '%s\n' "$@" > "$CURL_LOG/$n.args"
  command curl "$@" --output "$CURL_LOG/$n.body" --write-out '%{http_code}' > "$CURL_LOG/$n.status"
  cat "$CURL_LOG/$n.body"
  case " $* " in *" -w "*) echo ;; esac  # the README's -w '\n'
}
"""


def session_block() -> str:
    section = README.read_text(encoding="utf-8").split("### A session with curl\n", 1)[1]
    match = re.search(r"^```sh\n(.*?)^```", section, re.S | re.M)
    assert match, "no ```sh block under 'A session with curl'"
    return match.group(1)


def expected_answers(block: str) -> list[tuple[int, str]]:
    """Each `# -> STATUS example` line with its indented continuation lines, in order."""
    answers: list[tuple[int, str]] = []
    lines = block.splitlines()
    for index, line in enumerate(lines):
        match = re.match(r"#\s*-> (\d{3})\b(.*)", line)
        if not match:
            continue
        text = match.group(2)
        for following in lines[index + 1 :]:
            if not re.match(r"#\s{3,}\S", following):
                break
            text += " " + following.lstrip("#").strip()
        answers.append((int(match.group(1)), text))
    return answers


_PAIR = re.compile(r'"(\w+)": ("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|null|true|false)')


def shown_pairs(example: str) -> list[tuple[str, Any]]:
    pairs = [(key, json.loads(value)) for key, value in _PAIR.findall(example)]
    return [
        (key, value)
        for key, value in pairs
        if key not in VARYING_KEYS and not (isinstance(value, str) and "<" in value)
    ]


def has_pair(tree: Any, key: str, value: Any) -> bool:
    if isinstance(tree, dict):
        if key in tree and tree[key] == value:
            return True
        return any(has_pair(child, key, value) for child in tree.values())
    if isinstance(tree, list):
        return any(has_pair(child, key, value) for child in tree)
    return False


@dataclass
class Call:
    args: list[str]
    status: int
    body: Any

    def __str__(self) -> str:
        return "curl %s -> %d %s" % (" ".join(self.args), self.status, json.dumps(self.body))


def test_the_readme_block_is_found_and_every_curl_has_its_answer():
    block = session_block()
    curls = re.findall(r"(?:^|\$\()curl ", block, re.M)
    answers = expected_answers(block)
    assert len(curls) == len(answers) >= 6
    assert ".venv/bin/python manage.py create_api_token" in block


# The live server -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _postgres_admin(url: str) -> tuple[Any, str]:
    from scripts.ensure_database import admin_connection

    return admin_connection(url)


def _recreate_database(url: str) -> str:
    """A fresh PostgreSQL database beside the one DATABASE_URL names; its URL."""
    from psycopg import sql

    connection, name = _postgres_admin(url)
    fresh = "%s_readme" % name
    with connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(fresh))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(fresh)))
    return url.rsplit("/", 1)[0] + "/" + fresh


def _drop_database(url: str) -> None:
    from psycopg import sql

    connection, name = _postgres_admin(url)
    with connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@dataclass
class LiveServer:
    env: dict[str, str]
    port: int
    var_dir: Path


@pytest.fixture
def live_demo(tmp_path: Path) -> Iterator[LiveServer]:
    if shutil.which("curl") is None or shutil.which("python3") is None:
        if os.environ.get("CI"):
            pytest.fail("the README session needs curl and python3")
        pytest.skip("the README session needs curl and python3")
    port = _free_port()
    var_dir = tmp_path / "var"
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"REDIS_URL", "EMAIL_URL", "SITE_URL", "ALLOWED_HOSTS", "VAR_DIR"}
    }
    env.update({"PORT": str(port), "VAR_DIR": str(var_dir), "DEBUG": "1"})
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith(("postgres://", "postgresql://")):
        env["DATABASE_URL"] = _recreate_database(database_url)
    else:
        env.pop("DATABASE_URL", None)  # the SQLite file under VAR_DIR, as `make run` has it
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
        subprocess.run(manage + command, cwd=ROOT, env=env, check=True, capture_output=True)
    server_log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        manage + ["runserver", "127.0.0.1:%d" % port, "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, (tmp_path / "server.log").read_text()
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/api/v1/hosts" % port, timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "the server did not answer in 30 s"
                time.sleep(0.2)
        yield LiveServer(env=env, port=port, var_dir=var_dir)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        server_log.close()
        if "DATABASE_URL" in env:
            _drop_database(env["DATABASE_URL"])


def run_session(live: LiveServer, log: Path) -> tuple[subprocess.CompletedProcess[str], list[Call]]:
    log.mkdir()
    (log / "count").write_text("0")
    result = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", CURL_RECORDER + session_block()],
        cwd=ROOT,
        env={**live.env, "CURL_LOG": str(log)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    calls = []
    for n in range(1, int((log / "count").read_text()) + 1):
        body = (log / ("%d.body" % n)).read_text(encoding="utf-8")
        calls.append(
            Call(
                args=(log / ("%d.args" % n)).read_text(encoding="utf-8").splitlines(),
                status=int((log / ("%d.status" % n)).read_text() or 0),
                body=json.loads(body) if body else None,
            )
        )
    return result, calls


@pytest.mark.timeout(120)
def test_the_readme_curl_session_works_as_written(live_demo, tmp_path):
    result, calls = run_session(live_demo, tmp_path / "curl")
    assert result.returncode == 0, result.stderr + result.stdout
    answers = expected_answers(session_block())
    assert [call.status for call in calls] == [status for status, _example in answers], "\n".join(
        map(str, calls)
    )
    for call, (_status, example) in zip(calls, answers, strict=True):
        for key, value in shown_pairs(example):
            assert has_pair(call.body, key, value), "README shows %r: %r, but %s" % (
                key,
                value,
                call,
            )

    hosts, created, published, registered, listed, no_host, corrected, blank = calls
    assert [host["slug"] for host in hosts.body["items"]] == ["telemark", "vestfold"]
    assert created.body["status"] == "draft"
    assert (created.body["network"], created.body["host"]) == ("klima-og-miljo", "vestfold")
    assert created.body["starts_at"] == "2031-05-02T07:00:00Z"  # 09:00 Oslo summer time
    assert "/events/%d/publish" % created.body["id"] in " ".join(published.args)
    assert (published.body["id"], published.body["status"]) == (created.body["id"], "published")
    assert registered.body["status"] == "confirmed"
    assert registered.body["manage_url"].startswith(
        "http://localhost:%d/arrangementer/p/" % live_demo.port
    )
    assert listed.body["count"] == 1
    assert listed.body["items"][0]["id"] == registered.body["id"]
    assert listed.body["items"][0]["email"] == "ingrid@example.org"
    assert no_host.body["errors"] == [
        {"field": "host", "message": "This field is required. Choose one of: telemark, vestfold."}
    ]
    assert (corrected.body["title"], corrected.body["host"]) == ("Høstsamling", "telemark")
    key = "Idempotency-Key: hoestsamling-2031"
    assert key in no_host.args and key in corrected.args  # one key: refused, then accepted
    assert {"field": "title", "message": "This field cannot be blank."} in blank.body["errors"]
    # What the reader sees: each answer, in the order of the commands.
    assert result.stdout.index('"status": "draft"') < result.stdout.index('"status": "confirmed"')
