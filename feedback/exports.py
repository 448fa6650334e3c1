"""A survey's results as XLSX (openpyxl): a sheet of counts per question and option (with the
earlier event's counts beside them) and a sheet of the free-text answers. It reads
feedback/results.py's SurveyResults, so the page and the workbook say the same; every cell goes
through events.exports.spreadsheet_safe (a text starting with "=" is never a formula)."""

import io
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from events.exports import XLSX_CONTENT_TYPE, spreadsheet_safe

from .results import SurveyResults


def _sheet(workbook: Workbook, title: str, header: list[str], rows: list[list[Any]]) -> None:
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([spreadsheet_safe(value) for value in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([spreadsheet_safe(value) for value in row])
    sheet.freeze_panes = "A2"


def results_workbook(results: SurveyResults) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    count_rows: list[list[Any]] = [
        [_("Response rate"), "", results.answered, results.invited, results.response_rate, "", ""]
    ]
    text_rows: list[list[Any]] = []
    for result in results.questions:
        earlier = {o.label: o for o in result.earlier.options} if result.earlier else {}
        for option in result.options:
            before = earlier.get(option.label)
            count_rows.append(
                [
                    result.question.text,
                    option.label,
                    option.count,
                    result.answered,
                    option.share,
                    before.count if before else "",
                    result.earlier.event_title if result.earlier else "",
                ]
            )
        if result.average is not None:
            count_rows.append(
                [
                    result.question.text,
                    _("Average"),
                    result.average,
                    result.answered,
                    "",
                    result.earlier.average if result.earlier else "",
                    result.earlier.event_title if result.earlier else "",
                ]
            )
        text_rows += [[result.question.text, text] for text in result.texts]
    _sheet(
        workbook,
        _("Counts"),
        [
            _("Question"),
            _("Answer"),
            _("Count"),
            _("Answered the question"),
            _("Share (%)"),
            _("Earlier event: count"),
            _("Earlier event"),
        ],
        count_rows,
    )
    _sheet(workbook, _("Free text"), [_("Question"), _("Answer")], text_rows)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def results_xlsx(results: SurveyResults, *, filename: str) -> HttpResponse:
    response = HttpResponse(results_workbook(results), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="%s"' % filename
    return response
