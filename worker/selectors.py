"""Reads of the outbox that the apps share: each app lists its own messages by reference."""

from django.db.models import Count, QuerySet

from .mime import render_message
from .models import OutgoingMessage

# Bodies and attachments can be large; a list never needs them.
_LIST_DEFERRED = ("text_body", "html_body", "calendar", "attachments")


def messages_for(
    *,
    event_ref: int | None = None,
    registration_ref: int | None = None,
    invitation_ref: int | None = None,
    person_ref: int | None = None,
    sendout_ref: int | None = None,
    states: list[str] | None = None,
) -> QuerySet[OutgoingMessage]:
    """Messages carrying all the given references, newest first, without their bodies.

    At least one reference is required: the caller decides who may see which messages, and
    an unfiltered outbox is never what a page wants."""
    refs = {
        "event_ref": event_ref,
        "registration_ref": registration_ref,
        "invitation_ref": invitation_ref,
        "person_ref": person_ref,
        "sendout_ref": sendout_ref,
    }
    filters = {name: value for name, value in refs.items() if value is not None}
    if not filters:
        raise ValueError("messages_for needs at least one reference")
    qs = OutgoingMessage.objects.filter(**filters).defer(*_LIST_DEFERRED)
    if states:
        qs = qs.filter(state__in=states)
    return qs.order_by("-created_at", "-id")


def state_counts(queryset: QuerySet[OutgoingMessage]) -> dict[str, int]:
    """{state: count} for every state (zeros included), in one query."""
    counts = dict.fromkeys(OutgoingMessage.State.values, 0)
    for row in queryset.order_by().values("state").annotate(n=Count("id")):
        counts[row["state"]] = row["n"]
    return counts


def message_source(row: OutgoingMessage) -> str:
    """The message as the worker renders it for SMTP (Date aside), for the detail page; empty
    while the row waits for its composer (there is no message yet)."""
    if not row.composed:
        return ""
    return render_message(row).decode("ascii")
