"""Calendar downloads and subscription feeds (METHOD:PUBLISH), with ETag and Last-Modified,
and their URLs (mounted at /kalender/, namespace feeds)."""

from collections.abc import Sequence
from datetime import datetime

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from partners.models import Network

from .calendar.publish import feed_etag, publish
from .models import Event, Registration
from .selectors.public import public_events

CONTENT_TYPE = "text/calendar; charset=utf-8"


def _calendar_response(
    request: HttpRequest,
    *,
    events: Sequence[Event],
    name: str,
    include_meeting_link: bool = False,
    modified: Sequence[datetime] = (),
    cache_control: str = "no-cache",
    filename: str = "",
) -> HttpResponse:
    """Answer 304 when the client's copy is current; otherwise render the calendar."""
    stamps = [event.updated_at for event in events] + list(modified)
    last_modified = max(stamps) if stamps else None
    etag = feed_etag(
        name,
        include_meeting_link,
        [(event.pk, event.sequence, event.status, event.updated_at) for event in events],
        sorted(modified),
    )
    response = HttpResponse(content_type=CONTENT_TYPE)
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    response["Cache-Control"] = cache_control
    if filename:
        response["Content-Disposition"] = 'attachment; filename="%s"' % filename
    conditional = get_conditional_response(
        request,
        etag=etag,
        last_modified=int(last_modified.timestamp()) if last_modified else None,
        response=response,
    )
    if conditional is not None and conditional is not response:
        return conditional
    response.content = publish(
        events=events, name=name, include_meeting_link=include_meeting_link
    ).encode("utf-8")
    return response


@require_safe
def event_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    """One event as a downloadable .ics; drafts do not exist for the public."""
    event = get_object_or_404(public_events(), pk=pk)
    return _calendar_response(
        request,
        events=[event],
        name=event.title,
        filename="%s.ics" % (slugify(event.title) or "arrangement"),
    )


@require_safe
def network_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    """A network's published and cancelled events, for subscription (webcal)."""
    network = get_object_or_404(Network.objects.only("pk", "name"), slug=slug)
    events = list(public_events().filter(network=network))
    return _calendar_response(request, events=events, name=network.name)


@require_safe
def personal_calendar(request: HttpRequest, token: str) -> HttpResponse:
    """The token holder's confirmed events, with the meeting links.

    A registration's token reaches the browser of whoever filled in the form, and nobody has
    proved they own that address. So the feed lists only registrations known to belong to the
    same person: those linked to one registry person (through an invitation sent to them), or
    else this registration alone; never everything registered under an email address.
    """
    owner = (
        Registration.objects.filter(token=token, anonymised_at__isnull=True)
        .only("pk", "person_id", "language")
        .first()
    )
    if owner is None:
        raise Http404
    same_person = Q(pk=owner.pk) | (Q(person_id=owner.person_id) if owner.person_id else Q())
    registrations = list(
        Registration.objects.filter(
            same_person,
            status=Registration.Status.CONFIRMED,
            event__status__in=Event.PUBLIC_STATUSES,
        )
        .select_related("event")
        .order_by("event__starts_at", "event_id")
    )
    # An email may hold several registrations for one event over time; list the event once.
    events = list({reg.event_id: reg.event for reg in registrations}.values())
    with translation.override(owner.language):
        name = _("My events")
    return _calendar_response(
        request,
        events=events,
        name=name,
        include_meeting_link=True,
        modified=[registration.updated_at for registration in registrations],
        cache_control="private, no-cache",
    )


app_name = "feeds"
urlpatterns = [
    path("arrangement/<int:pk>.ics", event_calendar, name="event"),
    path("nettverk/<slug:slug>.ics", network_calendar, name="network"),
    path("person/<str:token>.ics", personal_calendar, name="person"),
]
