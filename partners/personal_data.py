"""The register's personal data provider (personaldata/registry.py): the person's entry in
the register of people and their network memberships.

Erasure deletes the entry and its memberships (registrations, invitations and opt-outs that
pointed to it keep their own rows, anonymised by their apps), and empties the admin's log
lines about it, which name the person.
"""

import datetime as dt

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from personaldata.registry import Item, Provider, Record, Section, Tally, register_provider

from .models import Person, PersonMembership


def collect(email: str) -> list[Section]:
    people = (
        Person.objects.filter(email__iexact=email.strip())
        .select_related("organisation")
        .prefetch_related("memberships__network")
        .order_by("pk")
    )
    return [
        Section(
            "people",
            _("Your entry in the register of people"),
            [
                Record(
                    heading=person.name,
                    items=[
                        Item("name", _("Name"), person.name),
                        Item("email", _("Email"), person.email),
                        Item("phone", _("Mobile phone"), person.phone),
                        Item(
                            "organisation",
                            _("Organisation"),
                            person.organisation.name if person.organisation else "",
                        ),
                        Item("title", _("Job title or role"), person.title),
                        Item(
                            "language", _("Language for emails"), str(person.get_language_display())
                        ),
                        Item(
                            "networks",
                            _("Networks"),
                            [
                                "%s (%s)" % (m.network.name, m.get_role_display())
                                for m in person.memberships.all()
                            ],
                        ),
                        Item("added_at", _("Added"), person.created_at),
                    ],
                )
                for person in people
            ],
        )
    ]


def erase(email: str, now: dt.datetime) -> list[Tally]:
    people = list(Person.objects.filter(email__iexact=email.strip()).values_list("pk", flat=True))
    memberships = PersonMembership.objects.filter(person_id__in=people).count()
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Person),
        object_id__in=[str(pk) for pk in people],
    ).update(object_repr="–", change_message="")
    Person.objects.filter(pk__in=people).delete()
    return [
        Tally("people_deleted", _("Entries in the register of people deleted"), len(people)),
        Tally("memberships_deleted", _("Network memberships deleted"), memberships),
    ]


PROVIDER = register_provider(Provider(name="partners", collect=collect, erase=erase))
