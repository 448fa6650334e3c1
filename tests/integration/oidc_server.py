"""A real OpenID Connect provider for the sign-in tests: node-oidc-provider (tests/integration/
oidc/provider.mjs) started with node on a free loopback port.

`node_problem()` says what is missing (node, or the npm packages, which it installs with
`npm ci` from the committed package-lock.json when they are not there yet); the fixtures fail
on it when PARTNERSKAP_REQUIRE_INTEGRATION=1 and skip otherwise.
"""

import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import requests

DIR = Path(__file__).resolve().parent / "oidc"


def node_problem() -> str | None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        return "the OpenID Connect provider needs node and npm (apt-get install nodejs npm)"
    if not (DIR / "node_modules" / "oidc-provider").is_dir():
        result = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"],
            cwd=DIR,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode != 0:
            return f"npm ci in {DIR} failed: {result.stderr[-2000:]}"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OidcProvider:
    """One provider process. `accounts`: {sub: {"email", "name", "roles"}}; the provider's
    development login form takes the sub as the login, and any password."""

    def __init__(self, *, redirect_uri: str, accounts: dict[str, dict], log: Path) -> None:
        self.redirect_uri = redirect_uri
        self.accounts = accounts
        self.client_id = "partnerskap-test"
        self.client_secret = "test-secret-" + os.urandom(8).hex()
        self.port = _free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> "OidcProvider":
        env = {
            **os.environ,
            "PORT": str(self.port),
            "REDIRECT_URI": self.redirect_uri,
            "CLIENT_ID": self.client_id,
            "CLIENT_SECRET": self.client_secret,
            "ACCOUNTS": json.dumps(self.accounts),
        }
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                ["node", "provider.mjs"], cwd=DIR, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the provider stopped: " + self.log.read_text()[-2000:])
            try:
                url = self.issuer + "/.well-known/openid-configuration"
                if requests.get(url, timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError("the provider did not start: " + self.log.read_text()[-2000:])

    def tamper(self, on: bool) -> None:
        """From now on the token endpoint alters (or stops altering) the ID token's signature."""
        response = requests.post(
            self.issuer + "/test/tamper", params={"on": "1" if on else "0"}, timeout=5
        )
        response.raise_for_status()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
