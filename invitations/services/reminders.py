"""Reminders: to invitees who have not answered, and to confirmed participants."""

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Event, Registration
from worker.services import Message, queue_messages

from .. import emails
from ..models import EventReminderSettings, Invitation, ReminderDelivery
from .answers import reconcile_invitations

DEFAULT_INVITEE_DAYS = EventReminderSettings._meta.get_field(
    "remind_invitees_days_before_close"
).get_default()
DEFAULT_PARTICIPANT_DAYS = EventReminderSettings._meta.get_field(
    "remind_participants_days_before"
).get_default()


@transaction.atomic(durable=True)
def update_reminder_settings(
    *,
    event: Event,
    remind_invitees_days_before_close: int | None,
    remind_participants_days_before: int | None,
) -> EventReminderSettings:
    for value in (remind_invitees_days_before_close, remind_participants_days_before):
        if value is not None and not 0 <= value <= 60:
            raise ValidationError(_("Choose a number of days between 0 and 60."))
    settings_row, _created = EventReminderSettings.objects.update_or_create(
        event=event,
        defaults={
            "remind_invitees_days_before_close": remind_invitees_days_before_close,
            "remind_participants_days_before": remind_participants_days_before,
        },
    )
    return settings_row


def _reminder_days(event: Event, attribute: str, default: int) -> int | None:
    try:
        # Reverse one-to-one from this app (select_related by the callers); events cannot name it.
        return getattr(event.reminder_settings, attribute)  # type: ignore[attr-defined]
    except EventReminderSettings.DoesNotExist:
        return default


def _deliver_once(*, kind: str, build: Callable[[], Message], **target: Any) -> bool:
    """Record the reminder and queue its message in one transaction; the unique constraint
    turns a second attempt (another run, another beat process) into a no-op."""
    try:
        with transaction.atomic(durable=True):
            ReminderDelivery.objects.create(kind=kind, **target)
            queue_messages(messages=[build()])
    except IntegrityError:
        return False
    return True


def send_invitee_reminders(*, now: dt.datetime | None = None) -> int:
    """Remind invitees who have not answered, N days before registration closes."""
    now = now or timezone.now()
    sent = 0
    events = Event.objects.filter(
        status=Event.Status.PUBLISHED,
        registration_closes_at__gt=now,
        ends_at__gt=now,
    ).select_related("reminder_settings", "network")
    for event in events:
        days = _reminder_days(event, "remind_invitees_days_before_close", DEFAULT_INVITEE_DAYS)
        assert event.registration_closes_at is not None
        if days is None or now < event.registration_closes_at - dt.timedelta(days=days):
            continue
        pending = Invitation.objects.filter(event=event, state__in=Invitation.OPEN_STATES).exclude(
            reminders__kind=ReminderDelivery.Kind.INVITEE
        )
        for invitation in pending.iterator():
            sent += _deliver_once(
                kind=ReminderDelivery.Kind.INVITEE,
                invitation=invitation,
                build=partial(emails.invitee_reminder_message, invitation=invitation, event=event),
            )
    return sent


def send_participant_reminders(*, now: dt.datetime | None = None) -> int:
    """Remind confirmed participants N days before the event, with the calendar again."""
    now = now or timezone.now()
    sent = 0
    events = Event.objects.filter(status=Event.Status.PUBLISHED, starts_at__gt=now).select_related(
        "reminder_settings", "network"
    )
    for event in events:
        days = _reminder_days(event, "remind_participants_days_before", DEFAULT_PARTICIPANT_DAYS)
        if days is None or now < event.starts_at - dt.timedelta(days=days):
            continue
        confirmed = Registration.objects.filter(
            event=event, status=Registration.Status.CONFIRMED
        ).exclude(reminders__kind=ReminderDelivery.Kind.PARTICIPANT)
        for registration in confirmed.iterator():
            sent += _deliver_once(
                kind=ReminderDelivery.Kind.PARTICIPANT,
                registration=registration,
                build=partial(
                    emails.participant_reminder_message, registration=registration, event=event
                ),
            )
    return sent


def send_reminders(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Beat: invitations answered through the public form are recorded first, so their holders
    are not reminded to answer; then both kinds of reminder."""
    reconcile_invitations()
    return send_invitee_reminders(now=now), send_participant_reminders(now=now)
