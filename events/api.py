"""Events, their agenda, registrations, check-in and outgoing messages.

Endpoints parse input, call one service and render; who may see what comes from the same
selectors as the HTML organiser area.
"""

import functools
from collections.abc import Callable
from typing import Annotated, Any, Literal

from django.conf import settings
from django.db.models import BooleanField, Case, Prefetch, Q, QuerySet, Value, When
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema, Status
from ninja.pagination import paginate

from partners.api_common import (
    OPTIONAL_AUTH_OPENAPI,
    ApiError,
    Pagination,
    error_responses,
    forbidden,
    invalid_field,
    not_found,
    optional_token_auth,
    public_write_throttle,
    token_auth,
)
from partners.models import Host, Network
from partners.selectors import organised_hosts
from worker.models import OutgoingMessage

from .models import Event, Question, Registration, Session, SessionChoice
from .participants import ParticipantDetails
from .schemas import (
    AcceptedOut,
    CancelIn,
    CheckInIn,
    CheckInOut,
    EventDetailOut,
    EventIn,
    EventOut,
    EventPatch,
    EventStatus,
    MessageOut,
    RegistrationCreatedOut,
    RegistrationIn,
    RegistrationOut,
    RegistrationStatus,
    ResendLinkIn,
    absolute,
)
from .selectors import public_event, waitlist_position
from .selectors_organiser import can_organise, organised_events
from .services import check_in as door
from .services import organising, registering, waiting_list
from .services.check_in import CheckInOutcome, CheckInResult
from .services.errors import RegistrationError

router = Router(tags=["events"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=255,
        description=(
            "Send the same key again to get the first answer instead of a second result. "
            "A request refused as invalid (400, 422) keeps nothing: correct it, same key."
        ),
    ),
]
# PATCH may leave these out but cannot set them to null.
NOT_NULL_FIELDS = (
    "title",
    "kind",
    "description",
    "starts_at",
    "ends_at",
    "venue_name",
    "venue_address",
    "waiting_list_mode",
    "offer_hours",
    "serves_food",
    "offers_assistance",
    "invitation_only",
)

User = Any


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
    event = (
        visible_events(request.user)
        .prefetch_related(
            Prefetch("questions", queryset=Question.objects.order_by("position", "id"))
        )
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        # Cancelled events stay reachable by id, as on the public page.
        event = (
            Event.objects.select_related("host", "network")
            .prefetch_related("sessions", "questions")
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
    state: Literal["queued", "sending", "sent", "retrying", "failed", "skipped"] | None = None


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


# Organising ------------------------------------------------------------------------------------


def _event_answer(request: HttpRequest, event_id: int) -> Event:
    """The event as its organiser sees it after a change."""
    return get_visible_event(request, event_id)


def _resolve_network(slug: str | None) -> Network | None:
    if not slug:
        return None
    network = Network.objects.filter(slug=slug).first()
    if network is None:
        raise invalid_field(
            "network", _("Select a valid choice. That choice is not one of the available choices.")
        )
    return network


def _host_choices(request: HttpRequest, network: Network | None) -> list[Host]:
    """The hosts to name when `host` is missing or unknown: the network's, or the user's own."""
    if network is not None:
        return list(network.hosts.order_by("slug"))
    return list(organised_hosts(request.user).order_by("slug"))


def _host_error(message: str, choices: list[Host]) -> ApiError:
    if choices:
        message = _("%(problem)s Choose one of: %(hosts)s.") % {
            "problem": message,
            "hosts": ", ".join(host.slug for host in choices),
        }
    return invalid_field("host", message)


def _resolve_host(request: HttpRequest, slug: str | None, network: Network | None) -> Host:
    """The host named, or the one the network and the user's roles leave: a network with one
    host, or the one of its hosts the user organises. Otherwise 422 naming the choices."""
    if slug:
        host = Host.objects.filter(slug=slug).first()
        if host is None:
            raise _host_error(
                _("Select a valid choice. That choice is not one of the available choices."),
                _host_choices(request, network),
            )
        return host
    if network is not None:
        hosts = list(network.hosts.order_by("slug"))
        mine = set(organised_hosts(request.user).values_list("pk", flat=True))
        candidates = [host for host in hosts if host.pk in mine] or hosts
        if len(candidates) == 1:
            return candidates[0]
    raise _host_error(_("This field is required."), _host_choices(request, network))


@router.post(
    "/events",
    response={201: EventDetailOut, **error_responses(400, 401, 403, 409, 422)},
    auth=token_auth,
    summary="Create an event (a draft)",
)
def create_event(
    request: HttpRequest, payload: EventIn, idempotency_key: IdempotencyKey = None
) -> Status[Event]:
    network = _resolve_network(payload.network)
    host = _resolve_host(request, payload.host, network)
    if not can_organise(request.user, host=host, network=network):
        raise forbidden()
    values = payload.model_dump(exclude={"network", "host"})
    event = organising.create_event(
        by_user=request.user, values={**values, "host": host, "network": network}
    )
    return Status(201, _event_answer(request, event.pk))


@router.patch(
    "/events/{event_id}",
    response={200: EventDetailOut, **error_responses(400, 401, 403, 404, 409, 422)},
    auth=token_auth,
    summary="Change an event; only the fields sent change",
)
def update_event(request: HttpRequest, event_id: int, payload: EventPatch) -> Event:
    event = get_organised_event(request, event_id)
    values = payload.model_dump(exclude_unset=True)
    for name in NOT_NULL_FIELDS:
        if name in values and values[name] is None:
            raise invalid_field(name, _("This field cannot be null."))
    if "network" in values:
        values["network"] = _resolve_network(values["network"])
    if "meeting_url" in values and values["meeting_url"] is None:
        values["meeting_url"] = ""
    organising.change_event(event=event, by_user=request.user, values=values)
    return _event_answer(request, event.pk)


@router.post(
    "/events/{event_id}/publish",
    response={200: EventDetailOut, **error_responses(401, 403, 404, 409, 422)},
    auth=token_auth,
    summary="Publish a draft",
)
def publish_event(request: HttpRequest, event_id: int) -> Event:
    event = get_organised_event(request, event_id)
    organising.publish_event(event=event, by_user=request.user)
    return _event_answer(request, event.pk)


@router.post(
    "/events/{event_id}/cancel",
    response={200: EventDetailOut, **error_responses(400, 401, 403, 404, 409, 422)},
    auth=token_auth,
    summary="Cancel an event; participants get the message and a calendar cancellation",
)
def cancel_event(request: HttpRequest, event_id: int, payload: CancelIn) -> Event:
    event = get_organised_event(request, event_id)
    organising.cancel_event(event=event, by_user=request.user, message=payload.message)
    return _event_answer(request, event.pk)


@router.post(
    "/events/{event_id}/checkins",
    response={200: CheckInOut, **error_responses(400, 401, 403, 404, 409, 422)},
    auth=token_auth,
    summary="Check a participant in by ticket code (scanning twice is harmless)",
)
def check_in(request: HttpRequest, event_id: int, payload: CheckInIn) -> CheckInResult:
    event = get_organised_event(request, event_id)
    result = door.check_in(event=event, ticket_code=payload.ticket_code, by_user=request.user)
    if result.outcome == CheckInOutcome.UNKNOWN:
        raise ApiError(404, "unknown_ticket", _("No registration for this event has that code."))
    if result.outcome == CheckInOutcome.NOT_CONFIRMED:
        raise ApiError(
            409, "not_confirmed", _("This registration is not confirmed, so it cannot check in.")
        )
    return result


# Registering (public) --------------------------------------------------------------------------

# RegistrationError codes -> HTTP status; the rest are 422 (bad input).
_REGISTRATION_STATUS = {
    "unavailable": 409,
    "not_open": 409,
    "closed": 409,
    "full": 409,
    "session_full": 409,
    "duplicate": 409,
    "not_changeable": 409,
    "offer_expired": 409,
    "invitation_only": 403,
}


def registration_error(error: RegistrationError) -> ApiError:
    status = _REGISTRATION_STATUS.get(error.code, 422)
    field = error.field
    if field and field.startswith("q_"):
        field = "answers." + field[2:]
    return ApiError(
        status,
        "validation_error" if status == 422 else error.code,
        error.message,
        [(field, error.message)] if field or status == 422 else [],
    )


@router.post(
    "/events/{event_id}/registrations",
    response={201: RegistrationCreatedOut, **error_responses(400, 403, 404, 409, 422, 429)},
    throttle=[public_write_throttle],
    summary="Register for an event (public)",
    description=(
        "Confirmed while seats last, then the waiting list. The answer carries the personal "
        "link, which is also emailed. Rate-limited per client address."
    ),
)
def register(
    request: HttpRequest,
    event_id: int,
    payload: RegistrationIn,
    idempotency_key: IdempotencyKey = None,
) -> Status[RegistrationCreatedOut]:
    public = public_event(pk=event_id)
    if public is None:
        raise not_found()
    # A typed name that matches a known organisation is linked by the service.
    details = ParticipantDetails(
        name=payload.name,
        email=payload.email,
        organisation_name=payload.organisation.strip(),
        title=payload.title,
        phone=payload.phone,
        language=payload.language,
        list_consent=payload.consents.participant_list,
        dietary_consent=payload.consents.dietary,
        dietary_needs=payload.dietary_needs,
        assistance_consent=payload.consents.assistance,
        assistance_needs=payload.assistance_needs,
        session_ids=payload.sessions,
        answers={answer.question: answer.value for answer in payload.answers},
    )
    try:
        registration = registering.register_participant(
            event=public.event,
            details=details,
            sessions=public.sessions,
            questions=public.questions,
        )
    except RegistrationError as error:
        raise registration_error(error) from error
    # Built from our own row, so not validated a second time: ninja serialises an instance of
    # the response schema as it is (a dict it would validate field by field first).
    return Status(
        201,
        RegistrationCreatedOut.model_construct(
            id=registration.pk,
            status=str(registration.status),
            waiting_list_position=waitlist_position(registration),
            manage_url=_manage_url(registration.token),
        ),
    )


def _manage_url(token: str) -> str:
    """absolute(registration.get_absolute_url()), with reverse() run once per process (it was
    a twentieth of the request). A token is token_urlsafe, which reverse() leaves as it is."""
    return (
        _manage_url_prefix(
            settings.SITE_URL, settings.ROOT_URLCONF, get_urlconf(), get_script_prefix()
        )
        + token
        + "/"
    )


@functools.lru_cache(maxsize=16)
def _manage_url_prefix(site_url: str, root: str, urlconf: str | None, script_prefix: str) -> str:
    return absolute(reverse("events:manage", kwargs={"token": "0"}, urlconf=urlconf)[:-2])


@router.post(
    "/events/{event_id}/registrations/resend-link",
    response={202: AcceptedOut, **error_responses(400, 404, 422, 429)},
    throttle=[public_write_throttle],
    summary="Email the personal link again (public)",
    description="Answers the same whether or not the address is registered.",
)
def resend_link(
    request: HttpRequest, event_id: int, payload: ResendLinkIn
) -> Status[dict[str, str]]:
    event = (
        Event.objects.exclude(status=Event.Status.DRAFT)
        .prefetch_related("sessions", "questions")
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        raise not_found()
    registering.resend_personal_link(event_id=event_id, email=payload.email)
    return Status(
        202, {"detail": _("If the address is registered for this event, the link is on its way.")}
    )


# Registrations (organisers) --------------------------------------------------------------------


def get_organised_registration(request: HttpRequest, registration_id: int) -> Registration:
    registration = Registration.objects.select_related("event").filter(pk=registration_id).first()
    if registration is None:
        raise not_found()
    get_organised_event(request, registration.event_id)
    return registration


def _registration_answer(registration_id: int) -> Registration:
    return (
        Registration.objects.select_related("organisation")
        .prefetch_related("session_choices")
        .get(pk=registration_id)
    )


def _conflict(error: RegistrationError) -> ApiError:
    """A rule that refused an organiser's change to a registration: 409 with the rule's code."""
    return ApiError(409, error.code if error.code != "invalid" else "conflict", error.message)


def _organiser_change(
    request: HttpRequest, registration_id: int, change: Callable[..., object]
) -> Registration:
    """An organiser's change to one registration they organise; a refusing rule is 409."""
    registration = get_organised_registration(request, registration_id)
    try:
        change(registration_id=registration.pk)
    except RegistrationError as error:
        raise _conflict(error) from error
    return _registration_answer(registration.pk)


@router.post(
    "/registrations/{registration_id}/promote",
    response={200: RegistrationOut, **error_responses(401, 403, 404, 409, 422)},
    auth=token_auth,
    summary="Confirm someone from the waiting list by hand",
)
def promote(request: HttpRequest, registration_id: int) -> Registration:
    return _organiser_change(request, registration_id, waiting_list.promote_from_waiting_list)


@router.post(
    "/registrations/{registration_id}/cancel",
    response={200: RegistrationOut, **error_responses(401, 403, 404, 409, 422)},
    auth=token_auth,
    summary="Cancel a registration; a freed seat goes to the waiting list",
)
def cancel(request: HttpRequest, registration_id: int) -> Registration:
    return _organiser_change(request, registration_id, registering.cancel_registration)
