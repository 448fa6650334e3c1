"""The data pages: ask for the data link from a personal page, see the data, download it as
JSON, and ask for it to be erased. A GET never writes."""

import datetime as dt
import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import services
from .forms import ErasureForm
from .registry import Section, Value, resolve_link
from .services import ErasureOutcome


def _shown(value: Value) -> tuple[str, Value]:
    """How the page shows a value: its kind for the template, and the value."""
    if isinstance(value, bool):
        return "text", _("Yes") if value else _("No")
    if value is None or value == "" or value == []:
        return "text", "–"
    if isinstance(value, list):
        return "list", value
    if isinstance(value, dt.datetime):
        return "datetime", value
    if isinstance(value, dt.date):
        return "date", value
    return "text", value


def _page_sections(sections: list[Section]) -> list[dict[str, Any]]:
    return [
        {
            "key": section.key,
            "title": section.title,
            "records": [
                {
                    "heading": record.heading,
                    "items": [(item.label, *_shown(item.value)) for item in record.items],
                }
                for record in section.records
            ],
        }
        for section in sections
    ]


def _invalid(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "personaldata/invalid.html", {"message": message}, status=404)


def _personal_link_invalid(request: HttpRequest) -> HttpResponse:
    return _invalid(
        request,
        _(
            "This personal link does not lead anywhere any more. Check that you copied the "
            "whole link from the email."
        ),
    )


def _data_link_invalid(request: HttpRequest) -> HttpResponse:
    return _invalid(
        request,
        _(
            "This link to your data has expired or has been used. Ask for a new one from the "
            "page your personal link leads to."
        ),
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def request_link(request: HttpRequest, kind: str, token: str) -> HttpResponse:
    holder = resolve_link(kind, token)
    if holder is None:
        return _personal_link_invalid(request)
    context = {"holder": holder, "kind": kind, "token": token}
    if request.method == "POST":
        services.request_data_link(holder=holder)
        # The same answer whether or not the hourly limit held the email back.
        return render(request, "personaldata/link_sent.html", context)
    return render(request, "personaldata/request_link.html", context)


@never_cache
@require_http_methods(["GET", "HEAD"])
def overview(request: HttpRequest, token: str) -> HttpResponse:
    grant = services.grant_by_token(token=token)
    if grant is None:
        return _data_link_invalid(request)
    sections = services.collect_personal_data(email=grant.email)
    return render(
        request,
        "personaldata/overview.html",
        {
            "grant": grant,
            "sections": _page_sections(sections),
            "empty": not any(s.records for s in sections),
        },
    )


@never_cache
@require_http_methods(["GET", "HEAD"])
def download(request: HttpRequest, token: str) -> HttpResponse:
    grant = services.grant_by_token(token=token)
    if grant is None:
        return _data_link_invalid(request)
    now = timezone.now()
    sections = services.collect_personal_data(email=grant.email)
    document = services.export_document(email=grant.email, sections=sections, now=now)
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="personal-data-%s.json"' % (
        timezone.localdate(now).isoformat()
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def erase(request: HttpRequest, token: str) -> HttpResponse:
    grant = services.grant_by_token(token=token)
    if grant is None:
        return _data_link_invalid(request)
    form = ErasureForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        result = services.erase_personal_data(token=token)
        if result.outcome is ErasureOutcome.INVALID:
            return _data_link_invalid(request)
        tallies = [t for t in result.tallies if t.count]
        return render(request, "personaldata/erased.html", {"tallies": tallies})
    status = 400 if request.method == "POST" else 200
    return render(
        request, "personaldata/erase_confirm.html", {"grant": grant, "form": form}, status=status
    )
