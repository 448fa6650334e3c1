"""What an import is given and what it answers: sources, the report, its problems and people."""

from dataclasses import dataclass, field

from ...models import Network


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
