"""Single sign-on with OpenID Connect, on mozilla-django-oidc: the authorization code flow with
PKCE, state and nonce kept in the session, the ID token's RS256 signature checked against the
provider's JWKS (the library), and here: the endpoints from discovery, the ID token's issuer,
audience and expiry, and who the token is (partners.services.sign_in).

Every way a sign-on can fail ends on one page that says why (signin:refused), never a 500:
a tampered or expired token, a replayed state, a provider that cannot be reached.
"""

import logging
from collections.abc import Collection
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from ..selectors import is_organiser
from ..services.sign_in import ProviderSignInOutcome, sign_in_with_provider
from .conf import library_setting, signin_setting
from .discovery import ProviderUnavailable, provider_configuration, sso_configured
from .gate import SSO_SESSION_KEY

logger = logging.getLogger(__name__)

REFUSAL_ATTRIBUTE = "signin_refusal"


def refused(reason: str) -> HttpResponseRedirect:
    return HttpResponseRedirect("%s?%s" % (reverse("signin:refused"), urlencode({"r": reason})))


def roles_in(claims: dict[str, Any], names: Collection[str]) -> set[str]:
    """The values of the roles/groups claims (a list, or one string)."""
    found: set[str] = set()
    for name in names:
        value = claims.get(name)
        if isinstance(value, str):
            found.add(value)
        elif isinstance(value, list):
            found |= {item for item in value if isinstance(item, str)}
    return found


class OrganiserBackend(OIDCAuthenticationBackend):
    """The one authentication backend: a username and password as Django's ModelBackend, or
    the provider's answer (the callback passes its nonce) as mozilla-django-oidc's backend,
    with endpoints from discovery, read only then (Django builds the backend for every
    signed-in request), and accounts found by issuer and subject."""

    get_settings = staticmethod(library_setting)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.UserModel = get_user_model()
        self.OIDC_RP_CLIENT_ID = signin_setting("OIDC_CLIENT_ID")
        self.OIDC_RP_CLIENT_SECRET = signin_setting("OIDC_CLIENT_SECRET")
        self.OIDC_RP_SIGN_ALGO = "RS256"
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.issuer = ""

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        if "nonce" not in kwargs:  # a password: the provider is never asked
            return ModelBackend.authenticate(self, request, **kwargs)
        if request is None or not sso_configured():
            return None
        document = provider_configuration()
        self.issuer = str(document["issuer"])
        self.OIDC_OP_TOKEN_ENDPOINT = document["token_endpoint"]
        self.OIDC_OP_JWKS_ENDPOINT = document["jwks_uri"]
        self.OIDC_OP_USER_ENDPOINT = document.get("userinfo_endpoint", "")
        return super().authenticate(request, **kwargs)

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        payload = super().verify_token(token, **kwargs)  # RS256 by the JWKS, the nonce
        if "nonce" in kwargs:  # the ID token (a signed userinfo answer has no nonce)
            audience = payload.get("aud")
            audiences = audience if isinstance(audience, list) else [audience]
            if str(payload.get("iss", "")).rstrip("/") != self.issuer.rstrip("/"):
                raise SuspiciousOperation("ID token from another issuer")
            if self.OIDC_RP_CLIENT_ID not in audiences:
                raise SuspiciousOperation("ID token for another client")
            if len(audiences) > 1 and payload.get("azp") != self.OIDC_RP_CLIENT_ID:
                raise SuspiciousOperation("ID token authorised for another client")
            if "exp" not in payload or not payload.get("sub"):
                raise SuspiciousOperation("ID token without exp or sub")
        return payload

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict) -> Any:
        claims = dict(payload)
        if not claims.get("email") and self.OIDC_OP_USER_ENDPOINT:
            userinfo = self.get_userinfo(access_token, id_token, payload)
            if userinfo.get("sub") != payload["sub"]:
                raise SuspiciousOperation("userinfo for another subject")
            claims = {**userinfo, **payload}
        email = str(claims.get("email") or "")
        if not email and "@" in str(claims.get("preferred_username") or ""):
            email = str(claims["preferred_username"])  # Entra ID's sign-in name
        result = sign_in_with_provider(
            issuer=str(payload["iss"]),
            subject=str(payload["sub"]),
            email=email,
            name=str(claims.get("name") or ""),
            roles=roles_in(claims, signin_setting("OIDC_ROLE_CLAIMS")),
            organiser_role=signin_setting("OIDC_ORGANISER_ROLE"),
            now=timezone.now(),
        )
        if result.user is None:
            setattr(self.request, REFUSAL_ATTRIBUTE, result.outcome)
            logger.info("single sign-on refused (%s) for %s", result.outcome, payload["sub"])
        return result.user


class SsoStartView(OIDCAuthenticationRequestView):
    """GET /konto/sso/?next=...: to the provider's authorization endpoint."""

    get_settings = staticmethod(library_setting)

    def __init__(self, **kwargs: Any) -> None:
        View.__init__(self, **kwargs)  # the endpoint comes from discovery, in get()

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso_configured():
            raise Http404
        try:
            document = provider_configuration()
        except ProviderUnavailable as error:
            logger.warning("single sign-on unavailable: %s", error)
            return refused("unavailable")
        self.OIDC_OP_AUTH_ENDPOINT = document["authorization_endpoint"]
        self.OIDC_RP_CLIENT_ID = signin_setting("OIDC_CLIENT_ID")
        return super().get(request)


class SsoCallbackView(OIDCAuthenticationCallbackView):
    """GET /konto/sso/svar/?code=...&state=...: the provider's answer."""

    get_settings = staticmethod(library_setting)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso_configured():
            raise Http404
        try:
            return super().get(request)
        except (ProviderUnavailable, requests.ConnectionError, requests.Timeout) as error:
            logger.warning("single sign-on unavailable: %s", error)
            return refused("unavailable")
        except (SuspiciousOperation, jwt.PyJWTError, requests.RequestException, KeyError) as error:
            logger.warning("single sign-on refused: %s: %s", type(error).__name__, error)
            return refused("invalid")

    def login_failure(self) -> HttpResponse:
        outcome = getattr(self.request, REFUSAL_ATTRIBUTE, None)
        if outcome == ProviderSignInOutcome.NO_ROLE:
            return refused("role")
        if outcome == ProviderSignInOutcome.INACTIVE:
            return refused("inactive")
        if self.request.GET.get("error"):
            return refused("cancelled")
        return refused("invalid")

    def login_success(self) -> HttpResponse:
        response = super().login_success()
        self.request.session[SSO_SESSION_KEY] = True
        if not is_organiser(self.user):
            return HttpResponseRedirect(reverse("signin:no_roles"))
        return response
