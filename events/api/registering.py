"""Registering (public): register, and have the personal link sent again; organisers promote
someone from the waiting list or cancel a registration."""

import contextlib
import functools
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext as _
from ninja import Status

from api.auth import token_auth
from api.errors import ApiError, error_responses, not_found, refusal
from api.throttling import public_write_throttle

from ..models import Registration
from ..participants import ParticipantDetails
from ..schemas import (
    AcceptedOut,
    RegistrationCreatedOut,
    RegistrationIn,
    RegistrationOut,
    ResendLinkIn,
    absolute,
)
from ..selectors.public import (
    cached_public_event,
    public_event,
    public_events,
    waitlist_position,
)
from ..services import personal_link, registering, waiting_list
from ..services.errors import RegistrationError
from ..services.seats import PublicEvent
from .router import IdempotencyKey, organised_event, router

# Registering (public) --------------------------------------------------------------------------

# RegistrationError codes -> HTTP status; the rest are 422 (bad input).
_REGISTRATION_STATUS = {
    "unavailable": 409,
    "not_open": 409,
    "closed": 409,
    "full": 409,
    "event_changed": 409,
    "session_full": 409,
    "duplicate": 409,
    "not_changeable": 409,
    "offer_expired": 409,
    "invitation_only": 403,
}


def registration_error(error: RegistrationError) -> ApiError:
    return refusal(
        code=error.code, message=error.message, field=error.field, statuses=_REGISTRATION_STATUS
    )


@router.post(
    "/events/{event_id}/registrations",
    response={201: RegistrationCreatedOut, **error_responses(400, 403, 404, 409, 422, 429)},
    throttle=[public_write_throttle],
    summary="Register for an event (public)",
    operation_id="events_api_register",
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
    # Decided on this process's copy of the event if it is saved (the save checks the copy is
    # current); a refusal is decided again on the row as it is now.
    copy = cached_public_event(pk=event_id)
    registration = None
    if copy is not None:
        with contextlib.suppress(RegistrationError):
            registration = _register(copy, details)
    if registration is None:
        public = public_event(pk=event_id)
        if public is None:
            raise not_found()
        try:
            registration = _register(public, details)
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


def _register(public: PublicEvent, details: ParticipantDetails) -> Registration:
    return registering.register_participant(
        event=public.event,
        details=details,
        sessions=public.sessions,
        questions=public.questions,
        revision=public.event.revision,
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
    operation_id="events_api_resend_link",
    description="Answers the same whether or not the address is registered.",
)
def resend_link(
    request: HttpRequest, event_id: int, payload: ResendLinkIn
) -> Status[dict[str, str]]:
    if not public_events().filter(pk=event_id).exists():
        raise not_found()
    personal_link.resend_personal_link(event_id=event_id, email=payload.email)
    return Status(
        202, {"detail": _("If the address is registered for this event, the link is on its way.")}
    )


# Registrations (organisers) --------------------------------------------------------------------


def get_organised_registration(request: HttpRequest, registration_id: int) -> Registration:
    registration = Registration.objects.select_related("event").filter(pk=registration_id).first()
    if registration is None:
        raise not_found()
    organised_event(request, registration.event_id)
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
    operation_id="events_api_promote",
)
def promote(request: HttpRequest, registration_id: int) -> Registration:
    return _organiser_change(request, registration_id, waiting_list.promote_from_waiting_list)


@router.post(
    "/registrations/{registration_id}/cancel",
    response={200: RegistrationOut, **error_responses(401, 403, 404, 409, 422)},
    auth=token_auth,
    summary="Cancel a registration; a freed seat goes to the waiting list",
    operation_id="events_api_cancel",
)
def cancel(request: HttpRequest, registration_id: int) -> Registration:
    return _organiser_change(request, registration_id, registering.cancel_registration)
