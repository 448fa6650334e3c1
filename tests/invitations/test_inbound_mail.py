"""Bounces, delays, out-of-office and people writing back, as the mailbox hands them over."""

import datetime as dt
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from invitations.models import InboundReply, Invitation
from invitations.services import reminders
from worker.bounces import is_undeliverable
from worker.delivery import deliver_queued
from worker.models import OutgoingMessage

from .mailbox_replies import dsn, out_of_office, person_writes

SAMPLES = Path(__file__).resolve().parent.parent / "worker" / "inbound_samples"
Outcome = InboundReply.Outcome


@pytest.fixture
def invited(make_event, invite):
    event = make_event(registration_closes_at=timezone.now() + dt.timedelta(days=1))
    return invite(event)


def _plus_address(invitation: Invitation) -> str:
    from events.calendar.organizer import organiser_address

    return organiser_address(event_id=invitation.event_id, email=invitation.email)


def test_permanent_bounce_marks_the_message_and_the_address_and_no_more_mail_goes(invited, mailbox):
    invitation, row = invited
    outcome = mailbox(
        dsn(
            to=_plus_address(invitation),
            recipient=invitation.email,
            original_message_id=row.message_id,
        )
    )
    row.refresh_from_db()
    assert row.state == OutgoingMessage.State.BOUNCED
    assert "5.1.1" in row.last_response
    assert is_undeliverable(invitation.email)
    reply = InboundReply.objects.get()
    assert (reply.kind, reply.outcome, reply.needs_attention) == ("bounce", "bounced", True)
    assert (reply.outgoing, reply.invitation, reply.sendout_id) == (
        row,
        invitation,
        invitation.sendout_id,
    )
    assert reply.event == invitation.event
    assert outcome == "bounce: bounced (event %s)" % invitation.event_id

    # The reminder before registration closes is not sent to the dead address.
    sent_before = len(mail.outbox)
    assert reminders.send_invitee_reminders() == 1
    deliver_queued()
    assert len(mail.outbox) == sent_before
    reminder = OutgoingMessage.objects.get(kind="invitation_reminder")
    assert reminder.state == OutgoingMessage.State.SKIPPED


def test_bounce_without_a_token_is_matched_by_the_returned_message_id(invited, mailbox):
    invitation, row = invited
    mailbox(
        dsn(
            to="partnerskap@vtfk.example",
            recipient=invitation.email,
            original_message_id=row.message_id,
        )
    )
    row.refresh_from_db()
    assert row.state == OutgoingMessage.State.BOUNCED
    reply = InboundReply.objects.get()
    assert (reply.outgoing, reply.event, reply.invitation) == (
        row,
        invitation.event,
        invitation,
    )


def test_bounce_of_a_message_we_do_not_know_changes_nothing_and_is_listed(invited, mailbox):
    invitation, row = invited
    mailbox(
        dsn(
            to="partnerskap@vtfk.example",
            recipient="someone@example.org",
            original_message_id="<not-ours@elsewhere.example>",
        )
    )
    row.refresh_from_db()
    assert row.state == OutgoingMessage.State.SENT
    assert not is_undeliverable("someone@example.org")
    reply = InboundReply.objects.get()
    assert (reply.kind, reply.outcome, reply.needs_attention) == (
        "bounce",
        "bounce_unmatched",
        True,
    )


def test_a_second_report_of_the_same_bounce_changes_nothing_more(invited, mailbox):
    invitation, row = invited
    report = dict(recipient=invitation.email, original_message_id=row.message_id)
    mailbox(dsn(to=_plus_address(invitation), **report))
    bounced_at = OutgoingMessage.objects.get(pk=row.pk).bounced_at
    mailbox(dsn(to=_plus_address(invitation), **report))
    assert OutgoingMessage.objects.get(pk=row.pk).bounced_at == bounced_at
    assert InboundReply.objects.filter(kind="bounce").count() == 2


def test_delay_is_noted_and_changes_nothing(invited, mailbox):
    invitation, row = invited
    mailbox(
        dsn(
            to=_plus_address(invitation),
            recipient=invitation.email,
            original_message_id=row.message_id,
            status="4.4.1",
        )
    )
    row.refresh_from_db()
    assert row.state == OutgoingMessage.State.SENT
    assert not is_undeliverable(invitation.email)
    reply = InboundReply.objects.get()
    assert (reply.kind, reply.outcome, reply.needs_attention) == ("delay", "delayed", False)


@pytest.mark.parametrize("language", ["nb", "en"])
def test_out_of_office_is_counted_and_changes_nothing(invited, mailbox, language):
    invitation, row = invited
    queued = OutgoingMessage.objects.count()
    mailbox(out_of_office(sender=invitation.email, to=_plus_address(invitation), language=language))
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.PENDING
    assert OutgoingMessage.objects.count() == queued  # never an answer to an answer
    reply = InboundReply.objects.get()
    assert (reply.kind, reply.outcome, reply.needs_attention) == ("auto_reply", "counted", False)
    assert reply.invitation == invitation


def test_a_person_writing_back_is_listed_with_whom_and_which_event(invited, mailbox):
    invitation, row = invited
    mailbox(
        person_writes(
            sender=invitation.email,
            to=_plus_address(invitation),
            text="Kan jeg ta med en kollega?",
        )
    )
    reply = InboundReply.objects.get()
    assert (reply.kind, reply.needs_attention) == ("human", True)
    assert (reply.event, reply.invitation, reply.sender) == (
        invitation.event,
        invitation,
        invitation.email,
    )
    assert "ta med en kollega" in reply.excerpt
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.PENDING


def test_unreadable_mail_is_only_described(db, mailbox):
    outcome = mailbox((SAMPLES / "broken_mime_no_boundary.eml").read_bytes())
    assert outcome.startswith("unreadable: broken MIME")
    assert not InboundReply.objects.exists()
