"""Events, their agenda, registrations, check-in and outgoing messages.

Endpoints parse input, call one service and render; who may see what comes from the same
selectors as the HTML organiser area.
"""

from typing import Any, Literal

from django.db.models import BooleanField, Case, Prefetch, Q, QuerySet, Value, When
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from partners.api_common import (
    OPTIONAL_AUTH_OPENAPI,
    Pagination,
    error_responses,
    forbidden,
    not_found,
    optional_token_auth,
    token_auth,
)
from partners.selectors import organised_hosts, organised_networks
from worker.models import OutgoingMessage

from .models import Event, Registration, Session, SessionChoice
from .schemas import (
    EventDetailOut,
    EventOut,
    EventStatus,
    MessageOut,
    RegistrationOut,
    RegistrationStatus,
)

router = Router(tags=["events"])

User = Any


def organised_events(user: User) -> QuerySet[Event]:
    """Events of the networks and hosts the user's roles cover (the organiser area's rule)."""
    if not user.is_authenticated:
        return Event.objects.none()
    if getattr(user, "is_superuser", False):
        return Event.objects.all()
    return Event.objects.filter(
        Q(network__in=organised_networks(user)) | Q(host__in=organised_hosts(user))
    )


def visible_events(user: User) -> QuerySet[Event]:
    """Published events for everyone; an organiser also sees drafts and cancelled events of theirs.

    Each row carries `api_organised`: whether the user organises it (meeting link, drafts).
    """
    events = Event.objects.select_related("host", "network").prefetch_related(
        Prefetch("sessions", queryset=Session.objects.order_by("starts_at", "id"))
    )
    if not user.is_authenticated:
        return events.filter(status=Event.Status.PUBLISHED).annotate(
            api_organised=Value(False, output_field=BooleanField())
        )
    organised = organised_events(user).values("pk")
    return events.filter(Q(status=Event.Status.PUBLISHED) | Q(pk__in=organised)).annotate(
        api_organised=Case(
            When(pk__in=organised, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def get_visible_event(request: HttpRequest, event_id: int) -> Event:
    event = visible_events(request.user).filter(pk=event_id).first()
    if event is None:
        # Cancelled events stay reachable by id, as on the public page.
        event = (
            Event.objects.select_related("host", "network")
            .filter(pk=event_id, status=Event.Status.CANCELLED)
            .annotate(api_organised=Value(False, output_field=BooleanField()))
            .first()
        )
    if event is None:
        raise not_found()
    return event


def get_organised_event(request: HttpRequest, event_id: int) -> Event:
    """The event if the token's organiser organises it: 404 if they cannot see it at all,
    403 if they can see it (published) but not organise it."""
    event = Event.objects.select_related("host", "network").filter(pk=event_id).first()
    if event is None:
        raise not_found()
    if not organised_events(request.user).filter(pk=event.pk).exists():
        if event.status == Event.Status.DRAFT:
            raise not_found()
        raise forbidden()
    return event


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
)
def get_event(request: HttpRequest, event_id: int) -> Event:
    return get_visible_event(request, event_id)


# Registrations (organisers) --------------------------------------------------------------------


class RegistrationFilter(Schema):
    status: RegistrationStatus | Literal["checked_in", "not_checked_in"] | None = None
    search: str | None = Field(None, max_length=200, description="Name, email or organisation.")


@router.get(
    "/events/{event_id}/registrations",
    response={200: list[RegistrationOut], **error_responses(401, 403, 404, 422)},
    auth=token_auth,
    summary="The event's registrations (organisers)",
)
@paginate(Pagination)
def list_registrations(
    request: HttpRequest, event_id: int, filters: Query[RegistrationFilter]
) -> QuerySet[Registration]:
    event = get_organised_event(request, event_id)
    registrations = (
        Registration.objects.filter(event=event)
        .select_related("organisation")
        .prefetch_related(
            Prefetch("session_choices", queryset=SessionChoice.objects.order_by("id"))
        )
    )
    if filters.status == "checked_in":
        registrations = registrations.filter(
            status=Registration.Status.CONFIRMED, checked_in_at__isnull=False
        )
    elif filters.status == "not_checked_in":
        registrations = registrations.filter(
            status=Registration.Status.CONFIRMED, checked_in_at__isnull=True
        )
    elif filters.status:
        registrations = registrations.filter(status=filters.status)
    for word in (filters.search or "").split():
        registrations = registrations.filter(
            Q(name__icontains=word)
            | Q(email__icontains=word)
            | Q(organisation_name__icontains=word)
            | Q(organisation__name__icontains=word)
        )
    return registrations.order_by("created_at", "id")


# Outgoing messages (organisers) ----------------------------------------------------------------


class MessageFilter(Schema):
    state: Literal["queued", "sending", "sent", "retrying", "failed"] | None = None


@router.get(
    "/events/{event_id}/messages",
    response={200: list[MessageOut], **error_responses(401, 403, 404, 422)},
    auth=token_auth,
    summary="Every email about the event and its delivery state (organisers)",
)
@paginate(Pagination)
def list_messages(
    request: HttpRequest, event_id: int, filters: Query[MessageFilter]
) -> QuerySet[OutgoingMessage]:
    event = get_organised_event(request, event_id)
    messages = OutgoingMessage.objects.filter(event_ref=event.pk).defer(
        "text_body", "html_body", "calendar", "attachments"
    )
    if filters.state:
        messages = messages.filter(state=filters.state)
    return messages.order_by("-created_at", "-id")
