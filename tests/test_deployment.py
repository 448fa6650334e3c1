"""The production shape as an operator meets it: the image, docker-compose.yml, the TLS proxy.

No Docker engine runs here, so the image is not built: the Dockerfile, .dockerignore and the
compose file are read and checked for what an operator relies on, `docker compose config` (or
docker-compose) validates the file where a client is installed, and the production settings
are served by gunicorn (and, where Caddy is installed, through the repository's Caddyfile) over
real HTTP.
"""

import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
LONG_RUNNING = ["web", "worker", "beat", "proxy", "postgres", "redis"]
APP = ["web", "worker", "beat"]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def _env_example() -> dict[str, str]:
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = re.match(r"#?([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match:
            values[match[1]] = match[2]
    return values


# The image ---------------------------------------------------------------------------------


def test_image_installs_the_runtime_lock_only():
    installs = [rest for keyword, rest in _instructions() if keyword == "RUN" and "pip " in rest]
    assert installs and all("-r requirements.lock" in rest for rest in installs)
    assert not any("requirements-dev" in rest for keyword, rest in _instructions())
    runtime = (ROOT / "requirements.lock").read_text().lower()
    for tool in ["pytest", "mypy", "ruff", "playwright", "schemathesis", "factory-boy", "aiosmtpd"]:
        assert not re.search(r"^%s[=\[]" % tool, runtime, re.M), tool


def test_image_runs_as_a_non_root_user_with_cmd_and_a_python_healthcheck():
    instructions = _instructions()
    keywords = [keyword for keyword, _rest in instructions]
    users = [rest for keyword, rest in instructions if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    # Nothing runs as root after the switch.
    assert "RUN" not in keywords[keywords.index("USER") :]
    (cmd,) = [json.loads(rest) for keyword, rest in instructions if keyword == "CMD"]
    assert cmd[:2] == ["gunicorn", "config.wsgi"]
    (check,) = [rest for keyword, rest in instructions if keyword == "HEALTHCHECK"]
    probe = json.loads(check[check.index("CMD") + 3 :])
    assert probe == ["python", "scripts/healthcheck.py"]
    assert "curl" not in check and "wget" not in check
    assert (ROOT / "scripts" / "healthcheck.py").exists()


def _dockerignore_excludes(patterns: list[str], path: str) -> bool:
    """Docker's rule: the last pattern matching the path or one of its parent folders wins."""
    parts = path.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        body = pattern[1:] if negated else pattern
        regex = ""
        i = 0
        while i < len(body):
            if body.startswith("**/", i):
                regex, i = regex + "(?:.*/)?", i + 3
            elif body.startswith("**", i):
                regex, i = regex + ".*", i + 2
            elif body[i] == "*":
                regex, i = regex + "[^/]*", i + 1
            elif body[i] == "?":
                regex, i = regex + "[^/]", i + 1
            elif body[i] == "[":
                end = body.index("]", i)
                regex, i = regex + body[i : end + 1], end + 1
            else:
                regex, i = regex + re.escape(body[i]), i + 1
        if any(re.fullmatch(regex, candidate) for candidate in candidates):
            excluded = not negated
    return excluded


@pytest.mark.parametrize(
    ("path", "kept_out"),
    [
        (".venv/bin/python", True),
        ("var/secret_key", True),
        ("var/partnerskap.sqlite3", True),
        ("var/mail/20261201-101500-000000-1a2b3c4d.eml", True),
        ("var/organiser-logins/sqlite-partnerskap.txt", True),
        ("partnerskap.sqlite3", True),
        (".env", True),
        (".git/HEAD", True),
        ("events/__pycache__/models.cpython-311.pyc", True),
        ("tests/conftest.py", True),
        ("manage.py", False),
        ("requirements.lock", False),
        ("config/settings.py", False),
        ("scripts/healthcheck.py", False),
        ("scripts/compile_messages.py", False),
        ("locale/nn/LC_MESSAGES/django.po", False),
        ("templates/base.html", False),
        ("static/css/site.css", False),
        ("events/migrations/0001_initial.py", False),
    ],
)
def test_dockerignore_keeps_local_state_out_of_the_image(path, kept_out):
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert _dockerignore_excludes(patterns, path) == kept_out


# docker-compose.yml ------------------------------------------------------------------------


def test_compose_services_restart_and_wait_for_healthy_dependencies(compose):
    services = compose["services"]
    for name in LONG_RUNNING:
        assert services[name]["restart"] == "unless-stopped", name
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert services["redis"]["healthcheck"]["test"][-2:] == ["redis-cli", "ping"]
    for name in APP:
        assert services[name]["depends_on"] == {
            "postgres": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
            "migrate": {"condition": "service_completed_successfully"},
        }, name
    assert services["proxy"]["depends_on"] == {"web": {"condition": "service_healthy"}}
    assert "healthcheck" in services["web"] and "healthcheck" in services["worker"]


def test_compose_migrates_in_a_one_shot_service(compose):
    services = compose["services"]
    migrate = services["migrate"]
    assert migrate["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for name in APP:
        assert "migrate" not in " ".join(services[name].get("command", [])), name


def test_compose_reads_urls_and_the_database_password_from_the_environment(compose):
    services = compose["services"]
    text = (ROOT / "docker-compose.yml").read_text()
    for name in APP + ["migrate"]:
        env = services[name]["environment"]
        for variable in ["DATABASE_URL", "EMAIL_URL", "REDIS_URL", "SECRET_KEY"]:
            assert env[variable].startswith("${%s:" % variable), (name, variable)
        assert env["DEBUG"] == "0"
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith(
        "${POSTGRES_PASSWORD:?"
    )
    assert "partnerskap:partnerskap@" not in text
    assert not re.search(r"PASSWORD: [^$\s]", text)


def test_every_variable_compose_reads_is_in_env_example(compose):
    text = (ROOT / "docker-compose.yml").read_text()
    used = set(re.findall(r"(?<!\$)\$\{([A-Z][A-Z0-9_]*)", text))
    documented = _env_example()
    assert used - set(documented) == set()
    # The example's own database URL carries the example's database password.
    password = documented["POSTGRES_PASSWORD"]
    assert ":%s@postgres:" % password in documented["DATABASE_URL"]


def test_the_mail_catcher_runs_only_in_the_development_profile(compose):
    services = compose["services"]
    assert services["mailcatcher"]["profiles"] == ["dev"]
    others = [name for name, service in services.items() if name != "mailcatcher"]
    assert all("profiles" not in services[name] for name in others)
    assert "mailcatcher" not in services["web"]["environment"]["EMAIL_URL"]
    # Its inbox shows personal links: this machine only.
    assert all(port.startswith("127.0.0.1:") for port in services["mailcatcher"]["ports"])


def test_a_tls_proxy_is_the_only_way_in(compose):
    services = compose["services"]
    proxy = services["proxy"]
    assert proxy["image"].startswith("caddy:")
    assert {"80:80", "443:443"} <= set(proxy["ports"])
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    assert proxy["environment"]["UPSTREAM"] == "web:8000"
    caddyfile = (ROOT / "Caddyfile").read_text()
    assert "reverse_proxy {$UPSTREAM:web:8000}" in caddyfile
    assert "{$SITE_DOMAIN" in caddyfile
    for name, service in services.items():
        if name not in {"proxy", "mailcatcher"}:
            assert "ports" not in service, name
    assert services["web"]["environment"]["API_NUM_PROXIES"] == "1"


def _require(present: bool, what: str) -> None:
    """Skip when a tool is missing, but fail in CI (PARTNERSKAP_REQUIRE_INTEGRATION=1)."""
    if present:
        return
    if os.environ.get("PARTNERSKAP_REQUIRE_INTEGRATION") == "1":
        pytest.fail(what)
    pytest.skip(what)


def _compose_client() -> list[str] | None:
    if (
        shutil.which("docker")
        and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0
    ):
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_docker_compose_accepts_the_file_with_env_example(tmp_path):
    client = _compose_client()
    _require(
        client is not None, "no docker compose client installed (apt-get install docker-compose)"
    )
    assert client is not None
    env_file = tmp_path / ".env"
    text = (ROOT / ".env.example").read_text()
    env_file.write_text(re.sub(r"(?m)^SECRET_KEY=$", "SECRET_KEY=" + "k" * 50, text))
    clean = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}

    def config(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*client, "--env-file", str(env_file), "-f", str(ROOT / "docker-compose.yml"), *args],
            capture_output=True,
            text=True,
            env=clean,
            timeout=60,
        )

    result = config("config")
    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)["services"]
    assert set(resolved) == {*LONG_RUNNING, "migrate", "mailcatcher"}
    assert resolved["mailcatcher"]["profiles"] == ["dev"]
    example = _env_example()
    for name in APP:
        env = resolved[name]["environment"]
        assert env["DATABASE_URL"] == example["DATABASE_URL"]
        assert env["EMAIL_URL"] == example["EMAIL_URL"]
        assert env["ALLOWED_HOSTS"] == example["SITE_DOMAIN"]
        assert env["SITE_URL"] == "https://%s" % example["SITE_DOMAIN"]
    # Without a secret key the file refuses to start anything.
    env_file.write_text(text)
    result = config("config")
    assert result.returncode != 0 and "SECRET_KEY" in result.stdout + result.stderr


# The production settings over real HTTP ----------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _production_env(var: Path, **extra: str) -> dict[str, str]:
    drop = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "EMAIL_URL"}
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("DJANGO_")}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="localhost",
        SITE_URL="https://localhost",
        VAR_DIR=str(var),
        **extra,
    )
    return env


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _get(url: str, headers: dict[str, str] | None = None, context=None):
    """(status, headers, body) without following redirects."""
    opener = urllib.request.build_opener(_NoRedirect, urllib.request.HTTPSHandler(context=context))
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with opener.open(request, timeout=10) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def _wait_for(port: int, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, "%s exited" % what
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("%s did not listen on %d" % (what, port))


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory) -> Iterator[tuple[int, dict[str, str]]]:
    """gunicorn with the production settings (DEBUG=0) on a migrated SQLite database, static
    files collected as the Dockerfile does."""
    var = tmp_path_factory.mktemp("production-var")
    env = _production_env(var)
    for command in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, timeout=180
        )
    port = _free_port()
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            "--bind",
            "127.0.0.1:%d" % port,
            "--workers",
            "1",
            "--threads",
            "2",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port, process, "gunicorn")
        yield port, env
    finally:
        _stop(process)


def test_healthz_answers_a_plain_http_probe_while_everything_else_goes_to_https(gunicorn):
    port, _env = gunicorn
    status, _headers, body = _get("http://127.0.0.1:%d/healthz" % port, {"Host": "localhost"})
    assert status == 200
    assert json.loads(body)["status"] == "ok"
    status, headers, _body = _get("http://127.0.0.1:%d/" % port, {"Host": "localhost"})
    assert status == 301
    assert headers["Location"] == "https://localhost/"


def test_behind_the_proxy_requests_are_secure_and_hsts_has_no_preload(gunicorn):
    port, _env = gunicorn
    status, headers, body = _get(
        "http://127.0.0.1:%d/" % port, {"Host": "localhost", "X-Forwarded-Proto": "https"}
    )
    assert status == 200, body[:500]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "secure" in headers.get("Set-Cookie", "secure").lower()


def test_the_image_healthcheck_passes_against_the_server_and_fails_without_it(gunicorn):
    port, env = gunicorn
    probe = [sys.executable, "scripts/healthcheck.py"]
    ok = subprocess.run(probe, cwd=ROOT, env={**env, "PORT": str(port)}, timeout=30)
    assert ok.returncode == 0
    down = subprocess.run(
        probe, cwd=ROOT, env={**env, "PORT": str(_free_port())}, capture_output=True, timeout=30
    )
    assert down.returncode == 1


def test_hsts_preload_only_when_asked_and_check_deploy_stays_clean(tmp_path):
    script = "from django.conf import settings; print(settings.SECURE_HSTS_PRELOAD)"
    for value, expected in [(None, "False"), ("1", "True")]:
        extra = {"SECURE_HSTS_PRELOAD": value} if value else {}
        env = _production_env(tmp_path, **extra)
        shown = subprocess.run(
            [sys.executable, "manage.py", "shell", "-v0", "-c", script],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert shown.stdout.strip() == expected, shown.stderr
        check = subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert check.returncode == 0, check.stdout + check.stderr


def test_the_caddyfile_terminates_tls_in_front_of_gunicorn(gunicorn, tmp_path):
    """The repository's Caddyfile, with only ports and storage changed for this machine."""
    _require(shutil.which("caddy") is not None, "Caddy is not installed (apt-get install caddy)")
    port, _env = gunicorn
    https_port, http_port = _free_port(), _free_port()
    config = tmp_path / "Caddyfile"
    config.write_text(
        "{\n\tadmin off\n\tskip_install_trust\n\thttp_port %d\n\thttps_port %d\n"
        "\tstorage file_system %s\n}\nimport %s\n"
        % (http_port, https_port, tmp_path / "data", ROOT / "Caddyfile")
    )
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "SITE_DOMAIN": "localhost",
        "UPSTREAM": "127.0.0.1:%d" % port,
    }
    caddy = subprocess.Popen(
        ["caddy", "run", "--config", str(config), "--adapter", "caddyfile"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for(https_port, caddy, "caddy")
        root = tmp_path / "data" / "pki" / "authorities" / "local" / "root.crt"
        deadline = time.monotonic() + 30
        while not root.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        context = ssl.create_default_context(cafile=str(root))
        status, headers, body = (None, {}, b"")
        while time.monotonic() < deadline:
            try:
                status, headers, body = _get("https://localhost:%d/" % https_port, context=context)
                break
            except urllib.error.URLError:
                time.sleep(0.3)  # the certificate is still being issued
        assert status == 200, body[:500]
        assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        status, _headers, body = _get("https://localhost:%d/healthz" % https_port, context=context)
        assert status == 200 and json.loads(body)["status"] == "ok"
        # Plain HTTP to the proxy is sent to https by Caddy itself.
        status, headers, _body = _get("http://localhost:%d/arrangor/" % http_port)
        assert status in (301, 308)
        assert headers["Location"].startswith("https://localhost")
    finally:
        _stop(caddy)


def test_every_command_the_production_section_names_exists():
    """The README tells an operator how to make the first organiser and load the registry."""
    from django.core.management import get_commands

    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Production shape") :]
    named = set(re.findall(r"manage\.py ([a-z_]+)", section))
    assert {"createsuperuser", "load_registry", "import_people", "migrate"} <= named
    assert named - set(get_commands()) == set()
