"""The deadline under real concurrency, on real PostgreSQL (DESIGN rule 13).

An answer checks the deadline with the call's row locked and reads the clock after the lock:
an organiser moving the deadline and answers arriving at the same moment are decided in one
order. Each thread has its own database connection.
"""

import datetime as dt
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from calls.models import Answer, Call
from calls.services.answering import AnswerDetails, submit_answer
from calls.services.errors import CallClosed
from tests.factories import CallFactory, CallQuestionFactory
from worker.models import OutgoingMessage

pytestmark = pytest.mark.django_db(transaction=True)

WORKERS = 20


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        message = "concurrency tests need PostgreSQL (set DATABASE_URL=postgres://...)"
        if os.environ.get("PARTNERSKAP_REQUIRE_INTEGRATION") == "1":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    """The broker is a boundary here: these tests commit, and nobody consumes the mail queue."""
    monkeypatch.setattr("worker.services.enqueue_delivery", lambda *, message_ids: None)


def _answer(call: Call, n: int):
    def job():
        try:
            return submit_answer(
                call=call,
                details=AnswerDetails(
                    name="Svarer %d" % n,
                    email="svarer%d@example.org" % n,
                    texts={call.questions.first().pk: "Innspill %d" % n},
                ),
            )
        except Exception as exc:  # returned, so the assertion shows what went wrong
            return exc
        finally:
            connections.close_all()

    return job


def test_answers_waiting_on_a_deadline_moved_to_the_past_are_all_refused():
    call = CallFactory()
    CallQuestionFactory(call=call, required=True)
    locked = threading.Event()

    def move_deadline():
        try:
            with transaction.atomic():
                row = Call.objects.select_for_update().get(pk=call.pk)
                locked.set()
                time.sleep(0.5)  # answers arrive while the organiser's change is open
                row.closes_at = timezone.now() - dt.timedelta(seconds=1)
                row.opens_at = row.closes_at - dt.timedelta(days=1)
                row.save()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=WORKERS + 1) as pool:
        mover = pool.submit(move_deadline)
        assert locked.wait(10)
        outcomes = [
            f.result(timeout=60) for f in [pool.submit(_answer(call, n)) for n in range(WORKERS)]
        ]
        mover.result(timeout=60)
    assert all(isinstance(o, CallClosed) for o in outcomes), outcomes
    assert not Answer.objects.exists() and not OutgoingMessage.objects.exists()


def test_answers_at_once_before_the_deadline_are_all_kept_with_their_receipts():
    call = CallFactory()
    CallQuestionFactory(call=call, required=True)
    gate = threading.Event()

    def gated(job):
        gate.wait()
        return job()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(gated, _answer(call, n)) for n in range(WORKERS)]
        gate.set()
        outcomes = [f.result(timeout=60) for f in futures]
    assert all(isinstance(o, Answer) for o in outcomes), outcomes
    assert Answer.objects.count() == WORKERS
    assert OutgoingMessage.objects.filter(kind="call_answer").count() == WORKERS


def test_send_outs_expanded_at_once_invite_and_mail_each_address_once(monkeypatch):
    """Two send-outs of one call with the same addresses, each task delivered twice (acks_late
    after a lost worker) and all four running at once, in small batches: every address gets
    one invitation and one email, and the counts add up."""
    from django.contrib.auth import get_user_model

    from calls.models import CallInvitation, CallSendOut
    from calls.services import sendouts
    from calls.services.invitations import create_call_sendout

    monkeypatch.setattr("calls.services.invitations.enqueue_expansion", lambda sendout_id: None)
    monkeypatch.setattr(sendouts, "BATCH_SIZE", 5)
    root = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    call = CallFactory()
    addresses = ["person%02d@example.org" % n for n in range(40)]
    first = create_call_sendout(call=call, by_user=root, addresses="\n".join(addresses))
    second = create_call_sendout(call=call, by_user=root, addresses="\n".join(addresses[10:]))
    gate = threading.Event()

    def expand(sendout_id: int) -> None:
        try:
            gate.wait()
            sendouts.expand_sendout(sendout_id=sendout_id)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(expand, s.pk) for s in (first, second, first, second)]
        gate.set()
        for future in futures:
            future.result(timeout=120)
    invited = sorted(CallInvitation.objects.filter(call=call).values_list("email", flat=True))
    assert invited == addresses
    mailed = sorted(OutgoingMessage.objects.values_list("to_email", flat=True))
    assert mailed == addresses
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == ("done", "done")
    assert first.invited_count + second.invited_count == 40
    assert first.invited_count + first.already_invited_count == 40
    assert second.invited_count + second.already_invited_count == 30
    assert CallSendOut.objects.filter(opted_out_count=0).count() == 2
