"""The events router and what its endpoints share: the Idempotency-Key header and the
organiser's event.

Operation ids are spelled out on every endpoint (`events_api_<name>`): ninja would derive
them from the module, and clients generated from the OpenAPI document rely on them.
"""

from typing import Annotated

from django.http import Http404, HttpRequest
from ninja import Header, Router

from api.errors import forbidden, not_found

from ..models import Event
from ..selectors.organiser import get_organised_event
from ..selectors.public import public_events

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


def organised_event(request: HttpRequest, event_id: int) -> Event:
    """The event if the token's organiser organises it: 404 if they cannot see it at all,
    403 if they can see it (it is public, not a draft) but not organise it."""
    try:
        return get_organised_event(request.user, event_id)
    except Http404:
        if public_events().filter(pk=event_id).exists():
            raise forbidden() from None
        raise not_found() from None
