"""Sign-in settings, each from the environment with its default here; a settings module (or a
test) may override any of them by name, as worker/conf.py's tunables.

Here rather than in config/settings.py, which is at the 420-line limit of a module: they are
still environment variables (README, "Organiser sign-in") and read nowhere else.
"""

import os
from typing import Any

from django.conf import settings


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


DEFAULTS: dict[str, Any] = {
    # Single sign-on with OpenID Connect: the provider's issuer (its
    # /.well-known/openid-configuration is read), the app registration's client, and the role
    # (or group) in the ID token's roles/groups claim that lets a first sign-in make an account.
    # Microsoft Entra ID: OIDC_ISSUER=https://login.microsoftonline.com/<tenant>/v2.0. Unset:
    # passwords only.
    "OIDC_ISSUER": _env("OIDC_ISSUER").rstrip("/"),
    "OIDC_CLIENT_ID": _env("OIDC_CLIENT_ID"),
    "OIDC_CLIENT_SECRET": _env("OIDC_CLIENT_SECRET"),
    "OIDC_ORGANISER_ROLE": _env("OIDC_ORGANISER_ROLE"),
    # The claims that hold roles or groups: Entra ID's app roles are "roles", its groups
    # "groups" (object ids unless the app registration emits names).
    "OIDC_ROLE_CLAIMS": [c.strip() for c in _env("OIDC_ROLE_CLAIMS", "roles,groups").split(",")],
    "OIDC_SCOPES": _env("OIDC_SCOPES", "openid email profile"),
    # Seconds for each call to the provider (discovery, token, keys), so a slow provider holds
    # a request that long at most.
    "OIDC_TIMEOUT": float(_env("OIDC_TIMEOUT", "10")),
    # Sign-in attempts per account name (known or not) and per client address, in a fixed
    # window (api/throttling.py: while the cache is unreachable nothing is counted). Ten an hour
    # per account keeps guessing slow; fifty per address lets an office behind one address in.
    "SIGNIN_ACCOUNT_RATE": _env("SIGNIN_ACCOUNT_RATE", "10/h"),
    "SIGNIN_ADDRESS_RATE": _env("SIGNIN_ADDRESS_RATE", "50/h"),
    # Superusers reach /arrangor/ and /admin/ only after a second factor (tests/conftest.py
    # turns this off for tests that log superusers in with force_login).
    "SIGNIN_SUPERUSER_SECOND_FACTOR": True,
}

# mozilla-django-oidc's own settings (it reads them through get_settings, partners/signin/oidc.py).
LIBRARY: dict[str, Any] = {
    "OIDC_RP_SIGN_ALGO": "RS256",  # checked by the provider's JWKS; "none" and HS256 refused
    "OIDC_USE_NONCE": True,
    "OIDC_USE_PKCE": True,
    "OIDC_AUTHENTICATION_CALLBACK_URL": "signin:sso_callback",
}


def signin_setting(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])


def library_setting(name: str, *default: Any) -> Any:
    """What mozilla-django-oidc asks for: ours first, then Django's settings, then its default."""
    if name in LIBRARY:
        return LIBRARY[name]
    ours = {
        "OIDC_RP_CLIENT_ID": "OIDC_CLIENT_ID",
        "OIDC_RP_CLIENT_SECRET": "OIDC_CLIENT_SECRET",
        "OIDC_RP_SCOPES": "OIDC_SCOPES",
        "OIDC_TIMEOUT": "OIDC_TIMEOUT",
    }
    if name in ours:
        return signin_setting(ours[name])
    return getattr(settings, name, *default) if default else getattr(settings, name)
