"""The outbox against a real worker, Redis, PostgreSQL and SMTP server: kills, outages, faults."""

import time
from collections import Counter

import pytest
from django.db import transaction

from tests.factories import confirmation
from worker.models import OutgoingMessage
from worker.services import queue_messages

from .harness import broker, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
State = OutgoingMessage.State


def _queue(n: int, start: int = 0, **kwargs) -> list[str]:
    with transaction.atomic():
        rows = queue_messages(messages=[confirmation(start + i, **kwargs) for i in range(n)])
    return [row.message_id for row in rows]


def _states() -> Counter:
    return Counter(OutgoingMessage.objects.values_list("state", flat=True))


def _all_sent(n: int):
    return lambda: OutgoingMessage.objects.filter(state=State.SENT).count() == n


def test_outbox_sigkilled_worker_delivers_each_message_exactly_once(smtp_server, celery_worker):
    """2,000 messages; the worker is SIGKILLed (whole process group) while both pool processes
    are inside an SMTP transaction, then started again. Every Message-ID arrives exactly once.

    The kill lands while the senders wait for the answer to RCPT TO (smtp_server.hold()): rows
    claimed and in flight, tasks reserved and unacked in Redis, connections open. It does not
    land between the server's 250 to DATA and the worker's UPDATE, the window no mail client can
    close (see worker/delivery.py); tests/worker/test_delivery.py
    ::test_crash_between_smtp_accept_and_record_is_the_one_duplicate_window shows it."""
    message_ids = _queue(2000)
    wait_for(lambda: smtp_server.count() >= 700, timeout=60, message="700 messages to arrive")
    smtp_server.hold()
    smtp_server.wait_held(2)
    celery_worker.kill()
    smtp_server.release()
    arrived_at_kill = smtp_server.count()
    stuck = OutgoingMessage.objects.filter(state=State.SENDING).count()
    assert 700 <= arrived_at_kill < 2000
    assert stuck >= 2  # the two held rows at least, claimed but never sent

    celery_worker.start()
    wait_for(_all_sent(2000), timeout=90, message=lambda: f"all sent; states {_states()}")
    time.sleep(1.5)  # a late duplicate would arrive now

    received = smtp_server.message_ids()
    assert set(received) == set(message_ids)
    assert [mid for mid, n in received.items() if n != 1] == []
    assert smtp_server.count() == 2000


def test_outbox_sigkill_at_any_moment_loses_nothing(smtp_server, celery_worker):
    """The same kill at an arbitrary moment, in the middle of sending. Nothing is lost; a
    duplicate can only be a row that was in flight at the kill (the documented window: at most
    one per pool process), and it carries the same Message-ID."""
    message_ids = _queue(600)
    wait_for(lambda: smtp_server.count() >= 200, timeout=60, interval=0.005)
    celery_worker.kill()
    in_flight = set(
        OutgoingMessage.objects.filter(state=State.SENDING).values_list("message_id", flat=True)
    )

    celery_worker.start()
    wait_for(_all_sent(600), timeout=60, message=lambda: f"all sent; states {_states()}")
    time.sleep(1.5)

    received = smtp_server.message_ids()
    assert set(received) == set(message_ids)
    duplicates = {mid for mid, n in received.items() if n > 1}
    print(f"killed with {len(in_flight)} rows in sending; {len(duplicates)} arrived twice")
    assert duplicates <= in_flight
    assert len(duplicates) <= celery_worker.concurrency
    assert max(received.values()) <= 2


def test_outbox_survives_broker_outage(smtp_server, private_redis, celery_worker_factory, caplog):
    """Redis down while registrations commit: rows are kept (queued), the caller sees no error;
    when Redis is back the periodic sweep enqueues them and every message arrives once."""
    celery_worker_factory(broker_url=private_redis.url)
    with broker(private_redis.url):
        private_redis.stop()
        message_ids = []
        for batch in range(3):
            message_ids += _queue(20, start=batch * 20)
        assert _states() == {State.QUEUED: 60}
        assert "could not enqueue" in caplog.text
        time.sleep(1)
        assert smtp_server.count() == 0

        private_redis.start()
        wait_for(_all_sent(60), timeout=60, message=lambda: f"all sent; states {_states()}")
    received = smtp_server.message_ids()
    assert set(received) == set(message_ids)
    assert max(received.values()) == 1


@pytest.mark.parametrize("code", [421, 451])
def test_outbox_retries_temporary_smtp_failures(smtp_server, celery_worker, code):
    """The server answers 4xx for a few seconds: rows show retrying, then all arrive once."""
    smtp_server.fail_for(2.5, code=code, text="4.3.0 Try again later")
    message_ids = _queue(40)
    wait_for(
        lambda: OutgoingMessage.objects.filter(state=State.RETRYING).exists(),
        timeout=10,
        message="rows in retrying",
    )
    retrying = OutgoingMessage.objects.filter(state=State.RETRYING).first()
    assert retrying is not None and retrying.last_response.startswith(str(code))
    assert retrying.next_attempt_at is not None

    wait_for(_all_sent(40), timeout=60, message=lambda: f"all sent; states {_states()}")
    received = smtp_server.message_ids()
    assert set(received) == set(message_ids)
    assert max(received.values()) == 1
    assert OutgoingMessage.objects.filter(attempts__gte=2).exists()
    assert all(
        r.startswith("250") for r in OutgoingMessage.objects.values_list("last_response", flat=True)
    )


def test_outbox_permanent_failure_is_final(smtp_server, celery_worker):
    """550 for one recipient: that row fails at once with the answer stored, and is not
    retried; the others in the same batch arrive."""
    smtp_server.reject_recipient("finnes.ikke@example.org", code=550, text="5.1.1 No such user")
    _queue(1, start=0)
    _queue(1, start=1, email="finnes.ikke@example.org")
    _queue(1, start=2)
    wait_for(lambda: smtp_server.count() == 2, timeout=20)
    failed = wait_for(
        lambda: OutgoingMessage.objects.filter(state=State.FAILED).first(), timeout=10
    )
    time.sleep(2.5)  # longer than the retry cap and several sweeps
    failed.refresh_from_db()
    assert failed.to_email == "finnes.ikke@example.org"
    assert failed.state == State.FAILED
    assert failed.attempts == 1
    assert failed.last_response == "550 5.1.1 No such user"
    assert smtp_server.refusals == [("finnes.ikke@example.org", 550)]
    assert _states() == {State.SENT: 2, State.FAILED: 1}
