"""Whose address a recipient sees as the ORGANIZER and envelope sender, and the token in it.

With a mailbox to read (INBOUND_MAIL_URL), every calendar's ORGANIZER and every email's
envelope sender (the Return-Path bounces go to) is ``partnerskap+<token>@domain``, built from
ORGANISER_MAILBOX, with one token per event and address (``ReplyToken``): the same in every
message to that person about that event, so their client sees one organiser throughout, and
a calendar REPLY or a bounce names whom it is about. Without a mailbox the plain
ORGANISER_MAILBOX is used and no calendar asks for an answer (RSVP=FALSE, events.calendar.itip):
an Accept button that leads nowhere is worse than none.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.conf import settings

from worker.composers import envelope_on_send
from worker.inbound import reply_address
from worker.models import OutgoingMessage

from ..models import ReplyToken, email_key


def answers_are_read() -> bool:
    """Whether a mailbox is read for answers (and so whether calendars ask for one)."""
    return bool(settings.INBOUND_MAIL_URL)


def new_reply_token() -> str:
    return secrets.token_hex(16)


def reply_tokens(*, event_id: int, emails: Iterable[str]) -> dict[str, str]:
    """{email_key: token} for the event, created where missing. Two statements for any number."""
    keys = sorted({email_key(email) for email in emails})
    if not keys:
        return {}
    ReplyToken.objects.bulk_create(
        [ReplyToken(event_id=event_id, email_key=key, token=new_reply_token()) for key in keys],
        ignore_conflicts=True,
        batch_size=500,
    )
    return dict(
        ReplyToken.objects.filter(event_id=event_id, email_key__in=keys).values_list(
            "email_key", "token"
        )
    )


def organiser_addresses(*, event_id: int, emails: Iterable[str]) -> dict[str, str]:
    """{email_key: the address to show as ORGANIZER and use as envelope sender}."""
    emails = list(emails)
    if not answers_are_read():
        return {email_key(email): settings.ORGANISER_MAILBOX for email in emails}
    tokens = reply_tokens(event_id=event_id, emails=emails)
    return {key: reply_address(settings.ORGANISER_MAILBOX, token) for key, token in tokens.items()}


def organiser_address(*, event_id: int, email: str) -> str:
    """organiser_addresses() for one address."""
    return organiser_addresses(event_id=event_id, emails=[email])[email_key(email)]


def find_reply_token(token: str) -> ReplyToken | None:
    """The event and address a token was given to (tokens are lower-case; a mail system may
    have changed the case)."""
    return ReplyToken.objects.filter(token=token.lower()).select_related("event").first()


@envelope_on_send
def envelope_sender(row: OutgoingMessage) -> str:
    """The envelope sender for an outbox row about an event ("" for the default): registered
    with the worker when this module is imported (EventsConfig.ready imports it), so a bounce comes back with the token."""
    if row.event_ref is None or not answers_are_read():
        return ""
    return organiser_address(event_id=row.event_ref, email=row.to_email)
