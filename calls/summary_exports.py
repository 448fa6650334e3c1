"""The summary of a call as XLSX (openpyxl) and as PDF (events/pdf.py, the one PDF writer).

Both read calls/summary.py's Summary, so the page, the workbook and the PDF say the same.
"""

import io
from typing import Any

from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from events.dates import format_datetime
from events.exports import XLSX_CONTENT_TYPE, spreadsheet_safe, spreadsheet_time
from events.pdf import Document

from .formatting import format_deadline
from .summary import Summary

PDF_CONTENT_TYPE = "application/pdf"
__all__ = ["PDF_CONTENT_TYPE", "XLSX_CONTENT_TYPE", "summary_filename", "summary_pdf"]


def summary_filename(summary: Summary, extension: str) -> str:
    base = slugify(summary.call.title)[:60] or "innspill-%s" % summary.call.pk
    return "%s-%s.%s" % (base, slugify(_("summary")) or "summary", extension)


def _yes_no(value: bool) -> str:
    return _("On behalf of the organisation") if value else _("Personal")


def _sheet(workbook: Workbook, title: str, header: list[str], rows: list[list[Any]]) -> None:
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([spreadsheet_safe(value) for value in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([spreadsheet_safe(value) for value in row])
    sheet.freeze_panes = "A2"


def summary_xlsx(summary: Summary) -> bytes:
    """Sheets: every answer per question; the counts per sector and per member organisation;
    the members that have not answered."""
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    answer_rows = []
    for group in summary.questions:
        for entry in group.entries:
            answer = entry.answer
            answer_rows.append(
                [
                    group.question.text,
                    answer.name,
                    answer.organisation_display,
                    answer.organisation.get_sector_display() if answer.organisation else "",
                    _yes_no(answer.on_behalf),
                    spreadsheet_time(answer.submitted_at),
                    answer.get_status_display(),
                    entry.text,
                ]
            )
    _sheet(
        workbook,
        _("Answers"),
        [
            _("Question"),
            _("Name"),
            _("Organisation"),
            _("Sector"),
            _("On behalf or personal"),
            _("Submitted"),
            _("Status"),
            _("Answer"),
        ],
        answer_rows,
    )
    sheet = workbook[_("Answers")[:31]]
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["H"].width = 80
    for (cell,) in sheet.iter_rows(min_row=2, min_col=8, max_col=8):
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    _sheet(
        workbook,
        _("Per sector"),
        [_("Sector"), _("Answers")],
        [[label, count] for label, count in summary.by_sector],
    )
    _sheet(
        workbook,
        _("Per member"),
        [_("Organisation"), _("Role"), _("Answers")],
        [[m.organisation.name, m.role, m.count] for m in summary.by_member],
    )
    _sheet(
        workbook,
        _("Not answered"),
        [_("Organisation"), _("Role"), _("Sector")],
        [
            [m.organisation.name, m.role, m.organisation.get_sector_display()]
            for m in summary.not_answered
        ],
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def summary_pdf(summary: Summary) -> bytes:
    call = summary.call
    deadline = _("The deadline is %(date)s.") % {"date": format_deadline(call.closes_at)}
    document = Document(title=call.title, footer="%s · %s" % (call.title, call.host.name))
    document.heading(call.title)
    document.paragraph(
        "%s %s" % (call.host.name, "· %s" % call.network.name if call.network else ""),
        muted=True,
    )
    document.paragraph(deadline)
    document.paragraph(
        _("%(count)s answers. Made %(when)s.")
        % {"count": len(summary.answers), "when": format_datetime(summary.made_at)},  # type: ignore[arg-type]
        muted=True,
    )
    for group in summary.questions:
        document.heading(group.question.text, level=2)
        if not group.entries:
            document.paragraph(_("No answers to this question."), italic=True)
        for entry in group.entries:
            document.heading(entry.sender, level=3)
            document.paragraph(entry.text)
    document.heading(_("Answers per sector"), level=2)
    document.table(
        [_("Sector"), _("Answers")],
        [[label, count] for label, count in summary.by_sector],
        widths=[140, 34],
    )
    if summary.network is not None:
        document.heading(
            _("Member organisations of %(network)s") % {"network": summary.network.name}, level=2
        )
        document.table(
            [_("Organisation"), _("Role"), _("Answers")],
            [[m.organisation.name, m.role, m.count] for m in summary.by_member],
            widths=[110, 40, 24],
        )
        document.heading(_("Not answered"), level=3)
        if summary.not_answered:
            document.paragraph(", ".join(m.organisation.name for m in summary.not_answered))
        else:
            document.paragraph(_("Every member organisation has answered."), italic=True)
    return document.bytes()
