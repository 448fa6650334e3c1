"""Claim, send and record, against a real SMTP server in this process (no broker needed)."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import confirmation
from tests.integration.smtp import free_port
from worker import delivery, transports
from worker.delivery import deliver_messages, retry_delay
from worker.models import OutgoingMessage
from worker.services import queue_messages

pytestmark = pytest.mark.django_db
State = OutgoingMessage.State


def _rows(n: int, **kwargs) -> list[OutgoingMessage]:
    return queue_messages(messages=[confirmation(i, **kwargs) for i in range(n)])


def _ids(rows) -> list[int]:
    return [row.pk for row in rows]


def test_deliver_sends_and_records_the_answer(smtp_sink):
    (row,) = _rows(1)
    assert deliver_messages(message_ids=[row.pk]) == []
    row.refresh_from_db()
    assert row.state == State.SENT
    assert row.attempts == 1
    assert row.last_response == "250 2.0.0 Ok: queued"
    assert row.sent_at is not None
    (mail,) = smtp_sink.messages
    assert mail.message_id == row.message_id
    assert mail.rcpt_tos == ["deltaker0@example.org"]
    assert mail.mail_from == "partnerskap@localhost"


def test_deliver_never_sends_a_sent_row_again(smtp_sink):
    rows = _rows(3)
    deliver_messages(message_ids=_ids(rows))
    deliver_messages(message_ids=_ids(rows))
    deliver_messages(message_ids=[rows[0].pk])
    assert smtp_sink.count() == 3
    assert set(OutgoingMessage.objects.values_list("attempts", flat=True)) == {1}


def test_deliver_skips_a_sending_row_until_the_timeout(smtp_sink, settings):
    settings.OUTBOX_SENDING_TIMEOUT_SECONDS = 600
    (row,) = _rows(1)
    OutgoingMessage.objects.filter(pk=row.pk).update(
        state=State.SENDING, claimed_at=timezone.now() - timedelta(seconds=599)
    )
    deliver_messages(message_ids=[row.pk])
    assert smtp_sink.count() == 0
    row.refresh_from_db()
    assert row.state == State.SENDING

    # Its worker died long ago: the row may be claimed again (see delivery's docstring).
    OutgoingMessage.objects.filter(pk=row.pk).update(
        claimed_at=timezone.now() - timedelta(seconds=601)
    )
    deliver_messages(message_ids=[row.pk])
    assert smtp_sink.count() == 1
    row.refresh_from_db()
    assert row.state == State.SENT


def test_deliver_skips_a_retrying_row_that_is_not_due(smtp_sink):
    (row,) = _rows(1)
    OutgoingMessage.objects.filter(pk=row.pk).update(
        state=State.RETRYING, next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    deliver_messages(message_ids=[row.pk])
    assert smtp_sink.count() == 0


def test_claim_taken_over_does_not_overwrite_the_new_owner(smtp_sink):
    (row,) = _rows(1)
    token, claimed = delivery.claim_messages(message_ids=[row.pk])
    assert [r.pk for r in claimed] == [row.pk]
    assert delivery.claim_messages(message_ids=[row.pk])[1] == []  # held: nobody else
    OutgoingMessage.objects.filter(pk=row.pk).update(claim_token=None)  # taken over
    delivery._record(claimed[0], token, state=State.SENT, last_response="250 Ok")
    row.refresh_from_db()
    assert row.state == State.SENDING
    assert row.attempts == 0


@pytest.mark.parametrize("code", [421, 450, 451, 452])
def test_deliver_temporary_failure_retries_with_backoff(smtp_sink, settings, code):
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    smtp_sink.fail_next(1, code=code, text="4.3.0 Try again later")
    rows = _rows(2)
    before = timezone.now()
    retries = deliver_messages(message_ids=_ids(rows))

    first, second = (OutgoingMessage.objects.get(pk=r.pk) for r in rows)
    assert first.state == State.RETRYING
    assert first.attempts == 1
    assert first.last_response == f"{code} 4.3.0 Try again later"
    assert [r.message_id for r in retries] == [first.pk]
    assert 15 <= retries[0].countdown <= 30
    assert before + timedelta(seconds=15) <= first.next_attempt_at
    assert first.next_attempt_at <= timezone.now() + timedelta(seconds=30)
    # The next row in the batch still goes out (over a new connection after a 421).
    assert second.state == State.SENT
    assert smtp_sink.count() == 1


@pytest.mark.parametrize(
    ("attempts", "low", "high"),
    [(1, 15, 30), (2, 30, 60), (3, 60, 120), (5, 240, 480), (6, 450, 900), (20, 450, 900)],
)
def test_retry_delay_grows_exponentially_with_jitter_under_the_cap(settings, attempts, low, high):
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    settings.OUTBOX_RETRY_CAP_SECONDS = 900
    delays = [retry_delay(attempts) for _ in range(200)]
    assert low <= min(delays) and max(delays) <= high
    assert len(set(delays)) > 100  # jitter: retries of one outage spread out


def test_deliver_gives_up_after_the_last_attempt(smtp_sink, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    smtp_sink.fail_next(1, code=451)
    (row,) = _rows(1)
    OutgoingMessage.objects.filter(pk=row.pk).update(attempts=2)
    assert deliver_messages(message_ids=[row.pk]) == []
    row.refresh_from_db()
    assert row.state == State.FAILED
    assert row.attempts == 3
    assert row.last_response == "451 4.3.0 Try again later (gave up after 3 attempts)"


def test_deliver_permanent_recipient_failure_fails_at_once(smtp_sink):
    smtp_sink.reject_recipient("deltaker1@example.org", 550, "5.1.1 No such user")
    rows = _rows(3)
    assert deliver_messages(message_ids=_ids(rows)) == []
    states = dict(OutgoingMessage.objects.values_list("to_email", "state"))
    assert states == {
        "deltaker0@example.org": State.SENT,
        "deltaker1@example.org": State.FAILED,
        "deltaker2@example.org": State.SENT,
    }
    failed = OutgoingMessage.objects.get(state=State.FAILED)
    assert (failed.attempts, failed.last_response) == (1, "550 5.1.1 No such user")
    assert failed.next_attempt_at is None


def test_deliver_permanent_data_failure_fails_at_once(smtp_sink):
    smtp_sink.fail_next(1, code=554, text="5.6.0 Message rejected")
    (row,) = _rows(1)
    assert deliver_messages(message_ids=[row.pk]) == []
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_response) == (
        State.FAILED,
        1,
        "554 5.6.0 Message rejected",
    )


def test_deliver_unreachable_server_retries_the_whole_batch(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    rows = _rows(3)
    retries = deliver_messages(message_ids=_ids(rows))
    assert sorted(r.message_id for r in retries) == _ids(rows)
    for row in OutgoingMessage.objects.all():
        assert row.state == State.RETRYING
        assert row.attempts == 1
        assert row.last_response.startswith("connecting to 127.0.0.1:")


def test_deliver_reuses_one_connection_across_batches(smtp_sink):
    rows = _rows(6)
    deliver_messages(message_ids=_ids(rows[:3]))
    deliver_messages(message_ids=_ids(rows[3:]))
    assert smtp_sink.count() == 6
    assert smtp_sink.connections == 1


def test_deliver_reconnects_when_the_server_dropped_an_idle_connection(smtp_sink):
    rows = _rows(2)
    deliver_messages(message_ids=[rows[0].pk])
    smtp_sink.drop_connections()  # the server timed the idle connection out
    time.sleep(0.1)
    deliver_messages(message_ids=[rows[1].pk])
    assert smtp_sink.count() == 2
    assert smtp_sink.connections == 2
    assert OutgoingMessage.objects.filter(state=State.SENT, attempts=1).count() == 2


def test_deliver_through_a_django_backend(locmem_email):
    from django.core import mail

    (row,) = _rows(1)
    deliver_messages(message_ids=[row.pk])
    row.refresh_from_db()
    assert row.state == State.SENT
    assert row.last_response.startswith("250 accepted by")
    assert mail.outbox[0].message()["Message-ID"] == row.message_id


class _ProcessDied(BaseException):
    pass


def test_crash_between_smtp_accept_and_record_is_the_one_duplicate_window(
    smtp_sink, settings, monkeypatch
):
    """The window worker/delivery.py documents: the server took the message, the process died
    before recording it. The row stays in sending; after the timeout it is sent again, with the
    same Message-ID. (The integration SIGKILL test kills outside this window.)"""
    settings.OUTBOX_SENDING_TIMEOUT_SECONDS = 600
    (row,) = _rows(1)

    def die(*args, **kwargs):
        raise _ProcessDied

    with monkeypatch.context() as patch:
        patch.setattr(delivery, "_record", die)
        with pytest.raises(_ProcessDied):
            deliver_messages(message_ids=[row.pk])
    row.refresh_from_db()
    assert (row.state, smtp_sink.count()) == (State.SENDING, 1)

    deliver_messages(message_ids=[row.pk])  # before the timeout: nothing
    assert smtp_sink.count() == 1

    OutgoingMessage.objects.filter(pk=row.pk).update(
        claimed_at=timezone.now() - timedelta(seconds=601)
    )
    deliver_messages(message_ids=[row.pk])
    row.refresh_from_db()
    assert row.state == State.SENT
    assert smtp_sink.message_ids() == {row.message_id: 2}


def test_deliver_reconnects_when_an_idle_connection_answers_421(smtp_sink, monkeypatch):
    rows = _rows(2)
    deliver_messages(message_ids=[rows[0].pk])
    conn = transports._smtp._local.conn
    monkeypatch.setattr(conn, "mail", lambda sender: (421, b"4.4.2 Idle timeout"))
    deliver_messages(message_ids=[rows[1].pk])
    assert smtp_sink.count() == 2
    assert OutgoingMessage.objects.filter(state=State.SENT, attempts=1).count() == 2
