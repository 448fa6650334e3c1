"""Who a single sign-on is: the account an OpenID Connect provider's verified ID token names.

The provider's issuer and stable subject (`sub`) find the account (OrganiserIdentity), never
the email address alone. A subject seen for the first time gets an account only when the ID
token's roles or groups claim holds the organiser role (OIDC_ORGANISER_ROLE): then an
existing account with the token's address is linked (the provider vouches for the person and
the address in one signed token), or a new one made. That account has no organiser roles:
what an organiser sees stays decided by the roles given here (OrganiserRole), never by the
provider. Without the role a first sign-in is refused; an administrator may link an
account by hand in the admin (Organiser identities).
"""

import functools
import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from ..models import OrganiserIdentity


class ProviderSignInOutcome(StrEnum):
    SIGNED_IN = "signed-in"  # a known subject
    LINKED = "linked"  # a first sign-in, with the role, linked to the account with the address
    CREATED = "created"  # a first sign-in, with the role, and a new account
    NO_ROLE = "no-role"  # a first sign-in without the organiser role: refused
    INACTIVE = "inactive"  # the account was deactivated here: refused


@dataclass(frozen=True)
class ProviderSignIn:
    outcome: ProviderSignInOutcome
    user: User | None = None


def sign_in_with_provider(
    *,
    issuer: str,
    subject: str,
    email: str,
    name: str,
    roles: Collection[str],
    organiser_role: str,
    now: datetime,
) -> ProviderSignIn:
    """The account for a verified ID token's issuer and subject, made or linked if allowed."""
    sign_in = functools.partial(
        _sign_in,
        issuer=issuer,
        subject=subject,
        email=email,
        name=name,
        roles=roles,
        organiser_role=organiser_role,
        now=now,
    )
    try:
        return sign_in()
    except IntegrityError:
        # Two first sign-ins of one subject at once (a double click on the provider's page):
        # both found no identity, and the one that committed first made the account and the
        # identity; the unique constraints refused the other, which now finds them.
        return sign_in()


@transaction.atomic(durable=True)
def _sign_in(
    *,
    issuer: str,
    subject: str,
    email: str,
    name: str,
    roles: Collection[str],
    organiser_role: str,
    now: datetime,
) -> ProviderSignIn:
    identity = (
        OrganiserIdentity.objects.select_related("user")
        .select_for_update(of=("self",))
        .filter(issuer=issuer, subject=subject)
        .first()
    )
    if identity is not None:
        if not identity.user.is_active:
            return ProviderSignIn(ProviderSignInOutcome.INACTIVE)
        identity.last_sign_in_at = now
        identity.save(update_fields=["last_sign_in_at"])
        return ProviderSignIn(ProviderSignInOutcome.SIGNED_IN, identity.user)
    if not organiser_role or organiser_role not in roles:
        return ProviderSignIn(ProviderSignInOutcome.NO_ROLE)
    user = _account_to_link(issuer=issuer, email=email)
    outcome = ProviderSignInOutcome.LINKED
    if user is None:
        user = _new_account(issuer=issuer, subject=subject, email=email, name=name)
        outcome = ProviderSignInOutcome.CREATED
    elif not user.is_active:
        return ProviderSignIn(ProviderSignInOutcome.INACTIVE)
    OrganiserIdentity.objects.create(user=user, issuer=issuer, subject=subject, last_sign_in_at=now)
    return ProviderSignIn(outcome, user)


def _account_to_link(*, issuer: str, email: str) -> User | None:
    """The one account with this address that has no identity at this provider yet."""
    if not email:
        return None
    candidates = list(
        get_user_model()
        .objects.filter(email__iexact=email)
        .exclude(organiser_identities__issuer=issuer)[:2]
    )
    return candidates[0] if len(candidates) == 1 else None


def _new_account(*, issuer: str, subject: str, email: str, name: str) -> User:
    users = get_user_model().objects
    digest = hashlib.sha256(f"{issuer} {subject}".encode()).hexdigest()
    username = (email.lower() or "sso-" + digest[:12])[:140]
    if users.filter(username=username).exists():
        username = f"{username[:130]}-{digest[:8]}"
    first, _space, last = name.strip().partition(" ")
    # No password: the account signs in through the provider only.
    return users.create_user(username, email=email, first_name=first[:150], last_name=last[:150])
