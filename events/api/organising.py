"""Organising (organisers): create, change, publish and cancel events, and check people in."""

from typing import get_args

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Status
from pydantic.fields import FieldInfo

from api.auth import token_auth
from api.errors import ApiError, error_responses, forbidden, invalid_field
from partners.models import Host, Network
from partners.selectors import organised_hosts

from ..models import Event
from ..schemas import CancelIn, CheckInIn, CheckInOut, EventDetailOut, EventIn, EventPatch
from ..selectors.organiser import can_organise
from ..services import check_in as door
from ..services import organising
from ..services.check_in import CheckInOutcome, CheckInResult
from .listing import event_answer
from .router import IdempotencyKey, organised_event, router


def _nullable(field: FieldInfo) -> bool:
    return type(None) in get_args(field.annotation)


# PATCH may leave these out but cannot set them to null: what a new event (EventIn) cannot have
# as null either. A null meeting link clears it.
NOT_NULL_FIELDS = tuple(
    name
    for name, field in EventIn.model_fields.items()
    if not _nullable(field) and name != "meeting_url"
)


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
    operation_id="events_api_create_event",
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
    return Status(201, event_answer(request, event.pk))


@router.patch(
    "/events/{event_id}",
    response={200: EventDetailOut, **error_responses(400, 401, 403, 404, 409, 422)},
    auth=token_auth,
    summary="Change an event; only the fields sent change",
    operation_id="events_api_update_event",
)
def update_event(request: HttpRequest, event_id: int, payload: EventPatch) -> Event:
    event = organised_event(request, event_id)
    values = payload.model_dump(exclude_unset=True)
    for name in NOT_NULL_FIELDS:
        if name in values and values[name] is None:
            raise invalid_field(name, _("This field cannot be null."))
    if "network" in values:
        values["network"] = _resolve_network(values["network"])
    if "meeting_url" in values and values["meeting_url"] is None:
        values["meeting_url"] = ""
    organising.change_event(event=event, by_user=request.user, values=values)
    return event_answer(request, event.pk)


@router.post(
    "/events/{event_id}/publish",
    response={200: EventDetailOut, **error_responses(401, 403, 404, 409, 422)},
    auth=token_auth,
    summary="Publish a draft",
    operation_id="events_api_publish_event",
)
def publish_event(request: HttpRequest, event_id: int) -> Event:
    event = organised_event(request, event_id)
    organising.publish_event(event=event, by_user=request.user)
    return event_answer(request, event.pk)


@router.post(
    "/events/{event_id}/cancel",
    response={200: EventDetailOut, **error_responses(400, 401, 403, 404, 409, 422)},
    auth=token_auth,
    summary="Cancel an event; participants get the message and a calendar cancellation",
    operation_id="events_api_cancel_event",
)
def cancel_event(request: HttpRequest, event_id: int, payload: CancelIn) -> Event:
    event = organised_event(request, event_id)
    organising.cancel_event(event=event, by_user=request.user, message=payload.message)
    return event_answer(request, event.pk)


@router.post(
    "/events/{event_id}/checkins",
    response={200: CheckInOut, **error_responses(400, 401, 403, 404, 409, 422)},
    auth=token_auth,
    summary="Check a participant in by ticket code (scanning twice is harmless)",
    operation_id="events_api_check_in",
)
def check_in(request: HttpRequest, event_id: int, payload: CheckInIn) -> CheckInResult:
    event = organised_event(request, event_id)
    result = door.check_in(event=event, ticket_code=payload.ticket_code, by_user=request.user)
    if result.outcome == CheckInOutcome.UNKNOWN:
        raise ApiError(404, "unknown_ticket", _("No registration for this event has that code."))
    if result.outcome == CheckInOutcome.NOT_CONFIRMED:
        raise ApiError(
            409, "not_confirmed", _("This registration is not confirmed, so it cannot check in.")
        )
    return result
