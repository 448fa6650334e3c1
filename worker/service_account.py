"""Google Workspace: the service-account key file and the signed assertion of the JWT-bearer grant.

Google has no client-credentials grant. An application that reads a Workspace mailbox unattended
is a service account with domain-wide delegation: it signs a JWT (RS256, with the private key in
the JSON key file Google gives) that names the mailbox user as its subject, and sends it to the
key file's token_uri as the assertion of the JWT-bearer grant (RFC 7523 2.1); the answer is an
ordinary access token (RFC 6749 5.1). worker/oauth.py sends the request and keeps the token, as
for the client-credentials grant; this module only reads the key file and signs.

The private key and the assertion never reach a log or an error message: KeyFileError names the
file and what is wrong with it, never its contents.
"""

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

SETTING = "INBOUND_MAIL_OAUTH_SERVICE_ACCOUNT_FILE"
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
GMAIL_SCOPE = "https://mail.google.com/"  # the one scope Gmail's IMAP takes
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ASSERTION_LIFETIME = 3600  # seconds; Google takes at most an hour
_MAX_FILE_BYTES = 64 * 1024  # a key file is about 2.3 kB


class KeyFileError(ValueError):
    """The key file cannot be read or is not a service account's key."""


@dataclass(frozen=True)
class ServiceAccount:
    """What the JWT-bearer grant needs: from the key file, the mailbox user and the scope.
    Compared by value (the private key as its PEM text), so the same file read again for the
    next poll finds the token kept for it (worker/oauth.py)."""

    token_url: str  # the key file's token_uri
    client_email: str
    private_key: str = field(repr=False)
    private_key_id: str
    subject: str  # the mailbox user the token is for (INBOUND_MAIL_URL's user)
    scope: str = GMAIL_SCOPE

    def form(self, *, now: float | None = None) -> dict[str, str]:
        """The token request's body (RFC 7523 2.1), with a newly signed assertion."""
        return {"grant_type": JWT_BEARER, "assertion": self.assertion(now=now)}

    def assertion(self, *, now: float | None = None) -> str:
        """The JWT Google expects (RFC 7523 3): the service account as issuer, the mailbox user
        as subject, the token endpoint as audience, valid for an hour from now (wall clock:
        the endpoint compares it with its own)."""
        issued = int(time.time() if now is None else now)
        claims = {
            "iss": self.client_email,
            "sub": self.subject,
            "scope": self.scope,
            "aud": self.token_url,
            "iat": issued,
            "exp": issued + ASSERTION_LIFETIME,
        }
        headers = {"kid": self.private_key_id} if self.private_key_id else None
        try:
            return jwt.encode(claims, _private_key(self.private_key), "RS256", headers=headers)
        except (KeyFileError, jwt.PyJWTError, ValueError, TypeError) as exc:
            raise KeyFileError(
                f"the service account's key cannot sign: {type(exc).__name__}"
            ) from None

    def secrets(self) -> tuple[str, ...]:
        """What must never be shown, should an endpoint echo it."""
        return (self.private_key,)


def load(path: str | Path, *, subject: str, scope: str = GMAIL_SCOPE) -> ServiceAccount:
    """The service account in a JSON key file as Google gives it (type service_account,
    client_email, private_key, private_key_id, token_uri), or KeyFileError saying what is
    wrong. The private key must be an RSA key in PEM (what Google issues)."""
    where = f"{SETTING} ({path})"
    try:
        with open(path, "rb") as file:
            raw = file.read(_MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise KeyFileError(
            f"{where} cannot be read: {exc.strerror or type(exc).__name__}"
        ) from None
    if len(raw) > _MAX_FILE_BYTES:
        raise KeyFileError(f"{where} is not a service-account key file: too large")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise KeyFileError(f"{where} is not a service-account key file: not JSON") from None
    if not isinstance(data, dict) or data.get("type") != "service_account":
        kind = data.get("type") if isinstance(data, dict) else None
        said = f' (its type is "{kind}")' if isinstance(kind, str) and len(kind) < 40 else ""
        raise KeyFileError(
            f'{where} is not a service-account key file{said}: it needs "type": '
            '"service_account" (in the Google Cloud console: IAM & Admin -> Service accounts '
            "-> Keys -> Add key -> JSON)"
        )
    missing = [name for name in ("client_email", "private_key") if not _text(data.get(name))]
    if missing:
        raise KeyFileError(f"{where} has no {' and no '.join(missing)}")
    token_url = data.get("token_uri") or GOOGLE_TOKEN_URI
    if not _text(token_url):
        raise KeyFileError(f"{where} has a token_uri that is not text")
    _private_key(data["private_key"], where=where)
    key_id = data.get("private_key_id")
    return ServiceAccount(
        token_url=token_url,
        client_email=data["client_email"],
        private_key=data["private_key"],
        private_key_id=key_id if isinstance(key_id, str) else "",
        subject=subject,
        scope=scope,
    )


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _private_key(pem: str, *, where: str = "the key file") -> RSAPrivateKey:
    try:
        key = load_pem_private_key(pem.encode("utf-8"), password=None)
    except (ValueError, TypeError, UnicodeEncodeError):
        # The library's message is about the format only, but the PEM stays out of it anyway.
        raise KeyFileError(
            f"{where} has a private_key that is not an unencrypted PEM private key"
        ) from None
    if not isinstance(key, RSAPrivateKey):
        raise KeyFileError(f"{where} has a private_key that is not an RSA key (RS256 needs one)")
    return key
