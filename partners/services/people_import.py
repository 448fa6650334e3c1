"""Import people into a network from a CSV file: all or nothing, with a per-row report.

Excel in Norway saves CSV with semicolons; other tools use commas. Both are accepted, with or
without a UTF-8 byte order mark, and headers may be Norwegian or English in any case.
"""

import csv
import io
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Language, Network, Organisation, Person, PersonMembership

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
MAX_LENGTHS = {"name": 200, "email": 254, "title": 200, "phone": 40}


def _normalise_header(value: str) -> str:
    return re.sub(r"[\W_]+", "", value.strip().casefold())


@dataclass
class RowProblem:
    row: int
    messages: list[str]


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

    @property
    def ok(self) -> bool:
        return not self.errors and not self.row_problems


@dataclass
class _Row:
    number: int
    name: str
    email: str
    organisation: Organisation | None
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
        return None, _("Unknown organisation “%(value)s”.") % {"value": value}


def _validate_rows(
    rows: list[tuple[int, list[str]]], positions: dict[str, int], width: int, report: ImportReport
) -> list[_Row]:
    organisations = _OrganisationIndex()
    first_row_of_email: dict[str, int] = {}
    valid: list[_Row] = []
    for number, cells in rows:
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
                if key in first_row_of_email:
                    messages.append(
                        _("The email address %(email)s is also on row %(row)s.")
                        % {"email": email, "row": first_row_of_email[key]}
                    )
                else:
                    first_row_of_email[key] = number
        for column, limit in MAX_LENGTHS.items():
            value = cell(column)
            if value is not None and len(value) > limit:
                messages.append(
                    _("The %(column)s is longer than %(limit)s characters.")
                    % {"column": COLUMN_LABELS[column], "limit": limit}
                )

        organisation = None
        organisation_value = cell("organisation")
        if organisation_value is not None:
            organisation, problem = organisations.find(organisation_value)
            if problem:
                messages.append(problem)

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
            report.row_problems.append(RowProblem(row=number, messages=messages))
            continue
        assert name is not None and email is not None
        valid.append(
            _Row(
                number=number,
                name=name,
                email=email,
                organisation=organisation,
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
            else:
                report.unchanged += 1
        people.append((row, person))
    Person.objects.bulk_create(to_create)
    Person.objects.bulk_update(
        to_update, ["name", "organisation", "title", "phone", "language", "updated_at"]
    )
    report.created, report.updated = len(to_create), len(to_update)

    memberships = {
        membership.person_id: membership
        for membership in PersonMembership.objects.filter(
            network=network, person__in=[person for _row, person in people if person.pk]
        )
    }
    new_memberships: list[PersonMembership] = []
    changed_memberships: list[PersonMembership] = []
    for row, person in people:
        membership = memberships.get(person.pk)
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


@transaction.atomic  # not durable: a send-out imports new people in its own transaction
def import_people(
    *,
    network: Network,
    rows: Sequence[Mapping[str, str | None]] | None = None,
    file: bytes | IO[bytes] | None = None,
    default_role: str = PersonMembership.Role.MEMBER,
    dry_run: bool = False,
) -> ImportReport:
    """Import people into a network from CSV bytes or from mappings keyed by column header.

    Validates every row first; if anything is wrong nothing is written and the report says
    which rows and why. A known email (any case) updates that person instead of adding another.
    """
    if (rows is None) == (file is None):
        raise TypeError("import_people needs exactly one of rows= or file=")
    if default_role not in PersonMembership.Role.values:
        raise ValueError("unknown role %r" % default_role)
    report = ImportReport(network=network, dry_run=dry_run)
    try:
        if file is not None:
            data = file if isinstance(file, bytes) else file.read()
            header, records = _read_csv(data)
        else:
            assert rows is not None
            header, records = _rows_from_mappings(rows)
        positions = _map_columns(header, report)
        if not records:
            raise _FileError(_("The file has a header row but no people."))
        if len(records) > MAX_ROWS:
            raise _FileError(
                _("The file has %(count)s rows; at most %(limit)s can be imported at once.")
                % {"count": len(records), "limit": MAX_ROWS}
            )
    except _FileError as error:
        report.errors.append(str(error))
        return report

    report.rows = len(records)
    valid = _validate_rows(records, positions, len(header), report)
    if not report.ok:
        return report
    try:
        with transaction.atomic():
            _write(network=network, rows=valid, default_role=default_role, report=report)
            # A dry run counts exactly what would happen, then takes it back.
            if dry_run:
                transaction.set_rollback(True)
    except IntegrityError:
        # Someone else added one of these people at the same moment.
        report.created = report.updated = report.unchanged = 0
        report.added_to_network = report.already_in_network = 0
        report.errors.append(
            _("Someone changed the same people while the file was imported. Try again.")
        )
    return report
