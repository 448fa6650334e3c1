"""Attendee and catering lists as CSV (Norwegian Excel: UTF-8 with BOM, semicolons) and XLSX.

Each export costs a fixed number of queries however many rows it has. Dietary and assistance
needs appear only in the catering export, never in the general one (DESIGN rule 8).
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .models import Event, Question, Registration

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_PHONE_LIKE = re.compile(r"^[+\-][\d\s]+$")


def spreadsheet_time(value: datetime | None) -> datetime | None:
    """Oslo wall-clock time without a zone: spreadsheets have no time zones."""
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None)


def _answer_text(value: Any) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if value is None:
        return ""
    return str(value)


def attendee_table(
    event: Event, registrations: QuerySet[Registration]
) -> tuple[list[str], Iterator[list[Any]]]:
    """Header and rows of the general attendee export.

    `registrations` must come from selectors.organiser.attendees(..., with_details=True).
    """
    questions = list(Question.objects.filter(event=event).order_by("position", "id"))
    has_sessions = event.sessions.filter(requires_signup=True).exists()
    header = [
        _("Name"),
        _("Email"),
        _("Organisation"),
        _("Title"),
        _("Phone"),
        _("Language"),
        _("Status"),
        _("Registered"),
        _("Checked in"),
        _("Ticket code"),
    ]
    if has_sessions:
        header.append(_("Sessions"))
    header.extend(q.label for q in questions)

    def rows() -> Iterator[list[Any]]:
        for registration in registrations.iterator(chunk_size=2000):
            row: list[Any] = [
                registration.name,
                registration.email,
                registration.organisation_display,
                registration.title,
                registration.phone,
                registration.get_language_display(),
                registration.get_status_display(),
                spreadsheet_time(registration.created_at),
                spreadsheet_time(registration.checked_in_at),
                registration.ticket_code,
            ]
            if has_sessions:
                row.append(
                    "; ".join(choice.session.title for choice in registration.session_choices.all())
                )
            answers = {a.question_id: a.value for a in registration.answers.all()}
            row.extend(_answer_text(answers.get(q.pk)) for q in questions)
            yield row

    return header, rows()


def special_needs_table(
    registrations: QuerySet[Registration],
) -> tuple[list[str], Iterator[list[Any]]]:
    """Header and rows of the catering and assistance list (consented needs only)."""
    header = [
        _("Name"),
        _("Organisation"),
        _("Status"),
        _("Dietary needs"),
        _("Assistance needs"),
    ]

    def rows() -> Iterator[list[Any]]:
        for registration in registrations.iterator(chunk_size=2000):
            yield [
                registration.name,
                registration.organisation_display,
                registration.get_status_display(),
                registration.dietary_needs if registration.dietary_consent else "",
                registration.assistance_needs if registration.assistance_consent else "",
            ]

    return header, rows()


# CSV ------------------------------------------------------------------------------------------


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    text = str(value)
    # Spreadsheet formula injection: a leading =, +, -, @ makes Excel evaluate the cell.
    if text[:1] in ("=", "@", "\t", "\r") or (
        text[:1] in ("+", "-") and not _PHONE_LIKE.match(text)
    ):
        return "'" + text
    return text


def csv_response(*, header: list[str], rows: Iterable[list[Any]], filename: str) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # BOM: Excel then reads UTF-8, not Windows-1252
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([_csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="%s"' % filename
    return response


# XLSX -----------------------------------------------------------------------------------------


def spreadsheet_safe(value: Any) -> Any:
    """An XLSX cell value shown as text, never run: openpyxl stores a string that starts with
    "=" as a formula; other strings are stored as text (CSV cells go through _csv_cell)."""
    if isinstance(value, str) and value.startswith("="):
        return "'" + value
    return value


def xlsx_response(
    *, header: list[str], rows: Iterable[list[Any]], filename: str, sheet_title: str
) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(sheet_title))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for title in header:
        cell = WriteOnlyCell(sheet, value=spreadsheet_safe(title))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([spreadsheet_safe(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="%s"' % filename
    return response


def _sheet_title(title: str) -> str:
    # Excel: at most 31 characters, none of []:*?/\
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", title).strip()
    return cleaned[:31] or "Sheet"


def export_filename(event: Event, what: str, extension: str) -> str:
    base = slugify(event.title)[:60] or "event-%s" % event.pk
    return "%s-%s.%s" % (base, slugify(what) or "list", extension)
