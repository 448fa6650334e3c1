"""The calls router: published calls (public) and answering one (public, rate-limited).

Organisers' endpoints join this router from their own module. Errors are api.errors' shape;
a POST with an Idempotency-Key runs once (config/api.py wraps every operation).
"""

from typing import Annotated

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Header, Router, Status
from ninja.pagination import paginate

from api.errors import ApiError, error_responses, not_found, refusal
from api.pagination import Pagination
from api.throttling import public_write_throttle

from . import selectors
from .formatting import format_deadline
from .models import Call
from .schemas import AnswerCreatedOut, AnswerIn, CallDetailOut, CallOut
from .services import answering
from .services.errors import CallError

router = Router(tags=["calls"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=255,
        description="Send the same key again to get the first answer instead of a second answer.",
    ),
]

# CallError codes -> HTTP status; the rest are 422 (bad input).
_STATUS = {
    "unavailable": 404,
    "not_open": 409,
    "closed": 409,
    "duplicate": 409,
    "not_changeable": 409,
    "invitation_only": 403,
}


def call_error(error: CallError) -> ApiError:
    return refusal(code=error.code, message=error.message, field=error.field, statuses=_STATUS)


def _call_out(call: Call) -> dict:
    return {
        "slug": call.slug,
        "title": call.title,
        "host": call.host.slug,
        "network": call.network.slug if call.network_id else None,  # type: ignore[union-attr]
        "opens_at": call.opens_at,
        "closes_at": call.closes_at,
        "deadline": format_deadline(call.closes_at),
        "is_open": call.is_open(timezone.now()),
        "audience": call.audience,
        "publishes_answers": call.publishes_answers,
        "url": settings.SITE_URL + call.get_absolute_url(),
    }


@router.get(
    "/calls",
    response={200: list[CallOut], **error_responses(422)},
    summary="List published calls for input: open ones first, then the archive",
    operation_id="calls_api_list_calls",
)
@paginate(Pagination)
def list_calls(request: HttpRequest) -> QuerySet[Call] | list[dict]:
    return [_call_out(call) for call in selectors.public_calls()]


@router.get(
    "/calls/{slug}",
    response={200: CallDetailOut, **error_responses(404)},
    summary="One published call with its questions and published answers",
    operation_id="calls_api_get_call",
)
def get_call(request: HttpRequest, slug: str) -> dict:
    call = selectors.public_call(slug=slug[:80])
    if call is None:
        raise not_found()
    return call_detail(call)


def call_detail(call: Call) -> dict:
    """A call as GET /calls/{slug} shows it: its fields, questions and published answers."""
    answers = [
        {
            "id": a.pk,
            "name": "" if a.on_behalf and a.organisation_display else a.name,
            "organisation": a.organisation_display,
            "on_behalf": a.on_behalf,
            "submitted_at": a.submitted_at,
            "texts": [{"question": t.question_id, "text": t.text} for t in a.texts.all()],
        }
        for a in selectors.published_answers(call)
    ]
    return {
        **_call_out(call),
        "introduction": call.introduction,
        "contact_name": call.contact_name,
        "contact_title": call.contact_title,
        "contact_email": call.contact_email,
        "contact_phone": call.contact_phone,
        "questions": list(call.questions.all()),
        "published_answers": answers,
    }


@router.post(
    "/calls/{slug}/answers",
    response={201: AnswerCreatedOut, **error_responses(400, 403, 404, 409, 422, 429)},
    throttle=[public_write_throttle],
    summary="Answer a call for input (public)",
    operation_id="calls_api_answer",
    description=(
        "Without attachments. Refused after the deadline (409) and for calls by invitation "
        "only (403). The answer carries the personal link, which is also emailed. "
        "Rate-limited per client address."
    ),
)
def answer_call(
    request: HttpRequest, slug: str, payload: AnswerIn, idempotency_key: IdempotencyKey = None
) -> Status[AnswerCreatedOut]:
    call = selectors.public_call(slug=slug[:80])
    if call is None:
        raise not_found()
    texts: dict[int, str] = {}
    for item in payload.answers:
        texts[item.question] = texts.get(item.question, "") + item.text
    details = answering.AnswerDetails(
        name=payload.name,
        email=payload.email,
        organisation_name=payload.organisation,
        on_behalf=payload.on_behalf,
        language=payload.language,
        consent_to_publish=payload.consent_to_publish,
        texts=texts,
    )
    try:
        answer = answering.submit_answer(call=call, details=details)
    except CallError as error:
        raise call_error(error) from error
    return Status(
        201,
        AnswerCreatedOut(
            id=answer.pk,
            status=str(answer.status),
            manage_url=settings.SITE_URL + answer.get_absolute_url(),
        ),
    )
