"""Personal API tokens (stored only as a SHA-256 digest) and the ninja auth that reads them."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from .models import ApiToken

TOKEN_PREFIX = "psk_"
# last_used_at is a hint for the token's holder, not an audit log: write it at most this often.
LAST_USED_RESOLUTION = timedelta(minutes=5)

# Tokens ----------------------------------------------------------------------------------------


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NewApiToken:
    token: ApiToken
    raw: str  # shown once, never stored


def fill_new_token(token: ApiToken, *, save: bool) -> NewApiToken:
    """Give an unsaved token its secret, 256 random bits (for the admin's own transaction, and
    the service that decides who may hold a token)."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token.token_hash = hash_token(raw)
    token.prefix = raw[: len(TOKEN_PREFIX) + 6]
    if save:
        token.save()
    return NewApiToken(token=token, raw=raw)


@transaction.atomic(durable=True)
def revoke_api_token(*, token: ApiToken, by_user: User) -> None:
    """Revoke one of the user's own tokens (superusers: anyone's). Revoking twice is harmless."""
    if token.user_id != by_user.pk and not by_user.is_superuser:
        raise PermissionDenied
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def authenticate_api_token(raw: str) -> ApiToken | None:
    """The active token with this value and its user, or None.

    Looked up by digest, so comparing is the database's index lookup of a hash and leaks no
    timing about the token itself.
    """
    if not raw or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # One conditional UPDATE on every request keeps the query count the same either way.
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)
    return token


# Ninja auth ------------------------------------------------------------------------------------


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: an organiser's personal token. Sets request.user."""

    openapi_description = "An organiser's personal API token, created under /arrangor/api-tokens/."

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        api_token = authenticate_api_token(token.strip())
        if api_token is None:
            return None
        request.user = api_token.user
        return api_token


class AnonymousAuth:
    """Placeholder auth result for public endpoints that organisers may also call with a token."""

    def __bool__(self) -> bool:
        return True


ANONYMOUS = AnonymousAuth()


class OptionalApiTokenAuth(ApiTokenAuth):
    """Public endpoint that shows more to an organiser: no header is fine, a bad token is 401."""

    def __call__(self, request: HttpRequest) -> Any:
        if not request.headers.get(self.header):
            return ANONYMOUS
        return super().__call__(request)


token_auth = ApiTokenAuth()
optional_token_auth = OptionalApiTokenAuth()
# OpenAPI: the token is optional on these operations.
OPTIONAL_AUTH_OPENAPI: dict[str, Any] = {"security": [{"OptionalApiTokenAuth": []}, {}]}
