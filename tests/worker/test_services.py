"""queue_messages, resend_message, sweep_outbox, the selectors and the template includes."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from kombu.exceptions import OperationalError

from tests.factories import confirmation
from worker import tasks
from worker.models import OutgoingMessage
from worker.selectors import message_source, messages_for, state_counts
from worker.services import (
    MessageNotResendable,
    queue_message,
    queue_messages,
    resend_message,
    sweep_outbox,
)

State = OutgoingMessage.State


@pytest.mark.django_db
def test_queue_message_enqueues_only_after_commit(
    django_capture_on_commit_callbacks, eager_celery, locmem_email
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            row = queue_message(message=confirmation(1))
            # Inside the transaction: the row exists, nothing was handed to the broker.
            assert OutgoingMessage.objects.get(pk=row.pk).state == State.QUEUED
            assert mail.outbox == []
        assert mail.outbox == []  # committed, on_commit callbacks not run yet
    assert len(callbacks) == 1
    row.refresh_from_db()
    assert row.state == State.SENT
    assert [m.message()["Message-ID"] for m in mail.outbox] == [row.message_id]


@pytest.mark.django_db(transaction=True)
def test_queue_messages_rolled_back_sends_nothing(eager_celery, locmem_email):
    with pytest.raises(RuntimeError), transaction.atomic():
        queue_messages(messages=[confirmation(1), confirmation(2)])
        raise RuntimeError("the registration failed")
    assert OutgoingMessage.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_queue_messages_batches_the_send_tasks(
    django_capture_on_commit_callbacks, settings, monkeypatch
):
    settings.OUTBOX_BATCH_SIZE = 2
    published: list[list[int]] = []
    monkeypatch.setattr(
        tasks.send_messages,
        "apply_async",
        lambda kwargs, queue: published.append(kwargs["message_ids"]),
    )
    with django_capture_on_commit_callbacks(execute=True):
        rows = queue_messages(messages=[confirmation(i) for i in range(5)])
    ids = [row.pk for row in rows]
    assert published == [ids[0:2], ids[2:4], ids[4:5]]


@pytest.mark.django_db
def test_queue_messages_survives_a_broker_outage(
    django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def broker_down(**kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.send_messages, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        rows = queue_messages(messages=[confirmation(1), confirmation(2)])
    assert {row.state for row in OutgoingMessage.objects.all()} == {State.QUEUED}
    assert len(rows) == 2
    assert "the sweep will" in caplog.text


@pytest.mark.django_db
def test_queue_messages_rejects_an_unknown_calendar_method():
    with pytest.raises(ValueError, match="calendar_method"):
        queue_message(message=confirmation(1, method="REPLY"))


@pytest.mark.django_db(transaction=True)
def test_resend_message_creates_a_new_row_with_a_new_message_id(eager_celery, locmem_email):
    original = queue_message(message=confirmation(1, qr=True))
    original.refresh_from_db()
    assert original.state == State.SENT

    copy = resend_message(message_id=original.pk)

    copy.refresh_from_db()
    assert copy.pk != original.pk
    assert copy.resend_of == original
    assert copy.message_id != original.message_id
    assert copy.state == State.SENT and copy.attempts == 1
    for name in ("to_email", "subject", "text_body", "html_body", "calendar", "attachments"):
        assert getattr(copy, name) == getattr(original, name)
    assert copy.event_ref == original.event_ref == 42
    assert [m.message()["Message-ID"] for m in mail.outbox] == [
        original.message_id,
        copy.message_id,
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("state", [State.QUEUED, State.SENDING, State.RETRYING])
def test_resend_message_refuses_a_row_still_in_delivery(state):
    row = queue_message(message=confirmation(1))
    OutgoingMessage.objects.filter(pk=row.pk).update(state=state)
    with pytest.raises(MessageNotResendable):
        resend_message(message_id=row.pk)
    assert OutgoingMessage.objects.count() == 1


@pytest.mark.django_db
def test_sweep_enqueues_left_behind_rows_only(settings, monkeypatch):
    settings.OUTBOX_QUEUED_GRACE_SECONDS = 120
    settings.OUTBOX_SENDING_TIMEOUT_SECONDS = 600
    published: list[int] = []
    monkeypatch.setattr(
        tasks.send_messages,
        "apply_async",
        lambda kwargs, queue: published.extend(kwargs["message_ids"]),
    )
    now = timezone.now()
    rows = {
        name: queue_message(message=confirmation(i))
        for i, name in enumerate(
            ["fresh", "old", "retry_due", "retry_later", "stuck", "sending", "sent", "failed"]
        )
    }
    published.clear()
    updates = {
        "old": {"next_attempt_at": now - timedelta(seconds=121)},
        "retry_due": {"state": State.RETRYING, "next_attempt_at": now - timedelta(seconds=121)},
        "retry_later": {"state": State.RETRYING, "next_attempt_at": now + timedelta(seconds=60)},
        "stuck": {"state": State.SENDING, "claimed_at": now - timedelta(seconds=601)},
        "sending": {"state": State.SENDING, "claimed_at": now - timedelta(seconds=30)},
        "sent": {"state": State.SENT, "next_attempt_at": now - timedelta(days=1)},
        "failed": {"state": State.FAILED, "next_attempt_at": now - timedelta(days=1)},
    }
    for name, fields in updates.items():
        OutgoingMessage.objects.filter(pk=rows[name].pk).update(**fields)

    swept = sweep_outbox()

    expected = sorted(rows[name].pk for name in ("old", "retry_due", "stuck"))
    assert sorted(swept) == sorted(published) == expected
    # The grace period starts again: the next run does not enqueue the same rows twice...
    assert sorted(sweep_outbox()) == [rows["stuck"].pk]
    # ...and the stuck row stays claimable (its claim is older than the timeout).
    assert OutgoingMessage.objects.get(pk=rows["stuck"].pk).state == State.SENDING


@pytest.mark.django_db
def test_messages_for_lists_by_reference_in_a_fixed_number_of_queries(django_assert_num_queries):
    queue_message(message=confirmation(1))
    with django_assert_num_queries(1):
        one = [row.subject for row in messages_for(event_ref=42)]
    queue_messages(messages=[confirmation(i) for i in range(2, 12)])
    queue_message(message=confirmation(99, refs=confirmation(0).refs.__class__(event=7)))
    with django_assert_num_queries(1):
        many = [row.subject for row in messages_for(event_ref=42)]
    assert len(one) == 1 and len(many) == 11
    assert [r.person_ref for r in messages_for(event_ref=42, person_ref=2003)] == [2003]
    with pytest.raises(ValueError):
        messages_for()


@pytest.mark.django_db
def test_state_counts_include_every_state():
    rows = queue_messages(messages=[confirmation(i) for i in range(3)])
    OutgoingMessage.objects.filter(pk=rows[0].pk).update(state=State.FAILED)
    assert state_counts(messages_for(event_ref=42)) == {
        "queued": 2,
        "sending": 0,
        "sent": 0,
        "retrying": 0,
        "failed": 1,
        "skipped": 0,
        "bounced": 0,
    }


@pytest.mark.django_db
def test_message_list_include_renders_rows(django_assert_num_queries):
    queue_messages(messages=[confirmation(i) for i in range(3)])
    rows = messages_for(event_ref=42)
    with django_assert_num_queries(1):
        html = render_to_string("worker/message_list.html", {"outgoing_messages": rows})
    assert html.count('<tr class="outbox-queued">') == 3
    assert "deltaker2@example.org" in html
    empty = render_to_string("worker/message_list.html", {"outgoing_messages": []})
    assert "outbox-empty" in empty


@pytest.mark.django_db
def test_message_detail_include_renders_the_message_as_sent():
    row = queue_message(
        message=confirmation(1, html_body='<p onclick="x()">Hei</p><script>alert(1)</script>')
    )
    html = render_to_string(
        "worker/message_detail.html", {"outgoing_message": row, "source": message_source(row)}
    )
    assert row.message_id.replace("<", "&lt;").replace(">", "&gt;") in html
    assert "arrangor@vtfk.example" in html
    assert 'sandbox=""' in html
    # The HTML body only exists escaped inside srcdoc, never as live markup on the page.
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "BEGIN:VCALENDAR" in html
    assert "Auto-Submitted: auto-generated" in html
