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

import csv
import io
import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import IO

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ...models import Language, Network, Organisation, Person, PersonMembership
from ..organisations import create_organisations

MAX_ROWS = 5000

# Column -> accepted headers, compared after _normalise_header().
COLUMNS: dict[str, set[str]] = {
    "name": {"name", "fullname", "navn", "fulltnavn", "namn"},
    "email": {"email", "emailaddress", "mail", "epost", "epostadresse"},
    "organisation": {"organisation", "organization", "organisasjon", "virksomhet", "verksemd"},
    "title": {"title", "jobtitle", "tittel", "stilling", "stillingstittel"},
    "phone": {"phone", "telephone", "mobile", "telefon", "mobil", "tlf", "telefonnummer"},
    "language": {"language", "språk", "sprak", "målform", "malform"},
    "role": {"role", "rolle"},
}
REQUIRED_COLUMNS = ("name", "email")
COLUMN_LABELS = {
    "name": gettext_lazy("name"),
    "email": gettext_lazy("email"),
    "organisation": gettext_lazy("organisation"),
    "title": gettext_lazy("title"),
    "phone": gettext_lazy("phone"),
    "language": gettext_lazy("language"),
    "role": gettext_lazy("role"),
}
LANGUAGE_VALUES = {
    **dict.fromkeys(("nb", "bokmål", "bokmal", "norskbokmål", "norwegianbokmål"), Language.BOKMAL),
    **dict.fromkeys(("nn", "nynorsk", "norsknynorsk", "norwegiannynorsk"), Language.NYNORSK),
    **dict.fromkeys(("en", "english", "engelsk"), Language.ENGLISH),
}
ROLE_VALUES = {
    **dict.fromkeys(("leader", "leder", "leiar"), PersonMembership.Role.LEADER),
    **dict.fromkeys(("member", "medlem"), PersonMembership.Role.MEMBER),
    **dict.fromkeys(("contact", "kontakt", "kontaktperson"), PersonMembership.Role.CONTACT),
}
MAX_LENGTHS = {"name": 200, "email": 254, "organisation": 200, "title": 200, "phone": 40}
PREVIEW_PEOPLE = 500  # people listed on a preview; the counts cover every row


def _normalise_header(value: str) -> str:
    return re.sub(r"[\W_]+", "", value.strip().casefold())


@dataclass
class ImportSource:
    """One CSV to read: `label` names it in the report ("the pasted list", "file x.csv")."""

    data: bytes
    label: str = ""


@dataclass
class RowProblem:
    row: int
    messages: list[str]
    source: str = ""


@dataclass
class NewOrganisation:
    """An organisation the import would add to the registry, and the rows that name it."""

    name: str
    rows: list[tuple[str, int]] = field(default_factory=list)  # (source label, row)


@dataclass
class PreviewPerson:
    name: str
    email: str
    organisation: str
    status: str  # "new", "updated" or "unchanged"
    added_to_network: bool


@dataclass
class ImportReport:
    """What an import did, or why it did nothing."""

    network: Network
    dry_run: bool = False
    errors: list[str] = field(default_factory=list)  # about the whole file
    row_problems: list[RowProblem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    added_to_network: int = 0
    already_in_network: int = 0
    new_organisations: list[NewOrganisation] = field(default_factory=list)
    organisations_confirmed: bool = False
    organisations_created: int = 0
    people: list[PreviewPerson] = field(default_factory=list)  # the first PREVIEW_PEOPLE
    person_ids: list[int] = field(default_factory=list)  # every imported person

    @property
    def has_problems(self) -> bool:
        return bool(self.errors or self.row_problems)

    @property
    def needs_confirmation(self) -> bool:
        """The file is fine but names new organisations: nothing is written until confirmed."""
        return bool(self.new_organisations) and not self.organisations_confirmed

    @property
    def only_organisations_to_confirm(self) -> bool:
        """Everything else is fine: confirming the new organisations is all that is left (the
        caller asks for their sectors instead of showing problems)."""
        return self.needs_confirmation and not self.has_problems

    @property
    def ok(self) -> bool:
        return not self.has_problems and not self.needs_confirmation


@dataclass
class _Row:
    number: int
    name: str
    email: str
    organisation: Organisation | None
    new_organisation: str | None  # casefolded key of a NewOrganisation
    title: str | None
    phone: str | None
    language: str | None
    role: str | None


class _FileError(Exception):
    pass


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _FileError(_("The file is saved as UTF-16. Save it as “CSV UTF-8” and try again."))
    if b"\x00" in data:
        raise _FileError(_("The file contains binary data. Upload a CSV file."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _FileError(
            _(
                "The file is not UTF-8 encoded (problem at byte %(position)s). "
                "In Excel, save it as “CSV UTF-8 (comma delimited)” and try again."
            )
            % {"position": error.start + 1}
        ) from error


def _sniff_delimiter(text: str) -> str:
    """The header row holds only column names, so the most frequent separator in it wins."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {delimiter: header.count(delimiter) for delimiter in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    text = _decode(data)
    if not text.strip():
        raise _FileError(_("The file is empty."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    try:
        records = [(number, row) for number, row in enumerate(reader, start=1)]
    except csv.Error as error:
        raise _FileError(
            _("The file could not be read as CSV: %(error)s") % {"error": error}
        ) from error
    records = [(number, row) for number, row in records if any(cell.strip() for cell in row)]
    if not records:
        raise _FileError(_("The file is empty."))
    (_header_number, header), *rows = records
    return header, rows


def _rows_from_mappings(
    rows: Sequence[Mapping[str, str | None]],
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    header: list[str] = []
    for row in rows:
        header.extend(key for key in row if key not in header)
    return header, [
        (number, [row.get(key) or "" for key in header]) for number, row in enumerate(rows, 2)
    ]


def _map_columns(header: list[str], report: ImportReport) -> dict[str, int]:
    by_alias = {alias: column for column, aliases in COLUMNS.items() for alias in aliases}
    positions: dict[str, int] = {}
    for position, title in enumerate(header):
        column = by_alias.get(_normalise_header(title))
        if column is None:
            if title.strip():
                report.ignored_columns.append(title.strip())
        elif column in positions:
            raise _FileError(
                _("The column “%(column)s” appears more than once.") % {"column": title.strip()}
            )
        else:
            positions[column] = position
    missing = [str(COLUMN_LABELS[c]) for c in REQUIRED_COLUMNS if c not in positions]
    if missing:
        raise _FileError(
            _(
                "The header row lacks the required columns: %(columns)s. The first row must "
                "name the columns, for example: name;email;organisation;title;phone;language."
            )
            % {"columns": ", ".join(missing)}
        )
    return positions


class _OrganisationIndex:
    def __init__(self) -> None:
        self.by_name: dict[str, Organisation] = {}
        self.by_short_name: dict[str, list[Organisation]] = defaultdict(list)
        for organisation in Organisation.objects.all():
            self.by_name[organisation.name.casefold()] = organisation
            if organisation.short_name:
                self.by_short_name[organisation.short_name.casefold()].append(organisation)

    def find(self, value: str) -> tuple[Organisation | None, str | None]:
        key = value.casefold()
        if key in self.by_name:
            return self.by_name[key], None
        matches = self.by_short_name.get(key, [])
        if len(matches) == 1:
            return matches[0], None
        if matches:
            return None, _("The organisation “%(value)s” is ambiguous; use its full name.") % {
                "value": value
            }
        return None, None


@dataclass
class _Parsed:
    source: str
    positions: dict[str, int]
    width: int
    records: list[tuple[int, list[str]]]


@dataclass
class _Seen:
    """What the rows read so far hold, across sources."""

    organisations: _OrganisationIndex = field(default_factory=_OrganisationIndex)
    first_row_of_email: dict[str, tuple[str, int]] = field(default_factory=dict)
    new_organisations: dict[str, NewOrganisation] = field(default_factory=dict)


def _validate_rows(parsed: _Parsed, seen: _Seen, report: ImportReport) -> list[_Row]:
    positions, width, source = parsed.positions, parsed.width, parsed.source
    first_row_of_email = seen.first_row_of_email
    valid: list[_Row] = []
    for number, cells in parsed.records:
        messages: list[str] = []

        def cell(column: str, cells: list[str] = cells) -> str | None:
            position = positions.get(column)
            if position is None or position >= len(cells):
                return None
            return cells[position].strip() or None

        if any(value.strip() for value in cells[width:]):
            messages.append(_("The row has more values than the header has columns."))

        name = cell("name")
        if name is None:
            messages.append(_("The name is missing."))
        email = cell("email")
        if email is None:
            messages.append(_("The email address is missing."))
        else:
            try:
                validate_email(email)
            except ValidationError:
                messages.append(_("“%(value)s” is not a valid email address.") % {"value": email})
            else:
                key = email.lower()
                if key not in first_row_of_email:
                    first_row_of_email[key] = (source, number)
                elif first_row_of_email[key][0] == source:
                    messages.append(
                        _("The email address %(email)s is also on row %(row)s.")
                        % {"email": email, "row": first_row_of_email[key][1]}
                    )
                else:
                    other_source, other_row = first_row_of_email[key]
                    messages.append(
                        _("The email address %(email)s is also on row %(row)s of %(source)s.")
                        % {"email": email, "row": other_row, "source": other_source}
                    )
        for column, limit in MAX_LENGTHS.items():
            value = cell(column)
            if value is not None and len(value) > limit:
                messages.append(
                    _("The %(column)s is longer than %(limit)s characters.")
                    % {"column": COLUMN_LABELS[column], "limit": limit}
                )

        organisation = None
        new_organisation = None
        organisation_value = cell("organisation")
        if organisation_value is not None:
            organisation_value = " ".join(organisation_value.split())
            organisation, problem = seen.organisations.find(organisation_value)
            if problem:
                messages.append(problem)
            elif organisation is None and len(organisation_value) <= MAX_LENGTHS["organisation"]:
                new_organisation = organisation_value.casefold()

        language: str | None = None
        language_value = cell("language")
        if language_value is not None:
            language = LANGUAGE_VALUES.get(_normalise_header(language_value))
            if language is None:
                messages.append(
                    _("Unknown language “%(value)s”; use nb, nn or en.") % {"value": language_value}
                )
        role: str | None = None
        role_value = cell("role")
        if role_value is not None:
            role = ROLE_VALUES.get(_normalise_header(role_value))
            if role is None:
                messages.append(
                    _("Unknown role “%(value)s”; use leader, member or contact.")
                    % {"value": role_value}
                )

        if messages:
            report.row_problems.append(RowProblem(row=number, messages=messages, source=source))
            continue
        assert name is not None and email is not None
        if new_organisation is not None:
            assert organisation_value is not None
            pending = seen.new_organisations.setdefault(
                new_organisation, NewOrganisation(name=organisation_value)
            )
            pending.rows.append((source, number))
        valid.append(
            _Row(
                number=number,
                name=name,
                email=email,
                organisation=organisation,
                new_organisation=new_organisation,
                title=cell("title"),
                phone=cell("phone"),
                language=language,
                role=role,
            )
        )
    return valid


def _write(*, network: Network, rows: list[_Row], default_role: str, report: ImportReport) -> None:
    emails = {row.email.lower() for row in rows}
    existing: dict[str, Person] = {
        person.email.lower(): person
        for person in Person.objects.alias(email_ci=Lower("email")).filter(email_ci__in=emails)
    }
    now = timezone.now()
    to_create: list[Person] = []
    to_update: list[Person] = []
    people: list[tuple[_Row, Person]] = []
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


def _parse(
    *,
    rows: Sequence[Mapping[str, str | None]] | None,
    file: bytes | IO[bytes] | None,
    sources: Sequence[ImportSource] | None,
    report: ImportReport,
) -> list[_Parsed]:
    """Every source's header and rows; a problem with a whole source goes to report.errors,
    named by the source when there are several."""
    if sources is None:
        if file is not None:
            sources = [ImportSource(data=file if isinstance(file, bytes) else file.read())]
        else:
            sources = []
    # (label, a function giving the header and the numbered rows): files first, then mappings.
    readers: list[tuple[str, Callable[[], tuple[list[str], list[tuple[int, list[str]]]]]]]
    readers = [(source.label, partial(_read_csv, source.data)) for source in sources]
    if rows is not None:
        readers.append(("", partial(_rows_from_mappings, rows)))
    parsed: list[_Parsed] = []
    for label, read in readers:
        try:
            header, records = read()
            positions = _map_columns(header, report)
            if not records:
                raise _FileError(_("The file has a header row but no people."))
        except _FileError as error:
            if label:
                report.errors.append(
                    _("%(source)s: %(problem)s") % {"source": label, "problem": error}
                )
            else:
                report.errors.append(str(error))
            continue
        parsed.append(_Parsed(label, positions, len(header), records))
    total = sum(len(p.records) for p in parsed)
    if total > MAX_ROWS:
        report.errors.append(
            _("The file has %(count)s rows; at most %(limit)s can be imported at once.")
            % {"count": total, "limit": MAX_ROWS}
        )
    return parsed


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
    parsed = _parse(rows=rows, file=file, sources=sources, report=report)
    if report.errors:
        return report

    report.rows = sum(len(p.records) for p in parsed)
    seen = _Seen()
    valid = [row for source in parsed for row in _validate_rows(source, seen, report)]
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
