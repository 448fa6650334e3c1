"""Adding, changing and removing people in a network."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ..models import Language, Network, Organisation, Person, PersonMembership


def _email_taken(*, email: str, exclude: Person | None = None) -> bool:
    others = Person.objects.filter(email__iexact=email)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    return others.exists()


def _email_taken_error(email: str) -> ValidationError:
    return ValidationError(
        {"email": _("Another person is already registered with %(email)s.") % {"email": email}},
        code="email_taken",
    )


def _save_person(person: Person) -> None:
    """Validate field values and save; a concurrent insert of the same email is a form error."""
    person.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as error:
        raise _email_taken_error(person.email) from error


def _validate_role(role: str) -> None:
    if role not in PersonMembership.Role.values:
        raise ValidationError({"role": _("Choose a valid role.")}, code="invalid_choice")


@transaction.atomic
def add_person_to_network(
    *,
    network: Network,
    name: str,
    email: str,
    role: str = PersonMembership.Role.MEMBER,
    organisation: Organisation | None = None,
    title: str = "",
    phone: str = "",
    language: str = Language.BOKMAL,
) -> PersonMembership:
    """Add someone to a network. A known email (any case) updates that person instead of
    creating a second one."""
    _validate_role(role)
    email = email.strip()
    person = Person.objects.filter(email__iexact=email).first()
    if person is None:
        person = Person(email=email)
    elif PersonMembership.objects.filter(network=network, person=person).exists():
        raise ValidationError(
            {"email": _("%(email)s is already in this network.") % {"email": person.email}},
            code="already_member",
        )
    person.name = name.strip()
    person.organisation = organisation
    person.title = title.strip()
    person.phone = phone.strip()
    person.language = language
    _save_person(person)
    return PersonMembership.objects.create(network=network, person=person, role=role)


@transaction.atomic
def update_person_in_network(
    *,
    network: Network,
    person: Person,
    name: str,
    email: str,
    role: str,
    organisation: Organisation | None,
    title: str,
    phone: str,
    language: str,
) -> Person:
    """Change a person's details and their role in this network."""
    _validate_role(role)
    membership = PersonMembership.objects.select_for_update().get(network=network, person=person)
    email = email.strip()
    if _email_taken(email=email, exclude=person):
        raise _email_taken_error(email)
    person.name = name.strip()
    person.email = email
    person.organisation = organisation
    person.title = title.strip()
    person.phone = phone.strip()
    person.language = language
    _save_person(person)
    if membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    return person


@transaction.atomic
def remove_person_from_network(*, network: Network, person: Person) -> None:
    """End a person's membership of a network. The person (and their other memberships)
    stay."""
    PersonMembership.objects.filter(network=network, person=person).delete()
