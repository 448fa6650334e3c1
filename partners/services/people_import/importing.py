"""Import people into a network from CSV: all or nothing, with a per-row report.

Excel in Norway saves CSV with semicolons; other tools use commas. Both are accepted, with or
without a UTF-8 byte order mark, and headers may be Norwegian or English in any case.

One import may read several sources at once (a pasted list and an uploaded file): each keeps
its own header row, problems name the source and row, and all of them are written or none.

An organisation the registry does not know is not a row problem: the report lists it under
`new_organisations`, nothing is written, and the caller asks the organiser to confirm (with a
sector for each). Called again with those names in `new_organisations`, the import adds the
organisations and the people in one transaction.
"""

from collections.abc import Mapping, Sequence
from typing import IO

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from ...models import Language, Network, Organisation, Person, PersonMembership
from ..organisations import create_organisations
from .reading import read_sources
from .report import ImportReport, ImportSource, NewOrganisation, PreviewPerson
from .validation import SeenRows, ValidRow, validate_rows

PREVIEW_PEOPLE = 500  # people listed on a preview; the counts cover every row


def _write(
    *, network: Network, rows: list[ValidRow], default_role: str, report: ImportReport
) -> None:
    emails = {row.email.lower() for row in rows}
    existing: dict[str, Person] = {
        person.email.lower(): person
        for person in Person.objects.alias(email_ci=Lower("email")).filter(email_ci__in=emails)
    }
    now = timezone.now()
    to_create: list[Person] = []
    to_update: list[Person] = []
    people: list[tuple[ValidRow, Person]] = []
    statuses: list[str] = []
    for row in rows:
        known = existing.get(row.email.lower())
        if known is None:
            person = Person(
                name=row.name,
                email=row.email,
                organisation=row.organisation,
                title=row.title or "",
                phone=row.phone or "",
                language=row.language or Language.BOKMAL,
            )
            to_create.append(person)
            statuses.append("new")
        else:
            person = known
            # Empty cells leave what we already know in place.
            changes = {
                "name": row.name,
                "organisation": row.organisation,
                "title": row.title,
                "phone": row.phone,
                "language": row.language,
            }
            changed = False
            for attribute, value in changes.items():
                if value is not None and getattr(person, attribute) != value:
                    setattr(person, attribute, value)
                    changed = True
            if changed:
                person.updated_at = now
                to_update.append(person)
                statuses.append("updated")
            else:
                report.unchanged += 1
                statuses.append("unchanged")
        people.append((row, person))
    Person.objects.bulk_create(to_create)
    Person.objects.bulk_update(
        to_update, ["name", "organisation", "title", "phone", "language", "updated_at"]
    )
    report.created, report.updated = len(to_create), len(to_update)
    report.person_ids = [person.pk for _row, person in people]

    memberships = {
        membership.person_id: membership
        for membership in PersonMembership.objects.filter(
            network=network, person__in=[person for _row, person in people if person.pk]
        )
    }
    new_memberships: list[PersonMembership] = []
    changed_memberships: list[PersonMembership] = []
    for (row, person), status in zip(people, statuses, strict=True):
        membership = memberships.get(person.pk)
        if len(report.people) < PREVIEW_PEOPLE:
            report.people.append(
                PreviewPerson(
                    name=person.name,
                    email=person.email,
                    organisation=person.organisation.name if person.organisation else "",
                    status=status,
                    added_to_network=membership is None,
                )
            )
        if membership is None:
            new_memberships.append(
                PersonMembership(network=network, person=person, role=row.role or default_role)
            )
        else:
            report.already_in_network += 1
            if row.role is not None and membership.role != row.role:
                membership.role = row.role
                changed_memberships.append(membership)
    PersonMembership.objects.bulk_create(new_memberships)
    PersonMembership.objects.bulk_update(changed_memberships, ["role"])
    report.added_to_network = len(new_memberships)


def _confirmed_sectors(
    found: list[NewOrganisation], confirmed: Mapping[str, str] | None
) -> dict[str, str] | None:
    """name -> sector for every new organisation, if the caller confirmed each of them with a
    valid sector; otherwise None (the import only previews)."""
    given = {
        " ".join(name.split()).casefold(): sector for name, sector in (confirmed or {}).items()
    }
    sectors = {}
    for organisation in found:
        sector = given.get(organisation.name.casefold())
        if sector not in Organisation.Sector.values:
            return None
        sectors[organisation.name] = sector
    return sectors


@transaction.atomic  # not durable: a send-out imports new people in its own transaction
def import_people(
    *,
    network: Network,
    rows: Sequence[Mapping[str, str | None]] | None = None,
    file: bytes | IO[bytes] | None = None,
    sources: Sequence[ImportSource] | None = None,
    default_role: str = PersonMembership.Role.MEMBER,
    dry_run: bool = False,
    new_organisations: Mapping[str, str] | None = None,
) -> ImportReport:
    """Import people into a network from CSV bytes, several CSV sources, or mappings keyed by
    column header.

    Validates every row of every source first; if anything is wrong nothing is written and the
    report says which source, row and why. A known email (any case) updates that person instead
    of adding another. Organisations the registry lacks are written only when
    `new_organisations` confirms each one (name -> sector); otherwise the report previews them.
    """
    if sum(x is not None for x in (rows, file, sources)) != 1:
        raise TypeError("import_people needs exactly one of rows=, file= or sources=")
    if default_role not in PersonMembership.Role.values:
        raise ValueError("unknown role %r" % default_role)
    report = ImportReport(network=network, dry_run=dry_run)
    parsed = read_sources(rows=rows, file=file, sources=sources, report=report)
    if report.errors:
        return report

    report.rows = sum(len(p.records) for p in parsed)
    seen = SeenRows()
    valid = [row for source in parsed for row in validate_rows(source, seen, report)]
    report.new_organisations = list(seen.new_organisations.values())
    if report.has_problems:
        return report
    sectors = _confirmed_sectors(report.new_organisations, new_organisations)
    report.organisations_confirmed = sectors is not None
    try:
        with transaction.atomic():
            # Unconfirmed, the organisations are made only to count what would happen.
            created = create_organisations(
                sectors=sectors
                or {o.name: Organisation.Sector.PUBLIC for o in report.new_organisations}
            )
            by_key = {organisation.name.casefold(): organisation for organisation in created}
            for row in valid:
                if row.new_organisation is not None:
                    row.organisation = by_key[row.new_organisation]
            report.organisations_created = len(created)
            _write(network=network, rows=valid, default_role=default_role, report=report)
            # A dry run or a preview counts exactly what would happen, then takes it back.
            if dry_run or report.needs_confirmation:
                transaction.set_rollback(True)
    except IntegrityError:
        # Someone else added one of these people at the same moment.
        report.created = report.updated = report.unchanged = 0
        report.added_to_network = report.already_in_network = report.organisations_created = 0
        report.people, report.person_ids = [], []
        report.errors.append(
            _("Someone changed the same people while the file was imported. Try again.")
        )
    except ValidationError as error:  # an organisation added by someone else meanwhile
        report.people, report.person_ids = [], []
        report.errors.extend(error.messages)
    return report
