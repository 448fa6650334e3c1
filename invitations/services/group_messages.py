"""Messages an organiser writes to groups of an event's participants and invitees."""

import datetime as dt
import logging
from collections.abc import Sequence
from functools import partial

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Event, Registration, email_key
from worker.services import queue_messages

from .. import emails
from ..models import GroupMessage, Invitation
from .errors import InvitationError

logger = logging.getLogger(__name__)

GROUP_MESSAGE_GRACE = dt.timedelta(minutes=2)


@transaction.atomic(durable=True)
def create_group_message(
    *, event: Event, created_by: User | None, audiences: Sequence[str], subject: str, body: str
) -> GroupMessage:
    wanted = [a for a in audiences if a in GroupMessage.Audience.values]
    if not wanted:
        raise InvitationError(_("Choose at least one group."), field="audiences")
    if not subject.strip() or not body.strip():
        raise InvitationError(_("Write a subject and a message."))
    group_message = GroupMessage.objects.create(
        event=event,
        created_by=created_by,
        audiences=wanted,
        subject=subject.strip(),
        body=body.strip(),
    )
    transaction.on_commit(partial(_enqueue_group_message, group_message.pk))
    return group_message


def enqueue_unsent_group_messages(*, now: dt.datetime) -> None:
    """Beat: group messages whose task never reached the broker (delivery claims each once)."""
    unsent = list(
        GroupMessage.objects.filter(
            sent_at__isnull=True, created_at__lt=now - GROUP_MESSAGE_GRACE
        ).values_list("pk", flat=True)
    )
    for group_message_id in unsent:
        _enqueue_group_message(group_message_id)


def _enqueue_group_message(group_message_id: int) -> None:
    """After commit; on a broker outage the beat task picks the unsent message up later."""
    from ..tasks import deliver_group_message as task

    try:
        task.apply_async(kwargs={"group_message_id": group_message_id})
    except Exception:
        logger.warning(
            "could not enqueue group message %s (the beat task will)",
            group_message_id,
            exc_info=True,
        )


@transaction.atomic(durable=True)
def deliver_group_message(*, group_message_id: int) -> int:
    """One email per recipient, queued in the same transaction that marks the message sent."""
    claimed = GroupMessage.objects.filter(pk=group_message_id, sent_at__isnull=True).update(
        sent_at=timezone.now()
    )
    if not claimed:
        return 0
    group_message = GroupMessage.objects.select_related("event__host").get(pk=group_message_id)
    event = group_message.event
    messages = []
    seen: set[str] = set()
    statuses = [a for a in group_message.audiences if a in Registration.Status.values]
    for registration in Registration.objects.filter(event=event, status__in=statuses):
        seen.add(email_key(registration.email))
        messages.append(
            emails.group_message(
                event=event,
                subject=group_message.subject,
                body=group_message.body,
                to_email=registration.email,
                to_name=registration.name,
                language=registration.language,
                link=emails.absolute_url(registration.get_absolute_url()),
                registration_id=registration.pk,
                person_id=registration.person_id,
            )
        )
    invitation_states = {
        GroupMessage.Audience.NO_ANSWER: Invitation.State.PENDING,
        GroupMessage.Audience.DECLINED: Invitation.State.DECLINED,
    }
    states = [invitation_states[a] for a in group_message.audiences if a in invitation_states]
    for invitation in Invitation.objects.filter(event=event, state__in=states):
        if email_key(invitation.email) in seen:
            continue
        seen.add(email_key(invitation.email))
        messages.append(
            emails.group_message(
                event=event,
                subject=group_message.subject,
                body=group_message.body,
                to_email=invitation.email,
                to_name=invitation.name,
                language=invitation.language,
                link=emails.absolute_url(invitation.get_absolute_url()),
                invitation_id=invitation.pk,
                person_id=invitation.person_id,
                opt_out_url=emails.invitation_links(token=invitation.token)["opt_out_url"],
            )
        )
    queue_messages(messages=messages)
    GroupMessage.objects.filter(pk=group_message_id).update(recipient_count=len(messages))
    return len(messages)
