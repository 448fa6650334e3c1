"""The envelope sender names the recipient; a bounced address is sent nothing more."""

import pytest

from events.models import ReplyToken
from tests.factories import EventFactory, confirmation
from worker.bounces import clear_undeliverable, is_undeliverable, record_bounce
from worker.delivery import deliver_messages
from worker.models import OutgoingMessage, UndeliverableAddress
from worker.services import queue_messages

pytestmark = pytest.mark.django_db
State = OutgoingMessage.State


def _about_event(event, i: int = 0):
    message = confirmation(i)
    message.refs.event = event.pk
    return message


def test_envelope_sender_carries_the_recipients_token_when_a_mailbox_is_read(
    smtp_sink, mailbox_read
):
    event = EventFactory()
    rows = queue_messages(messages=[_about_event(event, 0), _about_event(event, 0)])
    other = queue_messages(messages=[_about_event(event, 1)])
    deliver_messages(message_ids=[r.pk for r in rows + other])
    senders = [m.mail_from for m in smtp_sink.messages]
    token = ReplyToken.objects.get(event=event, email_key="deltaker0@example.org").token
    assert senders[:2] == ["partnerskap+%s@vtfk.example" % token] * 2
    assert senders[2].startswith("partnerskap+") and senders[2] != senders[0]
    # The From the person sees is unchanged.
    assert {m.message["From"].addresses[0].addr_spec for m in smtp_sink.messages} == {
        "partnerskap@localhost"
    }


def test_envelope_sender_is_plain_without_a_mailbox(smtp_sink):
    (row,) = queue_messages(messages=[_about_event(EventFactory())])
    deliver_messages(message_ids=[row.pk])
    assert [m.mail_from for m in smtp_sink.messages] == ["partnerskap@localhost"]
    assert not ReplyToken.objects.exists()


def test_a_permanent_bounce_marks_the_row_and_stops_mail_to_the_address(smtp_sink):
    (first,) = queue_messages(messages=[confirmation(0)])
    deliver_messages(message_ids=[first.pk])
    assert record_bounce(message=first, status="5.1.1", diagnostic="550 5.1.1 User unknown")
    first.refresh_from_db()
    assert first.state == State.BOUNCED and first.bounced_at is not None
    assert "5.1.1" in first.last_response
    assert is_undeliverable("  Deltaker0@Example.org")
    # A second report of the same bounce changes nothing.
    assert not record_bounce(message=first, status="5.1.1", diagnostic="again")
    assert UndeliverableAddress.objects.count() == 1

    second, third = queue_messages(messages=[confirmation(0), confirmation(1)])
    deliver_messages(message_ids=[second.pk, third.pk])
    second.refresh_from_db()
    assert second.state == State.SKIPPED and "undeliverable" in second.last_response
    assert [m.rcpt_tos for m in smtp_sink.messages] == [
        ["deltaker0@example.org"],
        ["deltaker1@example.org"],
    ]

    assert clear_undeliverable("deltaker0@example.org")
    (fourth,) = queue_messages(messages=[confirmation(0)])
    deliver_messages(message_ids=[fourth.pk])
    fourth.refresh_from_db()
    assert fourth.state == State.SENT


def test_a_delay_changes_nothing(smtp_sink):
    (row,) = queue_messages(messages=[confirmation(0)])
    deliver_messages(message_ids=[row.pk])
    assert not record_bounce(message=row, status="4.4.1", diagnostic="delayed", permanent=False)
    row.refresh_from_db()
    assert row.state == State.SENT
    assert not is_undeliverable(row.to_email)
