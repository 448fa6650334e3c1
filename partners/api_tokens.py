"""Organisers' personal API tokens: created once, stored only as a SHA-256 digest, revoked at will."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ApiToken
from .selectors import is_organiser

User = Any  # an authenticated user

TOKEN_PREFIX = "psk_"
# last_used_at is a hint for the organiser, not an audit log: write it at most this often.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NewApiToken:
    token: ApiToken
    raw: str  # shown once, never stored


@transaction.atomic(durable=True)
def create_api_token(*, user: User, name: str) -> NewApiToken:
    """A new token for an organiser: 256 random bits, returned in clear this one time."""
    if not is_organiser(user):
        raise PermissionDenied(_("Only organisers can have API tokens."))
    name = name.strip()
    if not name:
        raise ValidationError({"name": [_("This field is required.")]})
    if len(name) > ApiToken._meta.get_field("name").max_length:  # type: ignore[operator]
        raise ValidationError({"name": [_("Enter a valid value.")]})
    return fill_new_token(ApiToken(user=user, name=name), save=True)


def fill_new_token(token: ApiToken, *, save: bool) -> NewApiToken:
    """Give an unsaved token its secret (for the admin's own transaction, and the service)."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token.token_hash = hash_token(raw)
    token.prefix = raw[: len(TOKEN_PREFIX) + 6]
    if save:
        token.save()
    return NewApiToken(token=token, raw=raw)


@transaction.atomic(durable=True)
def revoke_api_token(*, token: ApiToken, by_user: User) -> None:
    """Revoke one of the user's own tokens (superusers: anyone's). Revoking twice is harmless."""
    if token.user_id != by_user.pk and not getattr(by_user, "is_superuser", False):
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
