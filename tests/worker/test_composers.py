"""Rows written for composing: the app's composer writes the message when the worker sends it."""

import pytest
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction

from worker.composers import composer
from worker.delivery import deliver_messages
from worker.models import OutgoingMessage
from worker.services import (
    Message,
    References,
    queue_for_composing,
    resend_message,
)

pytestmark = pytest.mark.django_db
State = OutgoingMessage.State

# What the test composers see, so a test can change it after the row is written.
GREETING = {"name": "Åse"}


@composer("tests.greeting")
def _greeting(row: OutgoingMessage) -> Message:
    return Message(
        to_email=row.to_email,
        to_name=GREETING["name"],
        subject="Hei %s (registration %s)" % (GREETING["name"], row.registration_ref),
        text_body="Hei %s,\n\nvelkommen.\n" % GREETING["name"],
        language=row.language,
        kind="tests.greeting_sent",
    )


@composer("tests.gone")
def _gone(row: OutgoingMessage) -> Message:
    raise ObjectDoesNotExist("registration %s no longer exists" % row.registration_ref)


@composer("tests.broken")
def _broken(row: OutgoingMessage) -> Message:
    raise RuntimeError("database went away")


def _write(kind: str, email: str = "ase@example.org") -> OutgoingMessage:
    with transaction.atomic():
        return queue_for_composing(
            kind=kind, to_email=email, language="nn", refs=References(event=7, registration=70)
        )


def test_a_row_for_composing_holds_no_message_until_it_is_sent():
    row = _write("tests.greeting")
    row.refresh_from_db()
    assert row.composed is False and row.subject == "" and row.text_body == ""
    assert row.state == State.QUEUED and row.message_id.startswith("<")
    assert str(row.display_subject) != ""  # organisers see that it is still to be written


def test_the_composer_writes_the_message_when_it_is_sent(smtp_sink):
    row = _write("tests.greeting")
    GREETING["name"] = "Åse Ødegård"  # changed after the row was written: sent as it is now
    try:
        assert deliver_messages(message_ids=[row.pk]) == []
    finally:
        GREETING["name"] = "Åse"
    row.refresh_from_db()
    assert row.state == State.SENT and row.composed
    assert row.subject == "Hei Åse Ødegård (registration 70)"
    assert row.kind == "tests.greeting_sent" and row.language == "nn"
    (mail,) = smtp_sink.messages
    assert mail.message["Subject"] == "Hei Åse Ødegård (registration 70)"
    assert mail.message["Message-ID"] == row.message_id
    assert "velkommen" in mail.message.get_body(preferencelist=("plain",)).get_content()


def test_a_resend_sends_the_text_that_was_sent(smtp_sink):
    row = _write("tests.greeting")
    deliver_messages(message_ids=[row.pk])
    GREETING["name"] = "Someone else"
    try:
        with transaction.atomic():
            copy = resend_message(message_id=row.pk)
        deliver_messages(message_ids=[copy.pk])
    finally:
        GREETING["name"] = "Åse"
    copy.refresh_from_db()
    assert copy.composed and copy.subject == "Hei Åse (registration 70)"
    assert [m.message["Subject"] for m in smtp_sink.messages] == ["Hei Åse (registration 70)"] * 2


@pytest.mark.parametrize("kind", ["tests.gone", "tests.nobody_composes_this"])
def test_a_row_that_cannot_be_composed_fails_for_good(smtp_sink, kind):
    row = _write(kind)
    assert deliver_messages(message_ids=[row.pk]) == []
    row.refresh_from_db()
    assert row.state == State.FAILED and row.attempts == 1
    assert row.last_response.startswith("cannot compose")
    assert not row.composed and smtp_sink.count() == 0


def test_a_composer_error_that_may_pass_is_retried(smtp_sink):
    row = _write("tests.broken")
    [retry] = deliver_messages(message_ids=[row.pk])
    row.refresh_from_db()
    assert retry.message_id == row.pk
    assert row.state == State.RETRYING and "database went away" in row.last_response
    assert smtp_sink.count() == 0


def test_one_failing_row_does_not_stop_the_batch(smtp_sink):
    rows = [_write("tests.gone"), _write("tests.greeting", "b@example.org")]
    deliver_messages(message_ids=[r.pk for r in rows])
    states = dict(OutgoingMessage.objects.values_list("to_email", "state"))
    assert states == {"ase@example.org": State.FAILED, "b@example.org": State.SENT}


def test_without_redis_a_row_for_composing_is_enqueued_at_commit(
    smtp_sink, settings, eager_celery, django_capture_on_commit_callbacks
):
    settings.REDIS_URL = ""
    with django_capture_on_commit_callbacks(execute=True):
        row = _write("tests.greeting")
    row.refresh_from_db()
    assert row.state == State.SENT and smtp_sink.count() == 1


def test_registering_the_same_kind_twice_is_refused():
    with pytest.raises(ValueError):
        composer("tests.greeting")(lambda row: _greeting(row))
