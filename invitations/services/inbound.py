"""What the mailbox brings back about an event, step one: what it is, whom it is about, listed.

`handle_inbound` is registered with worker.handlers (InvitationsConfig.ready) and runs inside
the mailbox's transaction, which also records the InboundMessage. It writes one InboundReply
per message and changes nothing else, with one exception: a permanent bounce marks the
outgoing row and the address at once (worker.bounces writes no durable transaction). A
calendar answer that may change something is recorded as pending and applied after the commit
by invitations.services.calendar_answers (the events and invitations services are durable
transactions of their own and cannot run inside the mailbox's); the beat applies any left
pending. Nothing is trusted but the reply token, the UID and the invited address (DESIGN
rule 11), and nothing here sends mail.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from email.message import EmailMessage
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Lower

from events.calendar.components import event_uid
from events.calendar.organizer import find_reply_token
from events.calendar.sequences import highest_sequence
from events.models import Event, Registration, email_key
from worker.bounces import record_bounce
from worker.inbound import Inbound, Kind, classify
from worker.models import InboundMessage, OutgoingMessage

from ..models import InboundReply, Invitation, SendOut
from . import calendar_answers

logger = logging.getLogger(__name__)

Outcome = InboundReply.Outcome
# A REPLY stamped this long before the last calendar we sent it (same SEQUENCE) is still taken
# as an answer to it: the answering client's clock may be behind ours.
CLOCK_TOLERANCE = dt.timedelta(minutes=5)
ANSWERS = ("ACCEPTED", "DECLINED", "TENTATIVE")


@dataclass(frozen=True)
class Target:
    """Whom a reply token names: the event, the invited address, and what that address holds."""

    event: Event
    email: str  # the token's email_key
    invitation: Invitation | None
    registration: Registration | None  # an active one

    def refs(self) -> dict[str, Any]:
        return {
            "event_id": self.event.pk,
            "invitation_id": self.invitation.pk if self.invitation else None,
            "registration_id": self.registration.pk if self.registration else None,
        }


def find_target(token: str | None) -> Target | None:
    reply_token = find_reply_token(token) if token else None
    if reply_token is None:
        return None
    event, key = reply_token.event, reply_token.email_key
    invitation = (
        Invitation.objects.alias(email_ci=Lower("email")).filter(event=event, email_ci=key).first()
    )
    registration = (
        Registration.objects.alias(email_ci=Lower("email"))
        .filter(event=event, email_ci=key, status__in=Registration.ACTIVE_STATUSES)
        .first()
    )
    return Target(event=event, email=key, invitation=invitation, registration=registration)


def handle_inbound(message: EmailMessage) -> str | None:
    """The mailbox's handler: classify the message, record what it is; returns the outcome."""
    found = classify(message, mailbox=settings.ORGANISER_MAILBOX)
    if found.kind == Kind.UNREADABLE:
        return "unreadable: %s" % found.reason
    target = find_target(found.token)
    if found.kind in (Kind.CALENDAR_REPLY, Kind.CALENDAR_COUNTER):
        reply = _calendar(found, target)
    elif found.kind in (Kind.BOUNCE, Kind.DELAY):
        reply = _bounce(found, target)
    elif found.kind == Kind.AUTO_REPLY:
        reply = _record(found, target, kind=InboundReply.Kind.AUTO_REPLY, outcome=Outcome.COUNTED)
    else:
        reply = _record(
            found, target, kind=InboundReply.Kind.HUMAN, outcome=Outcome.LISTED, attention=True
        )
    if reply.applying == InboundReply.Applying.PENDING:
        # robust: a failure is logged and left to the beat; it must not undo the mailbox's move.
        transaction.on_commit(partial(calendar_answers.apply_reply, reply_id=reply.pk), robust=True)
    line = "%s: %s" % (reply.kind, reply.outcome or reply.applying)
    return line if target is None else "%s (event %s)" % (line, target.event.pk)


def _record(
    found: Inbound,
    target: Target | None,
    *,
    kind: str,
    outcome: str = "",
    attention: bool = False,
    **fields: Any,
) -> InboundReply:
    return InboundReply.objects.create(
        inbound=_inbound_message(found.message_id),
        kind=kind,
        sender=found.sender[:254],
        subject=found.subject[:255],
        excerpt=found.excerpt,
        outcome=outcome,
        needs_attention=attention,
        **{**(target.refs() if target else {}), **fields},
    )


def _inbound_message(message_id: str | None) -> InboundMessage | None:
    """The mailbox's row for this message, written just before in this transaction."""
    if not message_id:
        return None
    return (
        InboundMessage.objects.filter(message_id=message_id.strip()[:255], outcome="")
        .order_by("-pk")
        .first()
    )


# Calendar answers -------------------------------------------------------------------------


def _calendar(found: Inbound, target: Target | None) -> InboundReply:
    answer = found.calendar
    assert answer is not None
    fields: dict[str, Any] = {
        "partstat": answer.partstat[:20],
        "note": answer.comment[:2000],
    }
    mismatch = _mismatch(found, target)
    if mismatch or target is None:
        return _record(
            found,
            None,
            kind=InboundReply.Kind.UNMATCHED,
            outcome=mismatch or Outcome.UNKNOWN_TOKEN,
            attention=True,
            event_id=target.event.pk if target else None,
            **fields,
        )
    if answer.method == "COUNTER":
        return _record(
            found,
            target,
            kind=InboundReply.Kind.CALENDAR_COUNTER,
            outcome=Outcome.LISTED,
            attention=True,
            proposed_start=answer.proposed_start,
            proposed_end=answer.proposed_end,
            **fields,
        )
    kind = InboundReply.Kind.CALENDAR_REPLY
    if is_stale(found, target):
        return _record(found, target, kind=kind, outcome=Outcome.STALE, attention=True, **fields)
    if answer.partstat not in ANSWERS:
        return _record(
            found, target, kind=kind, outcome=Outcome.UNKNOWN_ANSWER, attention=True, **fields
        )
    if target.registration is not None and answer.partstat != "DECLINED":
        return _record(found, target, kind=kind, outcome=Outcome.RECORDED, **fields)
    if target.registration is None and target.invitation is None:
        return _record(
            found, target, kind=kind, outcome=Outcome.NOT_INVITED, attention=True, **fields
        )
    return _record(found, target, kind=kind, applying=InboundReply.Applying.PENDING, **fields)


def _mismatch(found: Inbound, target: Target | None) -> str:
    """Why this calendar answer is not the invited person's answer to this event ("" if it is)."""
    answer = found.calendar
    assert answer is not None
    if found.token is None:
        return Outcome.NO_TOKEN
    if target is None:
        return Outcome.UNKNOWN_TOKEN
    if answer.uid.strip() != event_uid(target.event):
        return Outcome.WRONG_UID
    if email_key(answer.attendee) != target.email:
        return Outcome.ATTENDEE_MISMATCH
    if email_key(found.sender) != target.email:
        return Outcome.SENDER_MISMATCH
    return ""


def is_stale(found: Inbound, target: Target) -> bool:
    """A REPLY to an older calendar than the last we sent that address: a lower SEQUENCE, or
    the same SEQUENCE stamped before that calendar was sent (less the clock tolerance)."""
    answer = found.calendar
    assert answer is not None
    highest = highest_sequence(event=target.event, email=target.email)
    if highest is None or answer.sequence > highest:
        return False
    if answer.sequence < highest:
        return True
    if answer.dtstamp is None:
        return False
    last_sent = (
        OutgoingMessage.objects.filter(
            event_ref=target.event.pk,
            to_email__iexact=target.email,
            state__in=(OutgoingMessage.State.SENT, OutgoingMessage.State.BOUNCED),
            sent_at__isnull=False,
        )
        .exclude(calendar="")
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)
        .first()
    )
    return last_sent is not None and answer.dtstamp < last_sent - CLOCK_TOLERANCE


# Bounces ----------------------------------------------------------------------------------


def _bounce(found: Inbound, target: Target | None) -> InboundReply:
    bounce = found.bounce
    assert bounce is not None
    row = _bounced_row(target, bounce.original_message_id)
    fields: dict[str, Any] = {"note": ("%s %s" % (bounce.status, bounce.diagnostic)).strip()}
    if row is not None:
        # The row's plain references, where they still name a row.
        fields |= {
            "outgoing": row,
            "sendout_id": _existing(SendOut, row.sendout_ref),
            "invitation_id": _existing(Invitation, row.invitation_ref),
        }
        if target is None:
            fields["event_id"] = _existing(Event, row.event_ref)
    if not bounce.permanent:
        return _record(
            found, target, kind=InboundReply.Kind.DELAY, outcome=Outcome.DELAYED, **fields
        )
    if row is None:
        return _record(
            found,
            target,
            kind=InboundReply.Kind.BOUNCE,
            outcome=Outcome.BOUNCE_UNMATCHED,
            attention=True,
            **fields,
        )
    record_bounce(message=row, status=bounce.status, diagnostic=bounce.diagnostic, permanent=True)
    return _record(
        found,
        target,
        kind=InboundReply.Kind.BOUNCE,
        outcome=Outcome.BOUNCED,
        attention=True,
        **fields,
    )


def _existing(model: type[Event | Invitation | SendOut], pk: int | None) -> int | None:
    return pk if pk is not None and model.objects.filter(pk=pk).exists() else None


def _bounced_row(target: Target | None, original_message_id: str | None) -> OutgoingMessage | None:
    """The message that came back: by the token, the latest sent to that address about that
    event (the returned Message-ID among them if it is one); without a token, by Message-ID."""
    sent = (OutgoingMessage.State.SENT, OutgoingMessage.State.BOUNCED)
    by_id = (
        OutgoingMessage.objects.filter(message_id=original_message_id.strip()).first()
        if original_message_id
        else None
    )
    if target is None:
        return by_id if by_id is not None and by_id.state in sent else None
    if (
        by_id is not None
        and by_id.event_ref == target.event.pk
        and email_key(by_id.to_email) == target.email
    ):
        return by_id
    return (
        OutgoingMessage.objects.filter(
            event_ref=target.event.pk, to_email__iexact=target.email, state__in=sent
        )
        .order_by("-sent_at", "-pk")
        .first()
    )
