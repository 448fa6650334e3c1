"""Organiser pages for the events themselves: the list, create, edit, publish and cancel.

Every view in the organiser area is organiser_required and scoped to the events the user's
roles cover: anything else is a 404.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from partners.permissions import organiser_required
from partners.selectors import organised_networks

from ...charts import Bar, column_bars
from ...dates import format_date
from ...models import Event
from ...selectors.organiser import (
    EventFilter,
    attendee_counts,
    filter_events,
    get_organised_event,
    organised_events,
    with_registration_counts,
)
from ...selectors.overview import DayCount, registrations_per_day, registrations_per_member
from ...services import organising
from ..forms import CancelEventForm, EventForm
from .common import apply_errors, error_messages, post_only

EVENTS_PER_PAGE = 50


# Events ---------------------------------------------------------------------------------------


@organiser_required
def event_list(request: HttpRequest) -> HttpResponse:
    when_choices = [
        (EventFilter.UPCOMING, _("Upcoming")),
        (EventFilter.PAST, _("Past")),
        (EventFilter.DRAFT, _("Drafts")),
        (EventFilter.CANCELLED, pgettext_lazy("event status", "Cancelled")),
        (EventFilter.ALL, _("All")),
    ]
    when = request.GET.get("when", EventFilter.UPCOMING)
    if when not in dict(when_choices):
        when = EventFilter.UPCOMING
    networks = list(organised_networks(request.user).order_by("kind", "name"))
    network_id: int | None = None
    raw_network = request.GET.get("network", "")
    if raw_network.isdigit() and any(n.pk == int(raw_network) for n in networks):
        network_id = int(raw_network)
    events = with_registration_counts(
        filter_events(organised_events(request.user), when=when, network_id=network_id)
    )
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    query = {"when": when, **({"network": network_id} if network_id else {})}
    return render(
        request,
        "events/organiser/event_list.html",
        {
            "page": page,
            "events": page.object_list,
            "when": when,
            "when_choices": when_choices,
            "networks": networks,
            "network_id": network_id,
            "query": urlencode(query),
        },
    )


@organiser_required
def event_create(request: HttpRequest) -> HttpResponse:
    form = EventForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            event = organising.create_event(by_user=request.user, values=form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The event was created as a draft."))
            return redirect("events_organiser:detail", pk=event.pk)
    return render(request, "events/organiser/event_form.html", {"form": form, "event": None})


@organiser_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    sessions = list(event.sessions.annotate(signups=Count("choices")).order_by("starts_at", "id"))
    days = registrations_per_day(event)
    return render(
        request,
        "events/organiser/event_detail.html",
        {
            "event": event,
            "counts": attendee_counts(event),
            "sessions": sessions,
            "question_count": event.questions.count(),
            "days": days,
            "days_chart": _days_chart(days),
            "members": registrations_per_member(event),
        },
    )


def _days_chart(days: list[DayCount]) -> str:
    if not days:
        return ""
    bars = [
        Bar(label=format_date(day.day, weekday=False), value=day.total, shown=str(day.total))
        for day in days
    ]
    return column_bars(bars, title=_("Registrations received, cumulative per day"))


@organiser_required
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    if event.status == Event.Status.CANCELLED:
        messages.error(request, _("A cancelled event cannot be changed."))
        return redirect("events_organiser:detail", pk=event.pk)
    form = EventForm(request.POST or None, instance=event, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            changes = organising.change_event(
                event=event, by_user=request.user, values=form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The event was saved."))
            if changes and event.status == Event.Status.PUBLISHED:
                messages.info(
                    request,
                    _("Confirmed participants get an updated calendar invitation."),
                )
            return redirect("events_organiser:detail", pk=event.pk)
    return render(request, "events/organiser/event_form.html", {"form": form, "event": event})


@organiser_required
def event_publish(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    if refused := post_only(request):
        return refused
    try:
        organising.publish_event(event=event, by_user=request.user)
    except ValidationError as error:
        messages.error(request, error_messages(error))
    else:
        messages.success(request, _("The event is published."))
    return redirect("events_organiser:detail", pk=event.pk)


@organiser_required
def event_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    if event.status == Event.Status.CANCELLED:
        messages.error(request, _("This event is already cancelled."))
        return redirect("events_organiser:detail", pk=event.pk)
    form = CancelEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organising.cancel_event(
                event=event, by_user=request.user, message=form.cleaned_data["message"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The event is cancelled and the participants are told."))
            return redirect("events_organiser:detail", pk=event.pk)
    counts = attendee_counts(event)
    return render(
        request,
        "events/organiser/event_cancel.html",
        {"event": event, "form": form, "counts": counts},
    )
