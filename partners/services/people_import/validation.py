"""Checking each row: required values, email, lengths, organisation, language and role."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from ...models import Language, Organisation, PersonMembership
from .reading import COLUMN_LABELS, ParsedSource, normalise_header
from .report import ImportReport, NewOrganisation, RowProblem

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


@dataclass
class ValidRow:
    number: int
    name: str
    email: str
    organisation: Organisation | None
    new_organisation: str | None  # casefolded key of a NewOrganisation
    title: str | None
    phone: str | None
    language: str | None
    role: str | None


class OrganisationIndex:
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
class SeenRows:
    """What the rows read so far hold, across sources."""

    organisations: OrganisationIndex = field(default_factory=OrganisationIndex)
    first_row_of_email: dict[str, tuple[str, int]] = field(default_factory=dict)
    new_organisations: dict[str, NewOrganisation] = field(default_factory=dict)


def validate_rows(parsed: ParsedSource, seen: SeenRows, report: ImportReport) -> list[ValidRow]:
    """The rows of one source that pass every check; the others go to report.row_problems."""
    positions, width, source = parsed.positions, parsed.width, parsed.source
    first_row_of_email = seen.first_row_of_email
    valid: list[ValidRow] = []
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
            language = LANGUAGE_VALUES.get(normalise_header(language_value))
            if language is None:
                messages.append(
                    _("Unknown language “%(value)s”; use nb, nn or en.") % {"value": language_value}
                )
        role: str | None = None
        role_value = cell("role")
        if role_value is not None:
            role = ROLE_VALUES.get(normalise_header(role_value))
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
            ValidRow(
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
