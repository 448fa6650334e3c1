"""Send-outs: invite networks, organisations and people to an event, and follow the delivery;
an event's invitations and their answers.

A send-out is created as a draft (`POST /events/{id}/sendouts`) and sent with
`POST /sendouts/{id}/send`, as in the organiser area, where the draft is previewed first.
"""

from typing import Annotated, Any, Literal

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Schema, Status
from ninja.pagination import paginate

from api.auth import token_auth
from api.errors import ApiError, error_responses, forbidden, invalid_field, not_found
from api.pagination import Pagination
from events.models import Event
from events.selectors.organiser import organised_events
from partners.selectors import organised_networks
from partners.services import ImportReport

from .models import Invitation, SendOut
from .schemas import InvitationOut, SendIn, SendOutIn, SendOutOut
from .selectors import event_invitations, sendout_progress
from .services.errors import InvitationError
from .services.sendouts import NewPeopleRefused, create_sendout_with_new_people, schedule_sendout

router = Router(tags=["invitations"], auth=token_auth)

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=255,
        description="Send the same key again to get the first answer instead of a second result.",
    ),
]


def _organised_event(request: HttpRequest, event_id: int) -> Event:
    event = Event.objects.select_related("network").filter(pk=event_id).first()
    if event is None:
        raise not_found()
    if not organised_events(request.user).filter(pk=event.pk).exists():
        if not event.is_public:
            raise not_found()
        raise forbidden()
    return event


def _organised_sendout(request: HttpRequest, sendout_id: int) -> SendOut:
    sendout = SendOut.objects.filter(pk=sendout_id).first()
    if sendout is None or not organised_events(request.user).filter(pk=sendout.event_id).exists():
        raise not_found()
    return sendout


def _answer(sendout_id: int) -> SendOut:
    sendout = SendOut.objects.get(pk=sendout_id)
    for name, value in sendout_progress(sendout).items():
        setattr(sendout, name, value)
    return sendout


def _invitation_error(error: InvitationError) -> ApiError:
    if error.field:
        return invalid_field(error.field, error.message)
    return ApiError(409, "conflict", error.message, [(None, error.message)])


@router.post(
    "/events/{event_id}/sendouts",
    response={201: SendOutOut, **error_responses(400, 401, 403, 404, 409, 422)},
    summary="Create a send-out (a draft) of invitations to the event",
)
def create_sendout(
    request: HttpRequest, event_id: int, payload: SendOutIn, idempotency_key: IdempotencyKey = None
) -> Status[SendOut]:
    event = _organised_event(request, event_id)
    networks = {
        n.slug: n.pk for n in organised_networks(request.user).filter(slug__in=payload.networks)
    }
    unknown = [slug for slug in payload.networks if slug not in networks]
    if unknown:
        raise invalid_field(
            "networks",
            _("Select a valid choice. %(value)s is not one of the available choices.")
            % {"value": unknown[0]},
        )
    assert isinstance(request.user, User)  # token_auth set the token's organiser
    try:
        sendout, _report = create_sendout_with_new_people(
            event=event,
            created_by=request.user,
            new_people=payload.new_people.encode("utf-8") if payload.new_people.strip() else None,
            new_organisations={o.name: o.sector.value for o in payload.new_organisations},
            message=payload.message,
            network_ids=list(networks.values()),
            organisation_ids=payload.organisations,
            person_emails=payload.people,
        )
    except NewPeopleRefused as error:
        if error.report.only_organisations_to_confirm:
            raise ApiError(
                422,
                "validation_error",
                error.message,
                [
                    (
                        "new_organisations",
                        _(
                            "“%(name)s” (rows %(rows)s) is not in the registry; list it in "
                            "new_organisations with its sector to add it."
                        )
                        % {"name": o.name, "rows": ", ".join(str(row) for _s, row in o.rows)},
                    )
                    for o in error.report.new_organisations
                ],
            ) from error
        rows = _import_problems(error.report)
        raise ApiError(
            422,
            "validation_error",
            _("The new people were not imported; nothing was saved."),
            rows or [("new_people", _("The new people were not imported."))],
        ) from error
    except InvitationError as error:
        raise _invitation_error(error) from error
    return Status(201, _answer(sendout.pk))


def _import_problems(report: ImportReport) -> list[tuple[str | None, Any]]:
    """The people import's report as field errors: `new_people.<row>` per row problem."""
    problems: list[tuple[str | None, Any]] = [("new_people", e) for e in report.errors]
    for row in report.row_problems[:100]:
        problems.extend(("new_people.%d" % row.row, message) for message in row.messages)
    return problems


@router.post(
    "/sendouts/{sendout_id}/send",
    response={200: SendOutOut, **error_responses(400, 401, 404, 409, 422)},
    summary="Send a draft send-out now or at a later time",
)
def send_sendout(request: HttpRequest, sendout_id: int, payload: SendIn) -> SendOut:
    sendout = _organised_sendout(request, sendout_id)
    try:
        schedule_sendout(sendout_id=sendout.pk, send_at=payload.send_at)
    except InvitationError as error:
        raise _invitation_error(error) from error
    return _answer(sendout.pk)


@router.get(
    "/sendouts/{sendout_id}",
    response={200: SendOutOut, **error_responses(401, 404, 422)},
    summary="A send-out and the delivery of its messages",
)
def get_sendout(request: HttpRequest, sendout_id: int) -> SendOut:
    return _answer(_organised_sendout(request, sendout_id).pk)


class InvitationFilter(Schema):
    answer: Literal["pending", "registered", "declined", "accepted", "tentative"] | None = None


@router.get(
    "/events/{event_id}/invitations",
    response={200: list[InvitationOut], **error_responses(401, 403, 404, 422)},
    summary="The event's invitations and their answers (organisers)",
)
@paginate(Pagination)
def list_invitations(
    request: HttpRequest, event_id: int, filters: Query[InvitationFilter]
) -> QuerySet[Invitation]:
    event = _organised_event(request, event_id)
    invitations = event_invitations(event).order_by("name", "pk")
    if filters.answer:
        invitations = invitations.filter(state=filters.answer)
    return invitations
