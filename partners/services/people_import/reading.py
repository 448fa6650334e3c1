"""Reading the sources: encoding, delimiter, the header row and which columns it names."""

import csv
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import IO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .report import ImportReport, ImportSource

MAX_ROWS = 5000

# Column -> accepted headers, compared after normalise_header().
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


def normalise_header(value: str) -> str:
    return re.sub(r"[\W_]+", "", value.strip().casefold())


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
        column = by_alias.get(normalise_header(title))
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


@dataclass
class ParsedSource:
    """One source read: where each column is, how wide the header is, and its numbered rows."""

    source: str
    positions: dict[str, int]
    width: int
    records: list[tuple[int, list[str]]]


def read_sources(
    *,
    rows: Sequence[Mapping[str, str | None]] | None,
    file: bytes | IO[bytes] | None,
    sources: Sequence[ImportSource] | None,
    report: ImportReport,
) -> list[ParsedSource]:
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
    parsed: list[ParsedSource] = []
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
        parsed.append(ParsedSource(label, positions, len(header), records))
    total = sum(len(p.records) for p in parsed)
    if total > MAX_ROWS:
        report.errors.append(
            _("The file has %(count)s rows; at most %(limit)s can be imported at once.")
            % {"count": total, "limit": MAX_ROWS}
        )
    return parsed
