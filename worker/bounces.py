"""Bounced messages and undeliverable addresses: the outbox side of a returned message.

A permanent bounce marks the outgoing row ``bounced`` (with the diagnostic as its last answer)
and the address undeliverable; worker.delivery then sends that address nothing more, until an
organiser corrects or clears it. Knows no domain: the app that reads the bounce (through the
inbound handlers) says which row it is about.
"""

from collections.abc import Iterable

from django.utils import timezone

from .models import OutgoingMessage, UndeliverableAddress

State = OutgoingMessage.State


def address_key(email: str) -> str:
    return email.strip().lower()


def undeliverable_among(emails: Iterable[str]) -> set[str]:
    """The addresses (as keys) among these that are marked undeliverable. One query."""
    keys = {address_key(email) for email in emails}
    if not keys:
        return set()
    return set(
        UndeliverableAddress.objects.filter(email_key__in=keys).values_list("email_key", flat=True)
    )


def is_undeliverable(email: str) -> bool:
    return bool(undeliverable_among([email]))


def record_bounce(
    *, message: OutgoingMessage, status: str, diagnostic: str, permanent: bool = True
) -> bool:
    """Record that `message` came back. Permanent: the row becomes bounced and its address
    undeliverable. Returns whether anything changed (a second report changes nothing)."""
    if not permanent:
        return False
    changed = bool(
        OutgoingMessage.objects.filter(pk=message.pk)
        .exclude(state=State.BOUNCED)
        .update(
            state=State.BOUNCED,
            bounced_at=timezone.now(),
            last_response=("%s %s" % (status, diagnostic)).strip()[:2000],
        )
    )
    _, created = UndeliverableAddress.objects.get_or_create(
        email_key=address_key(message.to_email),
        defaults={"status": status[:20], "diagnostic": diagnostic[:2000], "message": message},
    )
    return changed or created


def clear_undeliverable(email: str) -> bool:
    """An organiser says the address works again (or it was corrected): mail may go to it."""
    deleted, _ = UndeliverableAddress.objects.filter(email_key=address_key(email)).delete()
    return bool(deleted)
