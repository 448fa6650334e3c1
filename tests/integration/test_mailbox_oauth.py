"""The mailbox's XOAUTH2 login against real peers: Dovecot with its oauth2 passdb, and a local
OAuth 2.0 server (tests/integration/oauth_provider.py) that issues tokens by client credentials
and tells Dovecot which of them are valid. The poll is the beat task's (poll_once_locked)."""

import base64
import logging
import os
import time
from collections.abc import Iterator
from email.message import EmailMessage

import pytest

from worker import mailbox, oauth, tasks
from worker.models import InboundMessage

from . import dovecot as dovecot_module
from .harness import wait_for
from .oauth_provider import CLIENT_ID, CLIENT_SECRET, SCOPE, OAuthProvider
from .smtp import free_port

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def provider() -> Iterator[OAuthProvider]:
    server = OAuthProvider(username=dovecot_module.USER).start()
    yield server
    server.stop()


@pytest.fixture
def dovecot(settings, provider, caplog) -> Iterator[dovecot_module.Dovecot]:
    if not dovecot_module.available():
        message = "the mailbox tests need Dovecot (apt-get install dovecot-imapd)"
        if os.environ.get("PARTNERSKAP_REQUIRE_INTEGRATION") == "1":
            pytest.fail(message)
        pytest.skip(message)
    caplog.set_level(logging.DEBUG)  # imapclient's protocol log too: no token may show there
    server = dovecot_module.Dovecot(oauth_introspection_url=provider.introspection_url).start()
    settings.INBOUND_MAIL_URL = server.oauth_url
    settings.INBOUND_MAIL_OAUTH_TOKEN_URL = provider.token_url
    settings.INBOUND_MAIL_OAUTH_CLIENT_ID = CLIENT_ID
    settings.INBOUND_MAIL_OAUTH_CLIENT_SECRET = CLIENT_SECRET
    settings.INBOUND_MAIL_OAUTH_SCOPE = SCOPE
    oauth.forget_all_tokens()
    yield server
    oauth.forget_all_tokens()
    server.stop()


def mail(number: int) -> bytes:
    message = EmailMessage()
    message["From"] = f"person{number}@example.org"
    message["To"] = "partnerskap@example.org"
    message["Subject"] = "Godtatt: Nettverksmøte"
    message["Message-ID"] = f"<oauth{number}@example.org>"
    message.set_content(f"Message {number}\n")
    return message.as_bytes()


def read_message_ids() -> list[str]:
    return list(InboundMessage.objects.order_by("uid").values_list("message_id", flat=True))


def assert_no_secret_in(text: str, provider: OAuthProvider, *secrets: str) -> None:
    for secret in (CLIENT_SECRET, *secrets):
        assert secret not in text
    for token in provider.issued:
        assert token not in text
        xoauth2 = f"user={dovecot_module.USER}\1auth=Bearer {token}\1\1"  # as sent, base64
        assert base64.b64encode(xoauth2.encode()).decode() not in text


def xoauth2_logins(server: dovecot_module.Dovecot) -> int:
    return server.log().count(f"Login: user=<{dovecot_module.USER}>, method=XOAUTH2")


def test_a_poll_logs_in_with_xoauth2_and_reads_a_delivered_message(dovecot, provider, caplog):
    dovecot.append(mail(1))

    result = mailbox.poll_once_locked()

    assert result is not None and result.handled == 1
    assert read_message_ids() == ["<oauth1@example.org>"]
    assert (dovecot.count("INBOX"), dovecot.count("Processed")) == (0, 1)
    assert xoauth2_logins(dovecot) == 1
    [request] = provider.token_requests
    assert request == {
        "grant_type": "client_credentials",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "scope": SCOPE,
    }
    assert provider.introspections == list(provider.issued)  # Dovecot checked that token
    assert "mailbox polled" in caplog.text
    assert_no_secret_in(caplog.text, provider)


def test_the_token_is_kept_between_polls(dovecot, provider, caplog):
    for number in range(3):
        dovecot.append(mail(number))
        assert mailbox.poll_once_locked() is not None

    assert read_message_ids() == [f"<oauth{n}@example.org>" for n in range(3)]
    assert len(provider.token_requests) == 1
    assert len(provider.introspections) == 3 and len(set(provider.introspections)) == 1
    assert_no_secret_in(caplog.text, provider)


def test_a_wrong_client_secret_fails_the_poll_cleanly(dovecot, provider, settings, caplog):
    dovecot.append(mail(1))
    wrong = "wr0ng~secret.value"
    settings.INBOUND_MAIL_OAUTH_CLIENT_SECRET = wrong

    assert mailbox.poll_once_locked() is None

    assert "mailbox poll failed" in caplog.text
    assert "invalid_client" in caplog.text and "Invalid client secret" in caplog.text
    assert_no_secret_in(caplog.text, provider, wrong)
    assert read_message_ids() == []
    assert dovecot.count("INBOX") == 1
    assert provider.introspections == []  # no token, so no XOAUTH2 attempt at all

    settings.INBOUND_MAIL_OAUTH_CLIENT_SECRET = CLIENT_SECRET  # corrected: the next poll reads
    result = mailbox.poll_once_locked()
    assert result is not None and result.handled == 1
    assert len(provider.token_requests) == 2


def test_a_token_past_its_expires_in_is_fetched_again(dovecot, provider):
    provider.expires_in = 2  # kept until 0.2 s before (a tenth of its lifetime)
    dovecot.append(mail(1))
    assert mailbox.poll_once_locked() is not None
    time.sleep(2.0)
    dovecot.append(mail(2))

    result = mailbox.poll_once_locked()

    assert result is not None and result.handled == 1
    assert len(provider.token_requests) == 2
    # The old token was not tried: Dovecot was asked about each token once.
    assert len(provider.introspections) == 2 == len(set(provider.introspections))
    assert read_message_ids() == ["<oauth1@example.org>", "<oauth2@example.org>"]


def test_a_token_the_server_refuses_before_its_time_is_fetched_again_once(dovecot, provider):
    dovecot.append(mail(1))
    assert mailbox.poll_once_locked() is not None
    provider.expire_all()  # expired or revoked on the server's side; the client still keeps it
    dovecot.append(mail(2))

    result = mailbox.poll_once_locked()

    assert result is not None and result.handled == 1
    assert len(provider.token_requests) == 2
    assert read_message_ids() == ["<oauth1@example.org>", "<oauth2@example.org>"]
    assert xoauth2_logins(dovecot) == 2


def test_when_the_new_token_is_refused_too_the_poll_fails_after_one_more_request(
    dovecot, provider, caplog
):
    assert mailbox.poll_once_locked() is not None
    provider.username = "someone-else"  # the server now gives every token to another user
    dovecot.append(mail(1))

    assert mailbox.poll_once_locked() is None

    assert len(provider.token_requests) == 2  # the kept token, then one new one: no loop
    assert "mailbox poll failed" in caplog.text
    assert dovecot.count("INBOX") == 1 and read_message_ids() == []
    assert mailbox.poll_once_locked() is None
    assert len(provider.token_requests) == 3  # the refused token was not kept
    assert_no_secret_in(caplog.text, provider)


@pytest.mark.parametrize(
    ("status", "body", "content_type", "logged"),
    [
        (503, b"<html>Service Unavailable</html>", "text/html", "HTTP 503"),
        (200, b"{not json", "application/json", "without a JSON object"),
        (200, b'{"token_type": "Bearer"}', "application/json", "without a usable access_token"),
        (400, b'{"error": "invalid_scope"}', "application/json", "HTTP 400: invalid_scope"),
    ],
)
def test_a_bad_answer_from_the_token_endpoint_fails_the_poll_cleanly(
    dovecot, provider, caplog, status, body, content_type, logged
):
    dovecot.append(mail(1))
    provider.answer_next(status, body, content_type)

    assert mailbox.poll_once_locked() is None

    assert "mailbox poll failed" in caplog.text and logged in caplog.text
    assert_no_secret_in(caplog.text, provider)
    assert dovecot.count("INBOX") == 1 and read_message_ids() == []
    result = mailbox.poll_once_locked()  # the endpoint answers properly again
    assert result is not None and result.handled == 1


def test_a_token_endpoint_that_is_down_fails_the_poll_cleanly(dovecot, settings, caplog):
    dovecot.append(mail(1))
    settings.INBOUND_MAIL_OAUTH_TOKEN_URL = "http://127.0.0.1:%d/token" % free_port()

    assert mailbox.poll_once_locked() is None

    assert "mailbox poll failed" in caplog.text and "cannot be reached" in caplog.text
    assert CLIENT_SECRET not in caplog.text
    assert dovecot.count("INBOX") == 1 and read_message_ids() == []


def test_a_celery_worker_reads_with_xoauth2_from_its_environment_and_keeps_the_token(
    dovecot, provider, celery_worker_factory
):
    worker = celery_worker_factory(
        beat=False,
        concurrency=1,  # one process: one kept token
        env={
            "INBOUND_MAIL_URL": dovecot.oauth_url,
            "INBOUND_MAIL_OAUTH_TOKEN_URL": provider.token_url,
            "INBOUND_MAIL_OAUTH_CLIENT_ID": CLIENT_ID,
            "INBOUND_MAIL_OAUTH_CLIENT_SECRET": CLIENT_SECRET,
        },
    )
    for number in (1, 2):
        dovecot.append(mail(number))
        tasks.poll_mailbox.delay()
        wait_for(
            lambda n=number: InboundMessage.objects.count() == n,
            timeout=30,
            message=f"the worker read message {number}",
        )

    assert read_message_ids() == ["<oauth1@example.org>", "<oauth2@example.org>"]
    assert len(provider.token_requests) == 1
    assert xoauth2_logins(dovecot) == 2
    assert "mailbox polled" in worker.log()
    assert_no_secret_in(worker.log(), provider)
