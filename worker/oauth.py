"""Access tokens for the inbound mailbox's XOAUTH2 login (worker/mailbox.py).

Microsoft 365 and Google Workspace refuse a password over IMAP; they take XOAUTH2 with an access
token, got by one of two grants:
- Microsoft 365: the OAuth 2.0 client-credentials grant (RFC 6749 4.4), the tenant issuing the
  token to the application, when INBOUND_MAIL_OAUTH_TOKEN_URL is set (ClientCredentials);
- Google Workspace: the JWT-bearer grant (RFC 7523), a service account with domain-wide
  delegation signing an assertion in the mailbox user's name, when
  INBOUND_MAIL_OAUTH_SERVICE_ACCOUNT_FILE names its key file (worker/service_account.py).
Both are one form POSTed to a token endpoint and one answer read the same way; the rest (the
kept token, the refusal, the errors) is one code path here. A token is kept in this process until shortly before its expires_in runs out, so a poll a
minute costs one token request an hour. A token the IMAP server refuses earlier (revoked, or the
clocks disagree) is dropped here and the mailbox asks once more (Mailbox.login).

The secret, the private key, the assertion and the tokens never reach a log: TokenError says
what went wrong in words the endpoint chose (its `error` and `error_description`), with those cut
out should an endpoint ever echo them, and a failed token request is a failed login to the poller (logged, the next poll
tries again), nothing worse.
"""

import http.client
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings

from . import service_account
from .service_account import KeyFileError, ServiceAccount

# A token is used until this long before it expires (at most a tenth of its lifetime), so a
# login never starts with a token that runs out while the server checks it.
EXPIRY_MARGIN_SECONDS = 60.0
_MAX_RESPONSE_BYTES = 64 * 1024
_MAX_TEXT = 300  # characters of the endpoint's own words kept in an error


class TokenError(Exception):
    """No token: the endpoint cannot be reached, refused the client, or answered nonsense."""


@dataclass(frozen=True)
class ClientCredentials:
    """What the client-credentials grant sends (INBOUND_MAIL_OAUTH_*)."""

    token_url: str
    client_id: str
    client_secret: str = field(repr=False)
    scope: str

    def form(self) -> dict[str, str]:
        """RFC 6749 4.4.2, the client authenticated in the body as 2.3.1 allows and Microsoft's
        identity platform expects."""
        return {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "scope": self.scope,
        }

    def secrets(self) -> tuple[str, ...]:
        return (self.client_secret,)


# What a token is asked with: its token_url, form() (the request's body) and secrets() (what no
# message may show).
Credentials = ClientCredentials | ServiceAccount
_SECRET_FIELDS = ("client_secret", "assertion")


@dataclass(frozen=True)
class AccessToken:
    value: str = field(repr=False)
    expires_at: float | None  # time.monotonic(); None: not kept (the endpoint gave no lifetime)
    fresh: bool = True  # fetched for this login, not taken from the cache


LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")


def token_url_problem(url: str, name: str = "INBOUND_MAIL_OAUTH_TOKEN_URL") -> str | None:
    """Why the secret (or the signed assertion) must not go to this URL, or None. It travels in
    the request body: over TLS, or to this machine itself (a local proxy, the tests)."""
    parts = urllib.parse.urlsplit(url)
    if parts.hostname and (
        parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS)
    ):
        return None
    return f"{name} must be an https:// URL (http:// only to loopback)"


def settings_problem(
    *, token_url: str, client_id: str, client_secret: str, service_account_file: str
) -> str | None:
    """What is wrong with the INBOUND_MAIL_OAUTH_* settings, checked when the settings load so a
    deployment fails at start rather than at the first poll; None when they are sound."""
    if service_account_file:
        if token_url or client_id or client_secret:
            return (
                "INBOUND_MAIL_OAUTH_SERVICE_ACCOUNT_FILE (Google Workspace) and "
                "INBOUND_MAIL_OAUTH_TOKEN_URL, _CLIENT_ID, _CLIENT_SECRET (client credentials) "
                "are two ways to get a token: set one of them"
            )
        try:
            account = service_account.load(service_account_file, subject="")
        except KeyFileError as exc:
            return str(exc)
        return token_url_problem(account.token_url, f"the token_uri in {service_account_file}")
    if token_url:
        if problem := token_url_problem(token_url):
            return problem
        if not (client_id and client_secret):
            return (
                "INBOUND_MAIL_OAUTH_TOKEN_URL needs INBOUND_MAIL_OAUTH_CLIENT_ID and "
                "INBOUND_MAIL_OAUTH_CLIENT_SECRET"
            )
    return None


def credentials_from_settings(username: str = "") -> Credentials | None:
    """How the mailbox `username` gets its token, or None when it logs in with its password.
    The service account's key file is read each time (KeyFileError: it is gone or broken), so
    a replaced key is used from the next poll on."""
    key_file = getattr(settings, "INBOUND_MAIL_OAUTH_SERVICE_ACCOUNT_FILE", "")
    if key_file:
        return service_account.load(
            key_file, subject=username, scope=settings.INBOUND_MAIL_OAUTH_SCOPE
        )
    token_url = getattr(settings, "INBOUND_MAIL_OAUTH_TOKEN_URL", "")
    if not token_url:
        return None
    return ClientCredentials(
        token_url=token_url,
        client_id=settings.INBOUND_MAIL_OAUTH_CLIENT_ID,
        client_secret=settings.INBOUND_MAIL_OAUTH_CLIENT_SECRET,
        scope=settings.INBOUND_MAIL_OAUTH_SCOPE,
    )


_cache: dict[Credentials, AccessToken] = {}
_cache_lock = threading.Lock()


def access_token(credentials: Credentials, *, timeout: float) -> AccessToken:
    """A kept token that has not run out (fresh=False), or a new one from the endpoint."""
    with _cache_lock:
        kept = _cache.get(credentials)
    if kept is not None and kept.expires_at is not None and kept.expires_at > time.monotonic():
        return replace(kept, fresh=False)
    token = fetch_token(credentials, timeout=timeout)
    with _cache_lock:
        if token.expires_at is None:
            _cache.pop(credentials, None)
        else:
            _cache[credentials] = token
    return token


def forget_token(credentials: Credentials) -> None:
    """Drop the kept token (the server refused it); the next login fetches a new one."""
    with _cache_lock:
        _cache.pop(credentials, None)


def forget_all_tokens() -> None:
    with _cache_lock:
        _cache.clear()


def fetch_token(credentials: Credentials, *, timeout: float) -> AccessToken:
    """One token request: the grant's form POSTed to its token endpoint."""
    if isinstance(credentials, ServiceAccount):
        problem = token_url_problem(credentials.token_url, "the service account's token_uri")
    else:
        problem = token_url_problem(credentials.token_url)
    if problem:
        raise TokenError(problem)
    try:
        form = credentials.form()
    except KeyFileError as exc:
        raise TokenError(str(exc)) from None
    hidden = (*credentials.secrets(), *(form[name] for name in _SECRET_FIELDS if name in form))
    body = urllib.parse.urlencode(form).encode("ascii")
    request = urllib.request.Request(  # noqa: S310 (https, or http to loopback: checked above)
        credentials.token_url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        },
    )
    where = urllib.parse.urlsplit(credentials.token_url).hostname or ""
    # HTTPS_PROXY and NO_PROXY from the environment apply, as for any client; never to loopback,
    # which no proxy can reach for us.
    handlers = [urllib.request.ProxyHandler({})] if where in LOOPBACK_HOSTS else []
    started = time.monotonic()
    try:
        with urllib.request.build_opener(*handlers).open(request, timeout=timeout) as response:
            status, payload = response.status, response.read(_MAX_RESPONSE_BYTES)
    except urllib.error.HTTPError as exc:  # 4xx and 5xx: the body says why (RFC 6749 5.2)
        try:
            status, payload = exc.code, exc.read(_MAX_RESPONSE_BYTES)
        except OSError:
            status, payload = exc.code, b""
        finally:
            exc.close()
    except urllib.error.URLError as exc:
        reason = _clean(str(exc.reason), hidden)
        raise TokenError(f"the token endpoint {where} cannot be reached: {reason}") from None
    except (OSError, http.client.HTTPException) as exc:
        reason = _clean(f"{type(exc).__name__}: {exc}", hidden)
        raise TokenError(f"the token endpoint {where} cannot be reached: {reason}") from None
    return read_token_response(status, payload, requested_at=started, secret=hidden, where=where)


def read_token_response(
    status: int,
    payload: bytes,
    *,
    requested_at: float,
    secret: str | tuple[str, ...],
    where: str = "",
) -> AccessToken:
    """The token in an endpoint's answer (RFC 6749 5.1), or TokenError with its error (5.2);
    `secret` (one or several) is cut out of whatever of the answer the error repeats."""
    try:
        answer: Any = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        answer = None
    if not 200 <= status < 300:
        said = ""
        if isinstance(answer, dict) and answer.get("error"):
            said = ": " + _clean(str(answer["error"]), secret)
            if answer.get("error_description"):
                said += " (" + _clean(str(answer["error_description"]), secret) + ")"
        raise TokenError(f"the token endpoint {where} refused the request, HTTP {status}{said}")
    if not isinstance(answer, dict):
        raise TokenError(f"the token endpoint {where} answered HTTP {status} without a JSON object")
    value = answer.get("access_token")
    if not isinstance(value, str) or not value or not _is_token_text(value):
        raise TokenError(f"the token endpoint {where} answered without a usable access_token")
    token_type = answer.get("token_type", "Bearer")
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        kind = _clean(str(token_type), secret)
        raise TokenError(f"the token endpoint {where} issued a {kind} token, not a Bearer token")
    return AccessToken(value=value, expires_at=_expires_at(answer.get("expires_in"), requested_at))


def _expires_at(expires_in: Any, requested_at: float) -> float | None:
    """When to stop using the token, counted from the request (the server's clock started no
    earlier); None when the answer gives no lifetime: then the token serves one login."""
    try:
        seconds = float(expires_in)
    except (TypeError, ValueError):
        return None
    if not seconds > 0 or seconds == float("inf"):
        return None
    return requested_at + seconds - min(EXPIRY_MARGIN_SECONDS, seconds / 10)


def _is_token_text(value: str) -> bool:
    # XOAUTH2 puts the token between \x01 separators: printable ASCII without spaces only.
    return all(33 <= ord(character) <= 126 for character in value)


def _clean(text: str, secret: str | tuple[str, ...]) -> str:
    for hidden in (secret,) if isinstance(secret, str) else secret:
        if hidden:
            text = text.replace(hidden, "[secret]")
    text = "".join(character if character.isprintable() else " " for character in text)
    return text[:_MAX_TEXT]
