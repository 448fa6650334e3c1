"""The case handler's summary of a call: a printable page, XLSX and PDF (calls/summary.py)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..selectors_organiser import get_organised_call
from ..summary import call_summary
from ..summary_exports import (
    PDF_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    summary_filename,
    summary_pdf,
    summary_xlsx,
)
from .views import organiser_required


def _download(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = 'attachment; filename="%s"' % filename
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@organiser_required
def summary_page(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_organised_call(request.user, pk)
    return render(
        request, "calls/organiser/summary.html", {"call": call, "summary": call_summary(call)}
    )


@organiser_required
def summary_xlsx_download(request: HttpRequest, pk: int) -> HttpResponse:
    summary = call_summary(get_organised_call(request.user, pk))
    return _download(
        summary_xlsx(summary),
        content_type=XLSX_CONTENT_TYPE,
        filename=summary_filename(summary, "xlsx"),
    )


@organiser_required
def summary_pdf_download(request: HttpRequest, pk: int) -> HttpResponse:
    summary = call_summary(get_organised_call(request.user, pk))
    return _download(
        summary_pdf(summary),
        content_type=PDF_CONTENT_TYPE,
        filename=summary_filename(summary, "pdf"),
    )
