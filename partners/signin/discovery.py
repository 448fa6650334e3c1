"""The provider's OpenID Connect discovery document (/.well-known/openid-configuration), read
when a sign-on starts or returns, and kept in the process for an hour.

Never read while a page loads otherwise: the backend is built for every request of a signed-in
organiser, and a provider that is down must not take the site's pages with it.
"""

import threading
from time import monotonic
from typing import Any

import requests

from .conf import signin_setting

KEEP_SECONDS = 3600.0
REQUIRED = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")

_documents: dict[str, tuple[float, dict[str, Any]]] = {}
_lock = threading.Lock()


class ProviderUnavailable(Exception):
    """The discovery document could not be read, or does not describe OIDC_ISSUER."""


def sso_configured() -> bool:
    return bool(signin_setting("OIDC_ISSUER") and signin_setting("OIDC_CLIENT_ID"))


def provider_configuration() -> dict[str, Any]:
    issuer = signin_setting("OIDC_ISSUER")
    kept = _documents.get(issuer)
    if kept is not None and monotonic() < kept[0]:
        return kept[1]
    url = issuer + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=signin_setting("OIDC_TIMEOUT"))
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnavailable(f"{url}: {error}") from error
    if not isinstance(document, dict) or any(not document.get(key) for key in REQUIRED):
        raise ProviderUnavailable(f"{url} lacks one of {', '.join(REQUIRED)}")
    if str(document["issuer"]).rstrip("/") != issuer:
        raise ProviderUnavailable(f"{url} is for the issuer {document['issuer']}, not {issuer}")
    algorithms = document.get("id_token_signing_alg_values_supported") or ["RS256"]
    if "RS256" not in algorithms:
        raise ProviderUnavailable(f"{url}: the provider does not sign ID tokens with RS256")
    with _lock:
        _documents[issuer] = (monotonic() + KEEP_SECONDS, document)
    return document


def forget() -> None:
    """Read the document again next time (tests start providers on new ports)."""
    with _lock:
        _documents.clear()
