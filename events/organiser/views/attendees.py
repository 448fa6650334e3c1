"""Organiser pages for an event's attendees: the list, exports, the door list, promoting from
the waiting list, and catering and assistance needs."""

from typing import TypedDict
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.permissions import organiser_required

from ... import exports
from ...models import DataAccess, Event, Registration
from ...selectors.organiser import (
    ATTENDEE_SORTS,
    DEFAULT_SORT,
    attendee_counts,
    attendees,
    get_organised_event,
    special_needs,
)
from ...services.access_log import record_data_access
from ...services.errors import RegistrationError
from ...services.waiting_list import promote_from_waiting_list
from ..forms import ATTENDEE_STATUS_CHOICES
from .common import post_only

ATTENDEES_PER_PAGE = 50


# Attendees ------------------------------------------------------------------------------------


class AttendeeFilters(TypedDict):
    search: str
    status: str
    sort: str


def _attendee_filters(request: HttpRequest) -> AttendeeFilters:
    status = request.GET.get("status", "")
    if status not in dict(ATTENDEE_STATUS_CHOICES):
        status = ""
    sort = request.GET.get("sort", DEFAULT_SORT)
    if sort not in ATTENDEE_SORTS:
        sort = DEFAULT_SORT
    return AttendeeFilters(search=request.GET.get("q", "").strip()[:200], status=status, sort=sort)


def _filter_query(filters: AttendeeFilters, **overrides: str) -> str:
    values: dict[str, str] = {
        "q": filters["search"],
        "status": filters["status"],
        "sort": filters["sort"],
    }
    values.update(overrides)
    return urlencode({k: v for k, v in values.items() if v})


@organiser_required
def attendee_list(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    filters = _attendee_filters(request)
    registrations = attendees(event, **filters)
    page = Paginator(registrations, ATTENDEES_PER_PAGE).get_page(request.GET.get("page"))
    columns = [
        ("name", _("Name")),
        ("organisation", _("Organisation")),
        ("registered", _("Registered")),
        ("status", _("Status")),
    ]
    sort_links = []
    for key, label in columns:
        current = filters["sort"].lstrip("-") == key
        descending = filters["sort"].startswith("-")
        next_sort = "-" + key if current and not descending else key
        sort_links.append(
            {
                "label": label,
                "query": _filter_query(filters, sort=next_sort),
                "aria_sort": ("descending" if descending else "ascending") if current else "",
            }
        )
    return render(
        request,
        "events/organiser/attendee_list.html",
        {
            "event": event,
            "page": page,
            "registrations": page.object_list,
            "counts": attendee_counts(event),
            "filters": filters,
            "status_choices": ATTENDEE_STATUS_CHOICES,
            "sort_links": sort_links,
            "filter_query": _filter_query(filters),
            "can_promote": event.status == Event.Status.PUBLISHED,
        },
    )


@organiser_required
def attendee_export_csv(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    record_data_access(
        request=request, kind=DataAccess.Kind.ATTENDEES_EXPORTED, event=event, detail="CSV"
    )
    header, rows = exports.attendee_table(
        event, attendees(event, **_attendee_filters(request), with_details=True)
    )
    return exports.csv_response(
        header=header, rows=rows, filename=exports.export_filename(event, _("attendees"), "csv")
    )


@organiser_required
def attendee_export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    record_data_access(
        request=request, kind=DataAccess.Kind.ATTENDEES_EXPORTED, event=event, detail="XLSX"
    )
    header, rows = exports.attendee_table(
        event, attendees(event, **_attendee_filters(request), with_details=True)
    )
    return exports.xlsx_response(
        header=header,
        rows=rows,
        filename=exports.export_filename(event, _("attendees"), "xlsx"),
        sheet_title=_("Attendees"),
    )


@organiser_required
def attendee_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The door list: confirmed participants by name, with a box to tick."""
    event = get_organised_event(request.user, pk)
    sort = request.GET.get("sort", "name")
    if sort not in ("name", "organisation"):
        sort = "name"
    registrations = attendees(event, status=Registration.Status.CONFIRMED, sort=sort)
    record_data_access(request=request, kind=DataAccess.Kind.ATTENDEES_PRINTED, event=event)
    return render(
        request,
        "events/organiser/attendee_print.html",
        {"event": event, "registrations": registrations, "printed_at": timezone.now()},
    )


@organiser_required
def attendee_promote(request: HttpRequest, pk: int, registration_id: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    registration = get_object_or_404(Registration, pk=registration_id, event=event)
    if refused := post_only(request):
        return refused
    # The service decides (Registration.can_be_promoted), with the message to show.
    try:
        promote_from_waiting_list(registration_id=registration.pk)
    except RegistrationError as error:
        messages.error(request, str(error.message))
    else:
        registration.refresh_from_db()
        messages.success(
            request,
            _("%(name)s: %(status)s.")
            % {"name": registration.name, "status": registration.get_status_display()},
        )
    back = request.POST.get("next", "")
    if not back.startswith(reverse("events_organiser:attendees", kwargs={"pk": event.pk})):
        back = reverse("events_organiser:attendees", kwargs={"pk": event.pk})
    return redirect(back)


# Catering and assistance ----------------------------------------------------------------------


@organiser_required
def special_needs_list(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    registrations = special_needs(event)
    record_data_access(request=request, kind=DataAccess.Kind.SPECIAL_NEEDS_VIEWED, event=event)
    return render(
        request,
        "events/organiser/special_needs.html",
        {"event": event, "registrations": registrations},
    )


@organiser_required
def special_needs_csv(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    record_data_access(
        request=request, kind=DataAccess.Kind.SPECIAL_NEEDS_EXPORTED, event=event, detail="CSV"
    )
    header, rows = exports.special_needs_table(special_needs(event))
    return exports.csv_response(
        header=header,
        rows=rows,
        filename=exports.export_filename(event, _("catering and assistance"), "csv"),
    )
