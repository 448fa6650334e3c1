"""Sending a survey after its event, and its one reminder: what the beat runs.

A survey is claimed by one conditional UPDATE of sent_at (null -> now) in the transaction that
creates its invitations and queues their emails, so a second beat, a rerun or a race between
two workers never mails anyone twice; a reminder is claimed per invitation the same way
(reminded_at), as calls/services/invitations.py does for a call's reminder. The emails go to the
outbox in the same transaction and are enqueued after it commits (worker.services).
"""

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from events.models import Event, Registration
from worker.services import queue_messages

from ..emails import survey_message, survey_reminder_message
from ..models import Survey, SurveyInvitation


def audience(survey: Survey) -> "list[Registration]":
    """Who is asked: confirmed participants, or only those who checked in (an anonymised
    registration, erased or past its retention, has nobody to ask)."""
    registrations = Registration.objects.filter(
        event_id=survey.event_id,
        status=Registration.Status.CONFIRMED,
        anonymised_at__isnull=True,
    )
    if survey.audience == Survey.Audience.CHECKED_IN:
        registrations = registrations.filter(checked_in_at__isnull=False)
    return list(registrations.order_by("pk"))


def due_surveys(now: dt.datetime) -> list[Survey]:
    """Unsent surveys with questions whose event (published, not cancelled) ended at least
    send_after_hours ago and whose links would still be open."""
    candidates = (
        Survey.objects.filter(
            sent_at__isnull=True,
            event__status=Event.Status.PUBLISHED,
            event__ends_at__lte=now,
            questions__isnull=False,
        )
        .distinct()
        .select_related("event", "event__host")
    )
    return [
        survey
        for survey in candidates
        if survey.send_at() <= now < survey.send_at() + dt.timedelta(days=survey.open_days)
    ]


def send_survey(*, survey_id: int, now: dt.datetime) -> int:
    """Claim the survey, create one invitation per participant asked and queue their emails.
    Returns how many were invited (0 when another run had claimed it)."""
    with transaction.atomic(durable=True):
        claimed = Survey.objects.filter(pk=survey_id, sent_at__isnull=True).update(sent_at=now)
        if not claimed:
            return 0
        survey = Survey.objects.select_related("event", "event__host").get(pk=survey_id)
        registrations = audience(survey)
        invitations = SurveyInvitation.objects.bulk_create(
            [
                SurveyInvitation(survey=survey, registration=r, language=r.language)
                for r in registrations
            ]
        )
        queue_messages(
            messages=[
                survey_message(invitation=invitation, registration=registration, survey=survey)
                for invitation, registration in zip(invitations, registrations, strict=True)
            ]
        )
    return len(invitations)


def send_due_surveys(*, now: dt.datetime | None = None) -> int:
    """Beat: every survey that is due. Returns how many invitations were created."""
    now = now or timezone.now()
    return sum(send_survey(survey_id=survey.pk, now=now) for survey in due_surveys(now))


def send_survey_reminders(*, now: dt.datetime | None = None) -> int:
    """Beat: one reminder to each invitee who has not answered, reminder_after_hours after the
    survey was sent, while it is open. Each invitation claimed by a conditional UPDATE."""
    now = now or timezone.now()
    sent = 0
    surveys = Survey.objects.filter(
        sent_at__isnull=False, sent_at__lte=now, reminder_after_hours__isnull=False
    ).select_related("event", "event__host")
    for survey in surveys:
        assert survey.sent_at is not None and survey.reminder_after_hours is not None
        if not (
            survey.sent_at + dt.timedelta(hours=survey.reminder_after_hours) <= now
            and survey.is_open(now)
        ):
            continue
        pending = (
            SurveyInvitation.objects.filter(
                Q(registration__status=Registration.Status.CONFIRMED),
                survey=survey,
                answered_at__isnull=True,
                reminded_at__isnull=True,
                anonymised_at__isnull=True,  # erased: the address is gone
            )
            .select_related("registration")
            .order_by("pk")
        )
        for invitation in pending.iterator():
            with transaction.atomic(durable=True):
                claimed = SurveyInvitation.objects.filter(
                    pk=invitation.pk, reminded_at__isnull=True, answered_at__isnull=True
                ).update(reminded_at=now)
                if claimed:
                    queue_messages(
                        messages=[
                            survey_reminder_message(
                                invitation=invitation,
                                registration=invitation.registration,
                                survey=survey,
                            )
                        ]
                    )
                    sent += 1
    return sent
