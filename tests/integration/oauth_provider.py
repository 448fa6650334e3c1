"""A real OAuth 2.0 authorisation server on a free loopback port, for the XOAUTH2 mailbox tests.

It issues access tokens by the client-credentials grant (RFC 6749 4.4) at /token and answers
Dovecot's oauth2 passdb at /introspect (RFC 7662 style, `introspection_mode = post`): a token is
active only if this server issued it and it has not expired. Plain http.server in a thread.

It also issues them by Google's JWT-bearer grant (RFC 7523) to a service account, as
https://oauth2.googleapis.com/token does: give it the public half of the account's key pair
(OAuthProvider(service_account_key=...), or .service_account_key = ...), and it verifies the
assertion's RS256 signature against it and its claims (iss the account's client_email, sub the
mailbox user, aud its own token URL, scope https://mail.google.com/, iat and exp at most an hour
apart and not expired). service_account_key_file() writes the JSON key file Google gives.

.token_requests    every request to /token (its form fields), answered or not
.assertions        the verified claims of every JWT-bearer assertion it accepted
.introspections    every token Dovecot asked about
.expires_in        the lifetime given to tokens issued from now on (None: none given)
.expire_all()      every token issued so far is expired from now on (the server's side only)
.answer_next(status, body, content_type)  the next /token requests get this answer instead
"""

import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "partnerskap-app"
CLIENT_SECRET = "cl13nt~s3cret.value"
SCOPE = "https://outlook.office365.com/.default"
# Google's service account (the JWT-bearer grant)
SERVICE_ACCOUNT_EMAIL = "partnerskap-mailbox@partnerskap-123456.iam.gserviceaccount.com"
GMAIL_SCOPE = "https://mail.google.com/"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


class OAuthProvider:
    def __init__(
        self,
        username: str,
        *,
        expires_in: float | None = 3600,
        service_account_key: rsa.RSAPublicKey | None = None,
    ) -> None:
        self.username = username
        self.expires_in = expires_in
        self.service_account_key = service_account_key
        self.assertions: list[dict] = []
        self.token_requests: list[dict[str, str]] = []
        self.introspections: list[str] = []
        self.issued: dict[str, float] = {}  # token -> when it expires (time.monotonic())
        self._canned: list[tuple[int, bytes, str]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return "http://127.0.0.1:%d" % self._server.server_address[1]

    @property
    def token_url(self) -> str:
        return self.base_url + "/tenant-1/oauth2/v2.0/token"

    @property
    def google_token_url(self) -> str:
        """The token_uri of the service account's key file (the assertion's audience)."""
        return self.base_url + "/token"

    @property
    def introspection_url(self) -> str:
        return self.base_url + "/introspect"

    def start(self) -> "OAuthProvider":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def expire_all(self) -> None:
        with self._lock:
            self.issued = dict.fromkeys(self.issued, 0.0)

    def answer_next(self, status: int, body: bytes, content_type="application/json", times=1):
        with self._lock:
            self._canned.extend([(status, body, content_type)] * times)

    # The HTTP side ------------------------------------------------------------------------------

    def token(self, form: dict[str, str]) -> tuple[int, dict]:
        with self._lock:
            self.token_requests.append(form)
        if form.get("grant_type") == JWT_BEARER:
            return self.jwt_bearer(form.get("assertion", ""))
        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type"}
        if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            return 401, {
                "error": "invalid_client",
                "error_description": "AADSTS7000215: Invalid client secret provided.",
            }
        if form.get("scope") != SCOPE:
            return 400, {"error": "invalid_scope"}
        return self.issue()

    def jwt_bearer(self, assertion: str) -> tuple[int, dict]:
        """Google's checks of the assertion, with Google's answers when one fails."""
        if self.service_account_key is None:
            return 400, {"error": "invalid_grant", "error_description": "No such service account"}
        try:
            claims = jwt.decode(
                assertion,
                self.service_account_key,
                algorithms=["RS256"],
                audience=self.google_token_url,
                issuer=SERVICE_ACCOUNT_EMAIL,
                options={"require": ["iss", "sub", "aud", "iat", "exp", "scope"]},
            )
        except jwt.InvalidSignatureError:
            return 400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
        except jwt.PyJWTError as exc:
            return 400, {"error": "invalid_grant", "error_description": f"Invalid JWT: {exc}"}
        if not 0 < claims["exp"] - claims["iat"] <= 3600:
            return 400, {"error": "invalid_grant", "error_description": "Invalid JWT: exp - iat"}
        if claims["sub"] != self.username:
            return 400, {"error": "invalid_grant", "error_description": "Invalid email or User ID"}
        if claims["scope"] != GMAIL_SCOPE:
            return 401, {
                "error": "unauthorized_client",
                "error_description": "Client is unauthorized to retrieve access tokens using "
                "this method, or client not authorized for any of the scopes requested.",
            }
        with self._lock:
            self.assertions.append(claims)
        return self.issue()

    def issue(self) -> tuple[int, dict]:
        value = secrets.token_urlsafe(32)
        answer: dict = {"access_token": value, "token_type": "Bearer"}
        with self._lock:
            lifetime = self.expires_in
            self.issued[value] = time.monotonic() + (lifetime if lifetime else 3600)
        if lifetime is not None:
            answer["expires_in"] = lifetime
        return 200, answer

    def introspect(self, form: dict[str, str]) -> tuple[int, dict]:
        token = form.get("token", "")
        with self._lock:
            self.introspections.append(token)
            active = self.issued.get(token, 0.0) > time.monotonic()
        return 200, {"active": True, "username": self.username} if active else {"active": False}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # http.server calls it by this name
                length = int(self.headers.get("Content-Length") or 0)
                fields = parse_qs(self.rfile.read(length).decode("utf-8"))
                form = {name: values[0] for name, values in fields.items()}
                if self.path == "/introspect":
                    self.send(*provider.introspect(form))
                    return
                with provider._lock:
                    canned = provider._canned.pop(0) if provider._canned else None
                if canned is not None:
                    with provider._lock:
                        provider.token_requests.append(form)
                    self.send_raw(*canned)
                else:
                    self.send(*provider.token(form))

            def send(self, status: int, answer: dict) -> None:
                self.send_raw(status, json.dumps(answer).encode(), "application/json")

            def send_raw(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args) -> None:
                pass  # keep the test output (and its captured logs) to what the code logs

        return Handler


def private_key_pem(key: rsa.RSAPrivateKey) -> str:
    """PKCS #8 PEM, unencrypted, as in Google's key files."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def new_key_pair() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def service_account_key_file(
    path: Path,
    key: rsa.RSAPrivateKey,
    *,
    token_uri: str,
    client_email: str = SERVICE_ACCOUNT_EMAIL,
) -> Path:
    """The JSON key file the Google Cloud console gives for a service account, every field."""
    project = client_email.split("@")[1].split(".")[0]
    data = {
        "type": "service_account",
        "project_id": project,
        "private_key_id": secrets.token_hex(20),
        "private_key": private_key_pem(key),
        "client_email": client_email,
        "client_id": "1%020d" % secrets.randbelow(10**20),
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/"
        + client_email.replace("@", "%40"),
        "universe_domain": "googleapis.com",
    }
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path
