"""Reading: events with their agenda (public, and an organiser's own drafts), and an event's
registrations and outgoing messages (organisers)."""

from typing import Literal

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Schema
from ninja.pagination import paginate

from api.auth import OPTIONAL_AUTH_OPENAPI, optional_token_auth, token_auth
from api.errors import error_responses, not_found
from api.pagination import Pagination
from worker.models import OutgoingMessage
from worker.selectors import messages_for

from ..models import DataAccess, Event, Registration, SessionChoice
from ..schemas import (
    EventDetailOut,
    EventOut,
    EventStatus,
    MessageOut,
    RegistrationOut,
    RegistrationStatus,
)
from ..selectors.organiser import attendees
from ..selectors.public import visible_event, visible_events
from ..services.access_log import record_data_access
from .router import organised_event, router

# Events ----------------------------------------------------------------------------------------


class EventFilter(Schema):
    network: str | None = Field(None, description="Network slug.")
    kind: Literal["conference", "network_meeting", "other"] | None = None
    upcoming: bool | None = Field(None, description="Only events that have not ended.")
    past: bool | None = Field(None, description="Only events that have ended.")
    status: EventStatus | None = Field(
        None, description="Organisers only: draft and cancelled events they organise."
    )


@router.get(
    "/events",
    response={200: list[EventOut], **error_responses(401, 422)},
    auth=optional_token_auth,
    openapi_extra=OPTIONAL_AUTH_OPENAPI,
    summary="List events with their agenda",
    operation_id="events_api_list_events",
)
@paginate(Pagination)
def list_events(request: HttpRequest, filters: Query[EventFilter]) -> QuerySet[Event]:
    events = visible_events(request.user)
    now = timezone.now()
    if filters.network:
        events = events.filter(network__slug=filters.network)
    if filters.kind:
        events = events.filter(kind=filters.kind)
    if filters.upcoming is not None:
        events = (
            events.filter(ends_at__gt=now) if filters.upcoming else events.filter(ends_at__lte=now)
        )
    if filters.past is not None:
        events = events.filter(ends_at__lte=now) if filters.past else events.filter(ends_at__gt=now)
    if filters.status:
        events = events.filter(status=filters.status)
    if filters.past:
        return events.order_by("-starts_at", "-id")
    return events.order_by("starts_at", "id")


@router.get(
    "/events/{event_id}",
    response={200: EventDetailOut, **error_responses(401, 404, 422)},
    auth=optional_token_auth,
    openapi_extra=OPTIONAL_AUTH_OPENAPI,
    summary="One event with its agenda and registration questions",
    operation_id="events_api_get_event",
)
def get_event(request: HttpRequest, event_id: int) -> Event:
    return event_answer(request, event_id)


def event_answer(request: HttpRequest, event_id: int) -> Event:
    """The event as the requester may see it (an organiser: also after a change); 404 if not."""
    event = visible_event(request.user, event_id)
    if event is None:
        raise not_found()
    return event


# Registrations (organisers) --------------------------------------------------------------------


class RegistrationFilter(Schema):
    status: RegistrationStatus | Literal["checked_in", "not_checked_in"] | None = None
    search: str | None = Field(None, max_length=200, description="Name, email or organisation.")


@router.get(
    "/events/{event_id}/registrations",
    response={200: list[RegistrationOut], **error_responses(401, 403, 404, 422)},
    auth=token_auth,
    summary="The event's registrations (organisers)",
    operation_id="events_api_list_registrations",
)
@paginate(Pagination)
def list_registrations(
    request: HttpRequest, event_id: int, filters: Query[RegistrationFilter]
) -> QuerySet[Registration]:
    event = organised_event(request, event_id)
    record_data_access(request=request, kind=DataAccess.Kind.ATTENDEES_READ_BY_API, event=event)
    # The organiser pages' search and status filter, in order of registration.
    return attendees(
        event, search=filters.search or "", status=filters.status or "", sort="registered"
    ).prefetch_related(Prefetch("session_choices", queryset=SessionChoice.objects.order_by("id")))


# Outgoing messages (organisers) ----------------------------------------------------------------


class MessageFilter(Schema):
    state: (
        Literal["queued", "sending", "sent", "retrying", "failed", "skipped", "bounced"] | None
    ) = None


@router.get(
    "/events/{event_id}/messages",
    response={200: list[MessageOut], **error_responses(401, 403, 404, 422)},
    auth=token_auth,
    summary="Every email about the event and its delivery state (organisers)",
    operation_id="events_api_list_messages",
)
@paginate(Pagination)
def list_messages(
    request: HttpRequest, event_id: int, filters: Query[MessageFilter]
) -> QuerySet[OutgoingMessage]:
    event = organised_event(request, event_id)
    # The organiser pages' list: newest first, without the bodies.
    return messages_for(event_ref=event.pk, states=[filters.state] if filters.state else None)
