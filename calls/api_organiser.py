"""The organisers' endpoints on the calls router: create and change a call, list its answers.

They join calls/api.py's router (one router per path, so GET and PATCH of /calls/{slug} live
together); config/api.py mounts the router from here, after these are added. Token auth and
scoping as the events' organiser endpoints: 404 for a call the token cannot see, 403 for a
published call it sees but does not organise.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Status
from ninja.pagination import paginate

from api.auth import token_auth
from api.errors import error_responses, forbidden, invalid_field, not_found
from api.pagination import Pagination
from partners.models import Host, Network, Organisation
from partners.selectors import organised_hosts

from . import selectors
from .api import IdempotencyKey, call_detail, router
from .models import Answer, Call
from .schemas_organiser import (
    AnswerFilter,
    CallIn,
    CallPatch,
    OrganisedAnswerOut,
    OrganisedCallOut,
    QuestionIn,
)
from .selectors_organiser import AnswerFilters, answers, can_organise_call, get_organised_call
from .services import organising
from .services.organising import QuestionValues

__all__ = ["router"]

NOT_NULL = ("title", "introduction", "opens_at", "closes_at", "audience", "publishes_answers")


def _organised(request: HttpRequest, slug: str) -> Call:
    call = Call.objects.filter(slug=slug[:80]).only("pk").first()
    try:
        if call is None:
            raise Http404
        return get_organised_call(request.user, call.pk)
    except Http404:
        if selectors.public_call(slug=slug[:80]) is not None:
            raise forbidden() from None
        raise not_found() from None


def _network(slug: str | None) -> Network | None:
    if not slug:
        return None
    network = Network.objects.filter(slug=slug).first()
    if network is None:
        raise invalid_field(
            "network", _("Select a valid choice. That choice is not one of the available choices.")
        )
    return network


def _host(request: HttpRequest, slug: str | None, network: Network | None) -> Host:
    if slug:
        host = Host.objects.filter(slug=slug).first()
        if host is None:
            raise invalid_field(
                "host", _("Select a valid choice. That choice is not one of the available choices.")
            )
        return host
    candidates = list(network.hosts.order_by("slug")) if network else []
    mine = set(organised_hosts(request.user).values_list("pk", flat=True))
    candidates = [h for h in candidates if h.pk in mine] or candidates
    if len(candidates) == 1:
        return candidates[0]
    raise invalid_field("host", _("This field is required."))


def _questions(items: list[QuestionIn]) -> list[QuestionValues]:
    return [QuestionValues(**item.model_dump()) for item in items]


def _call_answer(call: Call) -> dict[str, Any]:
    """The call as GET /calls/{slug} shows it, with its status and reminder (drafts too)."""
    call = Call.objects.select_related("host", "network").get(pk=call.pk)
    return {
        **call_detail(call),
        "status": call.status,
        "reminder_days": call.reminder_days,
    }


@router.post(
    "/calls",
    response={201: OrganisedCallOut, **error_responses(400, 401, 403, 409, 422)},
    auth=token_auth,
    summary="Create a call for input (a draft, organisers)",
    operation_id="calls_api_create_call",
)
def create_call(
    request: HttpRequest, payload: CallIn, idempotency_key: IdempotencyKey = None
) -> Status[dict[str, Any]]:
    network = _network(payload.network)
    host = _host(request, payload.host, network)
    if not can_organise_call(request.user, host=host, network=network):
        raise forbidden()
    values = payload.model_dump(exclude={"host", "network", "questions"})
    call = organising.create_call(
        by_user=request.user,
        values={**values, "host": host, "network": network},
        questions=_questions(payload.questions),
    )
    return Status(201, _call_answer(call))


@router.patch(
    "/calls/{slug}",
    response={200: OrganisedCallOut, **error_responses(400, 401, 403, 404, 409, 422)},
    auth=token_auth,
    summary="Change a call for input; only the fields sent change (organisers)",
    operation_id="calls_api_update_call",
)
def update_call(request: HttpRequest, slug: str, payload: CallPatch) -> dict[str, Any]:
    call = _organised(request, slug)
    values = payload.model_dump(exclude_unset=True, exclude={"questions", "status"})
    for name in NOT_NULL:
        if name in values and values[name] is None:
            raise invalid_field(name, _("This field cannot be null."))
    if "network" in values:
        values["network"] = _network(values["network"])
    questions = (
        _questions(payload.questions)
        if "questions" in payload.model_fields_set and payload.questions is not None
        else None
    )
    organising.update_call(
        call=call, by_user=request.user, values=values, questions=questions, status=payload.status
    )
    return _call_answer(call)


def _answer_out(answer: Answer) -> dict[str, Any]:
    organisation: Organisation | None = answer.organisation
    return {
        "id": answer.pk,
        "name": answer.name,
        "email": answer.email,
        "organisation": answer.organisation_display,
        "organisation_id": answer.organisation_id,
        "sector": organisation.sector if organisation else None,
        "on_behalf": answer.on_behalf,
        "language": answer.language,
        "consent_to_publish": answer.consent_to_publish,
        "published": answer.published,
        "status": answer.status,
        "internal_note": answer.internal_note,
        "withdrawn_at": answer.withdrawn_at,
        "submitted_at": answer.submitted_at,
        "texts": [{"question": t.question_id, "text": t.text} for t in answer.texts.all()],
        "attachments": [
            {
                "id": f.pk,
                "name": f.original_name,
                "content_type": f.content_type,
                "size": f.size,
                "published": f.published,
            }
            for f in answer.attachments.all()
        ],
    }


@router.get(
    "/calls/{slug}/answers",
    response={200: list[OrganisedAnswerOut], **error_responses(401, 403, 404, 422)},
    auth=token_auth,
    summary="A call's answers with search and filters (organisers)",
    operation_id="calls_api_list_answers",
)
@paginate(Pagination)
def list_answers(request: HttpRequest, slug: str, filters: Query[AnswerFilter]) -> Any:
    call = _organised(request, slug)
    network_id = None
    if filters.network:
        network = _network(filters.network)
        assert network is not None
        network_id = network.pk
    rows = answers(
        call,
        AnswerFilters(
            search=filters.search or "",
            organisation=filters.organisation,
            sector=filters.sector or "",
            role=filters.role or "",
            network=network_id,
            on_behalf=filters.on_behalf,
            status=filters.status or "",
            published=filters.published,
        ),
    )
    return _LazyAnswers(rows)


class _LazyAnswers:
    """The page of answers as dicts, built only for the rows the pagination slices."""

    def __init__(self, rows: QuerySet[Answer]) -> None:
        self.rows = rows

    def count(self) -> int:
        return self.rows.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        return [_answer_out(a) for a in self.rows[window]]
