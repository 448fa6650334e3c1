"""Who may hold a personal API token: organisers, who create their own (api.auth does the rest)."""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from api.auth import NewApiToken, fill_new_token
from api.models import ApiToken

from .selectors import is_organiser


@transaction.atomic(durable=True)
def create_api_token(*, user: User, name: str) -> NewApiToken:
    """A new token for an organiser, returned in clear this one time."""
    if not is_organiser(user):
        raise PermissionDenied(_("Only organisers can have API tokens."))
    name = name.strip()
    if not name:
        raise ValidationError({"name": [_("This field is required.")]})
    if len(name) > ApiToken._meta.get_field("name").max_length:  # type: ignore[operator]
        raise ValidationError({"name": [_("Enter a valid value.")]})
    return fill_new_token(ApiToken(user=user, name=name), save=True)
