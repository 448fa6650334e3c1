"""Organiser pages for the outbox rows of one event: the list, one message, send again."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from partners.permissions import organiser_required
from worker.models import OutgoingMessage
from worker.selectors import message_source, messages_for, state_counts
from worker.services import MessageNotResendable, resend_message

from ...models import Event
from ...selectors.organiser import get_organised_event
from .common import post_only

# Messages (the outbox rows of one event) -------------------------------------------------------


@organiser_required
def message_list(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    rows = messages_for(event_ref=event.pk)
    state = request.GET.get("state", "")
    if state in OutgoingMessage.State.values:
        rows = rows.filter(state=state)
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "events/organiser/message_list.html",
        {
            "event": event,
            "page": page,
            "counts": state_counts(messages_for(event_ref=event.pk)),
            "states": OutgoingMessage.State.choices,
            "state": state,
        },
    )


def _organised_message(request: HttpRequest, message_id: int) -> tuple[Event, OutgoingMessage]:
    row = get_object_or_404(OutgoingMessage.objects.select_related("resend_of"), pk=message_id)
    if row.event_ref is None:
        raise Http404
    return get_organised_event(request.user, row.event_ref), row


@organiser_required
def message_detail(request: HttpRequest, message_id: int) -> HttpResponse:
    event, row = _organised_message(request, message_id)
    return render(
        request,
        "events/organiser/message_detail.html",
        {"event": event, "row": row, "source": message_source(row)},
    )


@organiser_required
def message_resend(request: HttpRequest, message_id: int) -> HttpResponse:
    event, row = _organised_message(request, message_id)
    if refused := post_only(request):
        return refused
    try:
        copy = resend_message(message_id=row.pk)
    except MessageNotResendable as not_resendable:
        messages.error(
            request,
            not_resendable.reason
            or _(
                "This message is still being delivered; it can be sent again once it is sent or has failed."
            ),
        )
        return redirect("events_organiser:message", message_id=row.pk)
    messages.success(request, _("The message is queued again."))
    return redirect("events_organiser:message", message_id=copy.pk)
