"""The outbox's part of erasing what is held about an address (a person's right to erasure).

Knows no domain: it is told an address, never whose it is or why. Rows already sent, failed,
skipped or bounced lose the recipient, the bodies, the calendar, the attachments and the SMTP
answer (which may quote the address) at once; kind, subject, state and dates stay, so
organisers still see that a message went and how it fared. Rows still on their way (queued,
retrying, being sent) are marked ``forget_after_send`` instead and emptied the moment their
delivery ends: a cancellation or the erasure's own confirmation still reaches the person.
An address marked undeliverable by a bounce is forgotten too.
"""

from django.db.models import Q, QuerySet

from .bounces import address_key
from .models import OutgoingMessage, UndeliverableAddress

State = OutgoingMessage.State
FORGOTTEN_ADDRESS = "anonymised@invalid.invalid"
ON_THE_WAY = (State.QUEUED, State.RETRYING, State.SENDING)
FORGOTTEN = {
    "to_email": FORGOTTEN_ADDRESS,
    "to_name": "",
    "text_body": "",
    "html_body": "",
    "calendar": "",
    "attachments": [],
    "last_response": "",
    "forget_after_send": False,
}


def messages_to(email: str) -> QuerySet[OutgoingMessage]:
    """Every outbox row to the address (case-insensitive), newest first."""
    return OutgoingMessage.objects.filter(to_email__iexact=address_key(email))


def forget_address(*, email: str) -> dict[str, int]:
    """In the caller's transaction: empty the rows to the address (see the module's
    docstring); returns how many were emptied and how many will be once delivered."""
    rows = messages_to(email)
    later = rows.filter(state__in=ON_THE_WAY).update(forget_after_send=True)
    now = rows.exclude(state__in=ON_THE_WAY).update(**FORGOTTEN)
    undeliverable, _ = UndeliverableAddress.objects.filter(email_key=address_key(email)).delete()
    return {"messages": now + later, "undeliverable": undeliverable}


def forget_if_asked(*, message_id: int) -> None:
    """After a row's delivery ended (sent, failed, skipped): empty it if it was marked."""
    OutgoingMessage.objects.filter(
        Q(pk=message_id, forget_after_send=True) & ~Q(state__in=ON_THE_WAY)
    ).update(**FORGOTTEN)
