"""The personal link again: mailed to an address registered for the event, a few times an hour."""

from django.db import transaction

from api.throttling import count_hit
from worker.services import queue_message

from .. import emails
from ..models import Registration
from .registering import active_registration_for

RESEND_LIMIT_PER_HOUR = 3


@transaction.atomic(durable=True)
def resend_personal_link(*, event_id: int, email: str) -> None:
    """Mail the personal link to the address if it is registered. Says nothing either way."""
    registration = active_registration_for(event_id, email)
    if registration is None:
        return
    # Without a reachable cache there is no count, and the link is sent (api/throttling.py).
    sent = count_hit("events:resend:%s" % registration.token, timeout=3600)
    if sent is not None and sent > RESEND_LIMIT_PER_HOUR:
        return
    registration = Registration.objects.select_related("event").get(pk=registration.pk)
    queue_message(message=emails.personal_link(registration=registration))
