"""Adding organisations to the registry: one at a time from the organiser area, or several at
once when a people import names organisations the registry does not know yet.

Any organiser may add an organisation: the registry is shared by every network and host, and
adding one gives nobody access to anything (membership of a network is a separate decision).
"""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ..models import Organisation


def _clean(organisation: Organisation) -> None:
    """Field rules (organisation number checksum, sector) plus the uniqueness the database
    holds, told in words; the name is compared regardless of case."""
    errors: dict[str, list[str]] = {}
    try:
        organisation.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors.update(error.message_dict)
    name = organisation.name
    if name and Organisation.objects.filter(name__iexact=name).exists():
        errors.setdefault("name", []).append(
            _("The organisation “%(name)s” is already registered.") % {"name": name}
        )
    number = organisation.organisation_number
    if number and "organisation_number" not in errors:
        taken = Organisation.objects.filter(organisation_number=number).first()
        if taken is not None:
            errors.setdefault("organisation_number", []).append(
                _("The organisation number %(number)s belongs to %(name)s.")
                % {"number": number, "name": taken.name}
            )
    if errors:
        raise ValidationError(errors)


def _save(organisation: Organisation) -> Organisation:
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError as error:  # someone added the same one at the same moment
        raise ValidationError(
            {
                "name": _("The organisation “%(name)s” is already registered.")
                % {"name": organisation.name}
            }
        ) from error
    return organisation


@transaction.atomic
def create_organisation(
    *,
    name: str,
    sector: str,
    short_name: str = "",
    organisation_number: str = "",
    website: str = "",
) -> Organisation:
    """Add one organisation to the registry. The organisation number is optional; when given it
    must be a valid Norwegian one that no other organisation has."""
    organisation = Organisation(
        name=" ".join(name.split()),
        sector=sector,
        short_name=short_name.strip(),
        organisation_number="".join(organisation_number.split()),
        website=website.strip(),
    )
    _clean(organisation)
    return _save(organisation)


def create_organisations(*, sectors: Mapping[str, str]) -> list[Organisation]:
    """Several new organisations by name -> sector (an import's confirmed preview). Runs in the
    caller's transaction; any refusal raises ValidationError naming the organisation."""
    created = []
    for name, sector in sectors.items():
        try:
            created.append(create_organisation(name=name, sector=sector))
        except ValidationError as error:
            raise ValidationError(
                _("“%(name)s” could not be added: %(reason)s")
                % {"name": name, "reason": " ".join(error.messages)}
            ) from error
    return created
