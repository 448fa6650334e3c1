"""The inbound mailbox against a real Dovecot: each message handled exactly once, then moved,
also when the poller is SIGKILLed between the commit and the move or in the middle of a batch."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from django.conf import settings
from django.db import connection

from worker import handlers, mailbox
from worker.models import InboundMessage

from . import dovecot as dovecot_module
from .harness import database_url, wait_for
from .mailbox_poller import EFFECTS, record_effect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def dovecot(settings) -> Iterator[dovecot_module.Dovecot]:
    if not dovecot_module.available():
        message = "the mailbox tests need Dovecot (apt-get install dovecot-imapd)"
        if os.environ.get("PARTNERSKAP_REQUIRE_INTEGRATION") == "1":
            pytest.fail(message)
        pytest.skip(message)
    server = dovecot_module.Dovecot().start()
    settings.INBOUND_MAIL_URL = server.url
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def only_test_handlers(monkeypatch) -> None:
    """The mailbox alone: without the apps' own handlers (InvitationsConfig registers one)."""
    monkeypatch.setattr(handlers, "_handlers", [])


@pytest.fixture
def effects() -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {EFFECTS} (id serial PRIMARY KEY, message_id text)")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {EFFECTS}")


@pytest.fixture
def handler(effects) -> Iterator[None]:
    handlers.register_inbound_handler(record_effect)
    yield
    handlers.unregister_inbound_handler(record_effect)


def effect_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT message_id, count(*) FROM {EFFECTS} GROUP BY message_id")
        return dict(cursor.fetchall())


def mail(number: int, subject: str = "Re: invitation") -> bytes:
    message = EmailMessage()
    message["From"] = f"person{number}@example.org"
    message["To"] = "partnerskap@example.org"
    message["Subject"] = subject
    message["Message-ID"] = f"<m{number}@example.org>"
    message.set_content(f"Message {number}\n")
    return message.as_bytes()


def run_poller(server, *args: str, **kwargs) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(settings.BASE_DIR),
        "DATABASE_URL": database_url(connection.settings_dict),
        "INBOUND_MAIL_URL": server.url,
    }
    command = [sys.executable, "-m", "tests.integration.mailbox_poller", *args]
    return subprocess.Popen(command, env=env, cwd=settings.BASE_DIR, **kwargs)


def test_each_message_is_handled_once_and_moved(dovecot, handler):
    dovecot.append(*(mail(n) for n in range(5)))

    first = mailbox.poll()
    second = mailbox.poll()

    assert (first.handled, first.failed, first.moved_again) == (5, 0, 0)
    assert second.seen == 0
    assert effect_counts() == {f"<m{n}@example.org>": 1 for n in range(5)}
    rows = InboundMessage.objects.order_by("uid")
    assert [row.state for row in rows] == ["handled"] * 5
    assert {row.outcome for row in rows} == {"effect recorded"}
    assert [row.uid for row in rows] == [1, 2, 3, 4, 5]
    assert all(row.uidvalidity > 0 and row.size > 0 and row.received_at for row in rows)
    assert rows[0].message_id == "<m0@example.org>"
    assert (dovecot.count("INBOX"), dovecot.count("Processed"), dovecot.count("Failed")) == (
        0,
        5,
        0,
    )


def test_without_a_handler_messages_are_recorded_as_no_handler(dovecot):
    dovecot.append(mail(1))

    assert mailbox.poll().handled == 1

    assert InboundMessage.objects.get().outcome == handlers.NO_HANDLER
    assert dovecot.count("Processed") == 1


def test_a_handler_that_raises_fails_the_message_and_keeps_nothing(dovecot, handler):
    dovecot.append(mail(1, subject="please explode"), mail(2))

    result = mailbox.poll()

    assert (result.handled, result.failed) == (1, 1)
    assert effect_counts() == {"<m2@example.org>": 1}  # the failed one's INSERT rolled back
    failed = InboundMessage.objects.get(message_id="<m1@example.org>")
    assert failed.state == "failed"
    assert "RuntimeError: the handler exploded" in failed.outcome
    assert (dovecot.count("INBOX"), dovecot.count("Processed"), dovecot.count("Failed")) == (
        0,
        1,
        1,
    )


def test_oversize_and_garbage_go_to_failed(dovecot, handler, settings):
    settings.INBOUND_MAIL_MAX_BYTES = 4096
    big = mail(1).replace(b"Message 1", b"x" * 8000)
    garbage = bytes(range(256)) * 4
    dovecot.append(big, garbage, mail(3))

    result = mailbox.poll()

    assert (result.handled, result.failed) == (1, 2)
    assert effect_counts() == {"<m3@example.org>": 1}
    reasons = dict(InboundMessage.objects.filter(state="failed").values_list("uid", "outcome"))
    assert reasons[1].startswith("too large: ") and "limit 4096" in reasons[1]
    assert reasons[2].startswith("cannot be parsed: ")
    assert (dovecot.count("Processed"), dovecot.count("Failed")) == (1, 2)


def test_killed_after_the_commit_before_the_move_the_next_poll_only_moves(dovecot, handler):
    dovecot.append(mail(1), mail(2))

    poller = run_poller(dovecot, "--die-before-move")
    assert poller.wait(timeout=60) == -9

    assert effect_counts() == {"<m1@example.org>": 1}
    assert InboundMessage.objects.get().state == "handled"
    assert dovecot.count("INBOX") == 2  # committed, not moved

    result = mailbox.poll()

    assert (result.moved_again, result.handled, result.failed) == (1, 1, 0)
    assert effect_counts() == {"<m1@example.org>": 1, "<m2@example.org>": 1}
    assert (dovecot.count("INBOX"), dovecot.count("Processed")) == (0, 2)


def test_200_messages_with_a_kill_mid_batch_are_each_handled_once(dovecot, handler):
    dovecot.append(*(mail(n) for n in range(200)))

    poller = run_poller(dovecot, "--sleep", "0.01", stdout=subprocess.DEVNULL)
    wait_for(lambda: sum(effect_counts().values()) >= 60, timeout=60, interval=0.01)
    poller.kill()
    assert poller.wait(timeout=30) == -9
    assert sum(effect_counts().values()) < 200

    second = run_poller(dovecot, stdout=subprocess.DEVNULL)
    assert second.wait(timeout=120) == 0

    assert effect_counts() == {f"<m{n}@example.org>": 1 for n in range(200)}
    assert InboundMessage.objects.filter(state="handled").count() == 200
    assert (dovecot.count("INBOX"), dovecot.count("Processed"), dovecot.count("Failed")) == (
        0,
        200,
        0,
    )


def test_the_beat_task_polls_under_the_lock_and_skips_without_redis(dovecot, settings):
    import redis

    dovecot.append(mail(1))
    held = redis.Redis.from_url(settings.REDIS_URL).lock("partnerskap:poll-mailbox", timeout=30)
    assert held.acquire(blocking=False)
    try:
        assert mailbox.poll_once_locked() is None  # another poll holds the lock
    finally:
        held.release()
    assert dovecot.count("INBOX") == 1

    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens there
    assert mailbox.poll_once_locked() is None
    assert dovecot.count("INBOX") == 1

    settings.REDIS_URL = os.environ["REDIS_URL"]
    result = mailbox.poll_once_locked()
    assert result is not None and result.handled == 1
    assert dovecot.count("Processed") == 1


def test_a_long_poll_keeps_its_lock_a_killed_one_frees_it_soon(dovecot, settings, monkeypatch):
    """The lock lasts INBOUND_MAIL_LOCK_SECONDS and is renewed after each message: a poll that
    takes longer than that still holds it to the end (no second poll moves its messages)."""
    import redis

    settings.INBOUND_MAIL_LOCK_SECONDS = 1
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete("partnerskap:poll-mailbox")
    ttls: list[int] = []

    def slow(message: EmailMessage) -> str:
        time.sleep(0.4)
        ttls.append(client.pttl("partnerskap:poll-mailbox"))
        return "slow"

    monkeypatch.setattr(handlers, "_handlers", [slow])
    for n in range(5):
        dovecot.append(mail(n))
    result = mailbox.poll_once_locked()
    assert result is not None and result.handled == 5  # 2 s of work under a 1 s lock
    assert len(ttls) == 5 and min(ttls) > 0  # held at every message
    assert client.pttl("partnerskap:poll-mailbox") == -2  # released at the end


def test_an_unreachable_mailbox_is_logged_not_raised(settings, caplog):
    settings.INBOUND_MAIL_URL = "imap://user:pw@127.0.0.1:9/INBOX"
    assert mailbox.poll_once_locked() is None
    assert "mailbox poll failed" in caplog.text
