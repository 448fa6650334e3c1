"""What the mailbox brings back, step two: apply a calendar answer as the same answer on the web.

invitations.services.inbound records each answer (an InboundReply, applying=pending) inside
the mailbox's transaction; `apply_reply` runs after that commit and calls the same services
the personal link calls (durable transactions of their own), then marks the reply applied or
refused. `apply_pending_replies` (beat, every minute) applies any reply still pending a while
after it was recorded, so a worker killed between the commit and the apply loses nothing.

At most one applier at a time: each claims the row with one conditional UPDATE (pending ->
applying, with the time), and a claim older than CLAIM_TIMEOUT may be taken over (its holder
died). Applying twice is the same as once: a registration already made, an invitation already
declined or a registration already cancelled changes nothing. Nothing here sends mail but what
the services send, and the one link to finish a registration the calendar could not make.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Event, Registration
from events.participants import ParticipantDetails
from events.selectors.public import (
    STATE_CANCELLED,
    STATE_CLOSED,
    STATE_DRAFT,
    STATE_NOT_OPEN,
    STATE_PAST,
    registration_state,
)
from events.services import registering
from events.services.errors import RegistrationError
from worker.services import queue_messages

from .. import emails
from ..models import InboundReply, Invitation, ReminderDelivery
from .answers import decline_invitation, record_open_answer, register_via_invitation
from .errors import InvitationError

logger = logging.getLogger(__name__)

Outcome = InboundReply.Outcome
Applying = InboundReply.Applying
CALENDAR = Invitation.Channel.CALENDAR
# The mailbox's own apply runs right after its commit; the beat leaves it this long first.
PENDING_GRACE = dt.timedelta(seconds=30)
# A claim this old belongs to an applier that died; another may take the reply over.
CLAIM_TIMEOUT = dt.timedelta(minutes=5)
NOT_REGISTERING = (STATE_DRAFT, STATE_CANCELLED, STATE_PAST, STATE_NOT_OPEN, STATE_CLOSED)


@dataclass(frozen=True)
class Applied:
    outcome: str
    note: str = ""
    attention: bool = False


# What the form asks -----------------------------------------------------------------------


def needs_the_form(event: Event, details: ParticipantDetails | None = None) -> bool:
    """Whether registering needs answers only the registration form can give: a required
    question, or (given the details an invitation knows) an organisation or job title, which
    the form requires too. Sessions, consents, dietary and accessibility needs are optional
    in the form and can be changed later through the personal link."""
    if event.questions.filter(required=True).exists():
        return True
    if details is None:
        return False
    has_organisation = details.organisation is not None or bool(details.organisation_name.strip())
    return not has_organisation or not details.title.strip()


def invitation_details(invitation: Invitation) -> ParticipantDetails:
    """What the invitation knows about the person, as the form would be filled in (the
    invitee's page starts the form with the same)."""
    person = invitation.person
    return ParticipantDetails(
        name=invitation.name,
        email=invitation.email,
        organisation=invitation.organisation or (person.organisation if person else None),
        title=person.title if person else "",
        phone=person.phone if person else "",
        language=invitation.language,
    )


# Applying ---------------------------------------------------------------------------------


def apply_reply(*, reply_id: int, now: dt.datetime | None = None) -> str | None:
    """Apply one recorded calendar answer if no one else is; returns its outcome (None when
    another applier holds it, or it is done). `now`: the clock the claim is judged by."""
    claimed_at = _claim(reply_id, now or timezone.now())
    if claimed_at is None:
        return None
    reply = InboundReply.objects.get(pk=reply_id)
    try:
        result = _apply(reply)
    except (RegistrationError, InvitationError) as error:
        result = Applied(Outcome.REFUSED, note=str(error.message), attention=True)
    except Exception:
        # Left claimed: the beat takes it over after CLAIM_TIMEOUT and tries again.
        logger.exception("inbound reply %s: applying failed", reply_id)
        return None
    state = Applying.REFUSED if result.outcome == Outcome.REFUSED else Applying.APPLIED
    InboundReply.objects.filter(pk=reply_id, applying=Applying.APPLYING).update(
        applying=state,
        outcome=result.outcome,
        note="\n".join(filter(None, [result.note, reply.note]))[:2000],
        needs_attention=result.attention,
    )
    return result.outcome


def apply_pending_replies(*, now: dt.datetime | None = None) -> int:
    """Beat: apply the replies still pending after PENDING_GRACE, and those whose applier
    died. Returns how many were applied now."""
    now = now or timezone.now()
    due = InboundReply.objects.filter(
        Q(applying=Applying.PENDING, created_at__lt=now - PENDING_GRACE)
        | Q(applying=Applying.APPLYING, claimed_at__lt=now - CLAIM_TIMEOUT)
    ).order_by("pk")
    return sum(
        apply_reply(reply_id=pk, now=now) is not None for pk in due.values_list("pk", flat=True)
    )


def _claim(reply_id: int, now: dt.datetime) -> dt.datetime | None:
    """One conditional UPDATE: this applier's claim on the reply, or None."""
    claimed = (
        InboundReply.objects.filter(pk=reply_id)
        .filter(
            Q(applying=Applying.PENDING)
            | Q(applying=Applying.APPLYING, claimed_at__lt=now - CLAIM_TIMEOUT)
        )
        .update(applying=Applying.APPLYING, claimed_at=now)
    )
    return now if claimed else None


def _apply(reply: InboundReply) -> Applied:
    if reply.registration_id is not None:
        return _to_registration(reply)
    if reply.invitation_id is None:
        return Applied(Outcome.NOT_INVITED, attention=True)
    invitation = Invitation.objects.select_related(
        "event", "person", "person__organisation", "organisation", "registration"
    ).get(pk=reply.invitation_id)
    if reply.partstat == "DECLINED":
        return _decline(invitation)
    if reply.partstat == "TENTATIVE":
        changed = record_open_answer(
            invitation=invitation, state=Invitation.State.TENTATIVE, channel=CALENDAR
        )
        return Applied(Outcome.TENTATIVE if changed else Outcome.UNCHANGED)
    return _accept(invitation)


def _to_registration(reply: InboundReply) -> Applied:
    """A registration's holder declined in their calendar: cancelled as through the personal
    link (the seat handed on, the CANCEL sent); their invitation, if any, reads declined."""
    assert reply.registration_id is not None
    registration = Registration.objects.get(pk=reply.registration_id)
    already = registration.status == Registration.Status.CANCELLED
    registering.cancel_registration(registration_id=registration.pk)
    if reply.invitation_id is not None:
        invitation = Invitation.objects.select_related("event", "registration").get(
            pk=reply.invitation_id
        )
        if invitation.state != Invitation.State.DECLINED:
            decline_invitation(invitation=invitation, channel=CALENDAR)
            already = False
    return Applied(Outcome.UNCHANGED if already else Outcome.CANCELLED)


def _decline(invitation: Invitation) -> Applied:
    registration = invitation.registration
    holds = registration is not None and registration.status in Registration.ACTIVE_STATUSES
    if invitation.state == Invitation.State.DECLINED and not holds:
        return Applied(Outcome.UNCHANGED)
    decline_invitation(invitation=invitation, channel=CALENDAR)
    return Applied(Outcome.DECLINED)


def _accept(invitation: Invitation) -> Applied:
    registration = invitation.registration
    if registration is not None and registration.status in Registration.ACTIVE_STATUSES:
        return Applied(Outcome.UNCHANGED)
    event = invitation.event
    details = invitation_details(invitation)
    if not needs_the_form(event, details):
        registration = register_via_invitation(
            invitation=invitation, details=details, channel=CALENDAR
        )
        if registration.status == Registration.Status.CONFIRMED:
            return Applied(Outcome.REGISTERED)
        return Applied(Outcome.WAITLISTED)
    if registration_state(event) in NOT_REGISTERING:
        return Applied(Outcome.REFUSED, note=_closed_message(event), attention=True)
    changed = record_open_answer(
        invitation=invitation, state=Invitation.State.ACCEPTED, channel=CALENDAR
    )
    if send_finish_link(invitation=invitation):
        return Applied(Outcome.FINISH_SENT)
    return Applied(Outcome.ACCEPTED if changed else Outcome.UNCHANGED)


def _closed_message(event: Event) -> str:
    """Why the web form would not register now either (the events service's own words)."""
    state = registration_state(event)
    messages = {
        STATE_DRAFT: _("This event is not open for registration."),
        STATE_CANCELLED: _("This event has been cancelled."),
        STATE_PAST: _("This event is over."),
        STATE_NOT_OPEN: _("Registration has not opened yet."),
        STATE_CLOSED: _("Registration for this event is closed."),
    }
    return str(messages.get(state, ""))


def send_finish_link(*, invitation: Invitation) -> bool:
    """Mail the invitee the personal link to finish registering; once per invitation (the
    unique ReminderDelivery). Returns whether it was queued now."""
    try:
        with transaction.atomic(durable=True):
            ReminderDelivery.objects.create(
                kind=ReminderDelivery.Kind.FINISH, invitation=invitation
            )
            queue_messages(
                messages=[
                    emails.finish_registration_message(
                        invitation=invitation, event=invitation.event
                    )
                ]
            )
    except IntegrityError:
        return False
    return True
