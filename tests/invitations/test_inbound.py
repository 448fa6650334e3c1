"""Calendar answers from the mailbox: built from the REQUEST we sent, handled as the mailbox does
(worker.handlers inside its transaction, then after commit), asserted as a person would notice."""

import datetime as dt

import pytest
from django.utils import timezone

from events.models import Registration
from events.participants import ParticipantDetails
from events.services.registering import register_participant
from invitations.models import InboundReply, Invitation, ReminderDelivery
from invitations.services import calendar_answers, reminders
from invitations.services.answers import decline_invitation, register_via_invitation
from invitations.services.calendar_answers import needs_the_form
from tests.factories import QuestionFactory
from worker.delivery import deliver_queued
from worker.models import OutgoingMessage

from .mailbox_replies import CLIENTS, calendar_reply

Outcome = InboundReply.Outcome


def _confirmation(registration: Registration) -> OutgoingMessage:
    deliver_queued()
    return (
        OutgoingMessage.objects.filter(registration_ref=registration.pk)
        .exclude(calendar="")
        .latest("pk")
    )


def _reply(invitation: Invitation) -> InboundReply:
    return InboundReply.objects.filter(event=invitation.event).latest("pk")


# REPLY to an invitation ------------------------------------------------------------------


@pytest.mark.parametrize("language", ["nb", "en"])
@pytest.mark.parametrize("client", CLIENTS)
def test_accepted_in_calendar_registers_as_the_form_would(event, invite, mailbox, client, language):
    invitation, sent = invite(event)
    outcome = mailbox(
        calendar_reply(sent.calendar, client=client, partstat="ACCEPTED", language=language)
    )
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.REGISTERED
    assert invitation.channel == Invitation.Channel.CALENDAR
    assert invitation.answered_at is not None
    registration = invitation.registration
    assert registration.status == Registration.Status.CONFIRMED
    assert (registration.title, registration.organisation.name) == (
        "Miljøsjef",
        "Industrial Green Tech",
    )
    assert OutgoingMessage.objects.filter(registration_ref=registration.pk).exists()  # receipt
    reply = _reply(invitation)
    assert (reply.kind, reply.applying, reply.outcome) == (
        "calendar_reply",
        "applied",
        "registered",
    )
    assert reply.invitation == invitation and not reply.needs_attention
    assert outcome.startswith("calendar_reply: pending")


def test_accepted_in_calendar_when_full_joins_the_waiting_list(make_event, invite, mailbox):
    event = make_event(capacity=0)
    invitation, sent = invite(event)
    mailbox(calendar_reply(sent.calendar, client="gmail", partstat="ACCEPTED"))
    invitation.refresh_from_db()
    assert invitation.registration.status == Registration.Status.WAITLISTED
    assert _reply(invitation).outcome == Outcome.WAITLISTED


def test_accepted_in_calendar_when_full_without_waiting_list_is_refused_and_listed(
    make_event, invite, mailbox
):
    event = make_event(capacity=0, waiting_list_mode="none")
    invitation, sent = invite(event)
    mailbox(calendar_reply(sent.calendar, client="outlook", partstat="ACCEPTED"))
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.PENDING and invitation.registration is None
    reply = _reply(invitation)
    assert (reply.applying, reply.outcome, reply.needs_attention) == ("refused", "refused", True)
    assert "full" in reply.note or "fullt" in reply.note


@pytest.mark.parametrize(("client", "language"), [("outlook", "nb"), ("thunderbird", "en")])
def test_declined_in_calendar_declines_as_the_link_does(event, invite, mailbox, client, language):
    invitation, sent = invite(event)
    before = OutgoingMessage.objects.count()
    mailbox(calendar_reply(sent.calendar, client=client, partstat="DECLINED", language=language))
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.DECLINED
    assert invitation.channel == Invitation.Channel.CALENDAR
    assert OutgoingMessage.objects.count() == before  # no mail in answer to mail
    assert _reply(invitation).outcome == Outcome.DECLINED


def test_tentative_in_calendar_is_recorded_and_reminders_go_on(make_event, invite, mailbox):
    now = timezone.now()
    event = make_event(registration_closes_at=now + dt.timedelta(days=1))
    invitation, sent = invite(event)
    mailbox(calendar_reply(sent.calendar, client="apple", partstat="TENTATIVE"))
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.TENTATIVE
    assert invitation.channel == Invitation.Channel.CALENDAR
    assert reminders.send_invitee_reminders() == 1
    reminder = OutgoingMessage.objects.get(kind="invitation_reminder")
    assert reminder.to_email == invitation.email


def test_accepted_when_the_event_asks_questions_sends_the_link_to_finish_once(
    make_event, invite, mailbox
):
    now = timezone.now()
    event = make_event(registration_closes_at=now + dt.timedelta(days=1))
    QuestionFactory(event=event, label="Hva vil du snakke om?", required=True)
    invitation, sent = invite(event, email="emma.wilson@example.org")  # writes in English
    mailbox(calendar_reply(sent.calendar, client="gmail", partstat="ACCEPTED", language="en"))
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.ACCEPTED
    assert invitation.channel == Invitation.Channel.CALENDAR
    assert not Registration.objects.filter(event=event).exists()
    finish = OutgoingMessage.objects.get(kind="finish_registration")
    assert finish.to_email == "emma.wilson@example.org"
    assert finish.subject == "Finish your registration for Klimamøte"
    assert invitation.get_absolute_url() in finish.text_body
    assert _reply(invitation).outcome == Outcome.FINISH_SENT

    # Accepting again (another client, a second click) sends nothing more.
    mailbox(calendar_reply(sent.calendar, client="outlook", partstat="ACCEPTED", language="en"))
    assert OutgoingMessage.objects.filter(kind="finish_registration").count() == 1
    assert _reply(invitation).outcome == Outcome.UNCHANGED

    # The reminder before registration closes says to finish, not to answer.
    assert reminders.send_invitee_reminders() == 1
    reminder = OutgoingMessage.objects.get(kind="invitation_reminder")
    assert reminder.subject == "Reminder: finish your registration for Klimamøte"
    assert "accepting the invitation in your calendar" in reminder.text_body


def test_finish_link_in_bokmal(make_event, invite, mailbox):
    event = make_event()
    QuestionFactory(event=event, required=True)
    invitation, sent = invite(event)
    mailbox(calendar_reply(sent.calendar, client="thunderbird", partstat="ACCEPTED"))
    finish = OutgoingMessage.objects.get(kind="finish_registration")
    assert finish.subject == "Fullfør påmeldingen din til Klimamøte"
    assert finish.language == "nb"


# REPLY to a registration -----------------------------------------------------------------


def test_declined_in_calendar_cancels_the_registration_and_hands_the_seat_on(
    make_event, invite, mailbox
):
    event = make_event(capacity=1, waiting_list_mode="automatic")
    invitation, _ = invite(event)
    registration = register_via_invitation(
        invitation=invitation,
        details=ParticipantDetails(name="Jonas Berg", email=invitation.email, title="Miljøsjef"),
    )
    waiting = register_participant(
        event=event, details=ParticipantDetails(name="Kari Venter", email="kari@example.org")
    )
    assert waiting.status == Registration.Status.WAITLISTED
    confirmation = _confirmation(registration)
    mailbox(calendar_reply(confirmation.calendar, client="outlook", partstat="DECLINED"))
    registration.refresh_from_db()
    waiting.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert waiting.status == Registration.Status.CONFIRMED
    cancel = OutgoingMessage.objects.get(registration_ref=registration.pk, calendar_method="CANCEL")
    assert "METHOD:CANCEL" in cancel.calendar
    invitation.refresh_from_db()
    assert (invitation.state, invitation.channel) == ("declined", "calendar")
    reply = _reply(invitation)
    assert (reply.registration, reply.outcome) == (registration, Outcome.CANCELLED)


@pytest.mark.parametrize("partstat", ["ACCEPTED", "TENTATIVE"])
def test_accepted_or_tentative_to_a_registration_is_recorded_only(event, invite, mailbox, partstat):
    invitation, _ = invite(event)
    registration = register_via_invitation(
        invitation=invitation,
        details=ParticipantDetails(name="Jonas Berg", email=invitation.email, title="Miljøsjef"),
    )
    confirmation = _confirmation(registration)
    before = OutgoingMessage.objects.count()
    mailbox(calendar_reply(confirmation.calendar, client="gmail", partstat=partstat))
    registration.refresh_from_db()
    invitation.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert invitation.state == Invitation.State.REGISTERED
    assert OutgoingMessage.objects.count() == before
    reply = _reply(invitation)
    assert (reply.registration, reply.outcome, reply.applying) == (registration, "recorded", "")


# Stale, forged, unmatched ----------------------------------------------------------------


def test_reply_to_the_invitation_after_the_confirmation_is_stale(event, invite, mailbox):
    invitation, sent = invite(event)
    registration = register_via_invitation(
        invitation=invitation,
        details=ParticipantDetails(name="Jonas Berg", email=invitation.email, title="Miljøsjef"),
    )
    _confirmation(registration)  # a higher SEQUENCE than the invitation's
    mailbox(calendar_reply(sent.calendar, client="apple", partstat="DECLINED"))
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    reply = _reply(invitation)
    assert (reply.outcome, reply.needs_attention) == (Outcome.STALE, True)


def test_reply_stamped_before_the_last_calendar_was_sent_is_stale(event, invite, mailbox):
    invitation, sent = invite(event)
    stamp = sent.sent_at - dt.timedelta(hours=1)
    mailbox(calendar_reply(sent.calendar, client="gmail", partstat="DECLINED", dtstamp=stamp))
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.PENDING
    assert _reply(invitation).outcome == Outcome.STALE
    # Within the clock tolerance it is an answer.
    stamp = sent.sent_at - dt.timedelta(minutes=2)
    mailbox(calendar_reply(sent.calendar, client="gmail", partstat="DECLINED", dtstamp=stamp))
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.DECLINED


@pytest.mark.parametrize(
    ("change", "outcome"),
    [
        ({"to": "partnerskap+0123456789abcdef0123456789abcdef@vtfk.example"}, "unknown_token"),
        ({"to": "partnerskap@vtfk.example"}, "no_token"),
        ({"uid": "another-event@partnerskap.test"}, "wrong_uid"),
        ({"attendee": "someone.else@example.org"}, "attendee_mismatch"),
        ({"sender": "forger@example.org"}, "sender_mismatch"),
    ],
)
def test_reply_that_does_not_match_changes_nothing_and_is_listed(
    event, invite, mailbox, change, outcome
):
    invitation, sent = invite(event)
    mailbox(calendar_reply(sent.calendar, client="thunderbird", partstat="ACCEPTED", **change))
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.PENDING
    assert not Registration.objects.filter(event=event).exists()
    reply = InboundReply.objects.get()
    assert (reply.kind, reply.outcome, reply.needs_attention) == ("unmatched", outcome, True)
    # Listed for this event's organisers whenever the token is ours.
    assert reply.event == (None if outcome in ("unknown_token", "no_token") else event)
    assert reply.partstat == "ACCEPTED"


def test_counter_is_listed_with_the_proposed_time_and_changes_nothing(event, invite, mailbox):
    invitation, sent = invite(event)
    proposed = (event.starts_at + dt.timedelta(days=1)).replace(microsecond=0)
    mailbox(
        calendar_reply(
            sent.calendar,
            client="outlook",
            partstat="TENTATIVE",
            method="COUNTER",
            proposed_start=proposed,
        )
    )
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.PENDING
    reply = InboundReply.objects.get()
    assert reply.kind == "calendar_counter" and reply.needs_attention
    assert reply.proposed_start == proposed and reply.invitation == invitation


# Applied once ----------------------------------------------------------------------------


def test_applying_twice_changes_things_once(event, invite, mailbox):
    invitation, sent = invite(event)
    mailbox(calendar_reply(sent.calendar, client="gmail", partstat="ACCEPTED"))
    reply = _reply(invitation)
    receipts = OutgoingMessage.objects.filter(kind="registration_receipt").count()
    InboundReply.objects.filter(pk=reply.pk).update(applying="pending")  # as if never marked
    assert calendar_answers.apply_reply(reply_id=reply.pk) == Outcome.UNCHANGED
    assert calendar_answers.apply_reply(reply_id=reply.pk) is None  # done: nothing to claim
    assert Registration.objects.filter(event=event).count() == 1
    assert OutgoingMessage.objects.filter(kind="registration_receipt").count() == receipts


def test_a_worker_killed_after_the_commit_loses_nothing(event, invite, mailbox):
    invitation, sent = invite(event)
    mailbox(
        calendar_reply(sent.calendar, client="outlook", partstat="DECLINED"), after_commit=False
    )
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.PENDING
    assert calendar_answers.apply_pending_replies() == 0  # not yet: the worker may still apply
    later = timezone.now() + dt.timedelta(minutes=1)
    assert calendar_answers.apply_pending_replies(now=later) == 1
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.DECLINED
    assert calendar_answers.apply_pending_replies(now=later) == 0


def test_a_claim_is_taken_over_only_after_its_holder_died(event, invite, mailbox):
    invitation, sent = invite(event)
    mailbox(calendar_reply(sent.calendar, client="gmail", partstat="DECLINED"), after_commit=False)
    reply = _reply(invitation)
    now = timezone.now()
    InboundReply.objects.filter(pk=reply.pk).update(applying="applying", claimed_at=now)
    assert calendar_answers.apply_reply(reply_id=reply.pk) is None  # someone else holds it
    assert calendar_answers.apply_pending_replies(now=now + dt.timedelta(minutes=1)) == 0
    InboundReply.objects.filter(pk=reply.pk).update(claimed_at=now - dt.timedelta(minutes=10))
    assert calendar_answers.apply_pending_replies(now=now + dt.timedelta(minutes=1)) == 1
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.DECLINED


def test_the_beat_judges_a_dead_claim_by_the_clock_it_is_given(event, invite, mailbox):
    """The beat that picks a claim as dead takes it over by the same clock (it once picked
    it by the given time and then refused it by the real one, applying nothing)."""
    invitation, sent = invite(event)
    mailbox(calendar_reply(sent.calendar, client="gmail", partstat="DECLINED"), after_commit=False)
    reply = _reply(invitation)
    now = timezone.now()
    InboundReply.objects.filter(pk=reply.pk).update(applying="applying", claimed_at=now)
    assert calendar_answers.apply_pending_replies(now=now + dt.timedelta(minutes=10)) == 1
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.DECLINED


# The rules -------------------------------------------------------------------------------


def test_needs_the_form_for_a_required_question_or_missing_details(event):
    full = ParticipantDetails(
        name="Jonas Berg", email="j@example.org", organisation_name="IGT", title="Miljøsjef"
    )
    assert not needs_the_form(event)
    assert not needs_the_form(event, full)
    QuestionFactory(event=event, required=False)
    assert not needs_the_form(event, full)
    assert needs_the_form(event, ParticipantDetails(name="J", email="j@example.org", title="X"))
    assert needs_the_form(
        event, ParticipantDetails(name="J", email="j@example.org", organisation_name="IGT")
    )
    QuestionFactory(event=event, required=True)
    assert needs_the_form(event)
    assert needs_the_form(event, full)


def test_answers_through_the_personal_link_are_channel_web(event, invite):
    invitation, _ = invite(event)
    register_via_invitation(
        invitation=invitation,
        details=ParticipantDetails(name="Jonas Berg", email=invitation.email, title="Miljøsjef"),
    )
    invitation.refresh_from_db()
    assert invitation.channel == Invitation.Channel.WEB
    other, _ = invite(event, email="emma.wilson@example.org")
    decline_invitation(invitation=other)
    other.refresh_from_db()
    assert (other.state, other.channel) == ("declined", "web")
    assert not ReminderDelivery.objects.exists()


def test_the_beat_applies_left_over_answers_every_minute(event, invite, mailbox, settings):
    from invitations import tasks  # noqa: F401 (registers the tasks, as autodiscovery does)
    from worker.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["invitations-apply-inbound-replies"]
    assert entry["schedule"] == 60.0
    task = app.tasks[entry["task"]]
    invitation, sent = invite(event)
    mailbox(calendar_reply(sent.calendar, client="gmail", partstat="DECLINED"), after_commit=False)
    InboundReply.objects.update(created_at=timezone.now() - dt.timedelta(minutes=1))
    assert task() == 1
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.DECLINED
    reply = InboundReply.objects.get()
    assert reply.inbound is not None and reply.inbound.outcome.startswith("calendar_reply")
