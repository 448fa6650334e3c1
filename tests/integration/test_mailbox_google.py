"""Google Workspace: the mailbox's XOAUTH2 login with a token got by the JWT-bearer grant (a
service account with domain-wide delegation), against real peers: Dovecot with its oauth2
passdb, and the local OAuth 2.0 server (tests/integration/oauth_provider.py) that verifies the
RS256-signed assertion against the public half of a key pair made here, as Google's token
endpoint does, and tells Dovecot which tokens it issued. The poll is the beat task's."""

import base64
import json
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest

from worker import mailbox, oauth, tasks
from worker.models import InboundMessage

from . import dovecot as dovecot_module
from .harness import wait_for
from .oauth_provider import (
    GMAIL_SCOPE,
    JWT_BEARER,
    SERVICE_ACCOUNT_EMAIL,
    OAuthProvider,
    new_key_pair,
    private_key_pem,
    service_account_key_file,
)
from .test_mailbox_oauth import mail, read_message_ids, xoauth2_logins

pytestmark = pytest.mark.django_db(transaction=True)

KEY = new_key_pair()  # the service account's: the provider knows its public half


@pytest.fixture
def provider() -> Iterator[OAuthProvider]:
    server = OAuthProvider(
        username=dovecot_module.USER, service_account_key=KEY.public_key()
    ).start()
    yield server
    server.stop()


@pytest.fixture
def key_file(tmp_path, provider) -> Path:
    return service_account_key_file(
        tmp_path / "partnerskap-123456-0a1b2c3d4e5f.json", KEY, token_uri=provider.google_token_url
    )


@pytest.fixture
def dovecot(settings, provider, key_file, caplog) -> Iterator[dovecot_module.Dovecot]:
    if not dovecot_module.available():
        message = "the mailbox tests need Dovecot (apt-get install dovecot-imapd)"
        if os.environ.get("PARTNERSKAP_REQUIRE_INTEGRATION") == "1":
            pytest.fail(message)
        pytest.skip(message)
    caplog.set_level(logging.DEBUG)  # imapclient's protocol log too: no token may show there
    server = dovecot_module.Dovecot(oauth_introspection_url=provider.introspection_url).start()
    settings.INBOUND_MAIL_URL = server.oauth_url
    settings.INBOUND_MAIL_OAUTH_TOKEN_URL = ""
    settings.INBOUND_MAIL_OAUTH_CLIENT_ID = ""
    settings.INBOUND_MAIL_OAUTH_CLIENT_SECRET = ""
    settings.INBOUND_MAIL_OAUTH_SERVICE_ACCOUNT_FILE = str(key_file)
    settings.INBOUND_MAIL_OAUTH_SCOPE = GMAIL_SCOPE
    oauth.forget_all_tokens()
    yield server
    oauth.forget_all_tokens()
    server.stop()


def assert_nothing_secret_in(text: str, provider: OAuthProvider, *keys) -> None:
    """Neither a private key (nor a line of it), nor an assertion, nor a token."""
    for key in (KEY, *keys):
        pem = private_key_pem(key)
        assert pem not in text
        for line in pem.splitlines()[1:-1]:
            assert line not in text
    for request in provider.token_requests:
        assert request["assertion"] not in text
        assert request["assertion"].split(".")[2] not in text  # its signature alone
    for token in provider.issued:
        assert token not in text
        xoauth2 = f"user={dovecot_module.USER}\1auth=Bearer {token}\1\1"  # as sent, base64
        assert base64.b64encode(xoauth2.encode()).decode() not in text


def test_a_poll_logs_in_with_a_token_from_the_jwt_grant_and_reads_a_message(
    dovecot, provider, key_file, caplog
):
    dovecot.append(mail(1))
    before = int(time.time())

    result = mailbox.poll_once_locked()

    assert result is not None and result.handled == 1
    assert read_message_ids() == ["<oauth1@example.org>"]
    assert (dovecot.count("INBOX"), dovecot.count("Processed")) == (0, 1)
    assert xoauth2_logins(dovecot) == 1
    [request] = provider.token_requests
    assert set(request) == {"grant_type", "assertion"}  # no client secret of any kind
    assert request["grant_type"] == JWT_BEARER
    # What the provider verified: signed by the account's key, in the mailbox user's name.
    [claims] = provider.assertions
    assert claims["iss"] == SERVICE_ACCOUNT_EMAIL
    assert claims["sub"] == dovecot_module.USER
    assert claims["aud"] == provider.google_token_url
    assert claims["scope"] == "https://mail.google.com/"
    assert before <= claims["iat"] <= time.time() and claims["exp"] == claims["iat"] + 3600
    header = jwt.get_unverified_header(request["assertion"])
    assert header["alg"] == "RS256"
    assert header["kid"] == json.loads(key_file.read_text())["private_key_id"]
    assert provider.introspections == list(provider.issued)  # Dovecot checked that token
    assert "mailbox polled" in caplog.text
    assert_nothing_secret_in(caplog.text, provider)


def test_an_assertion_signed_by_another_key_fails_the_poll_cleanly(
    dovecot, provider, key_file, tmp_path, caplog
):
    dovecot.append(mail(1))
    other = new_key_pair()  # e.g. a key deleted in the console, or another account's
    service_account_key_file(key_file, other, token_uri=provider.google_token_url)

    assert mailbox.poll_once_locked() is None

    assert "mailbox poll failed" in caplog.text
    assert "invalid_grant (Invalid JWT Signature.)" in caplog.text
    assert len(provider.token_requests) == 1 and provider.assertions == []
    assert provider.issued == {} and provider.introspections == []  # no XOAUTH2 attempt at all
    assert read_message_ids() == [] and dovecot.count("INBOX") == 1
    assert_nothing_secret_in(caplog.text, provider, other)

    service_account_key_file(key_file, KEY, token_uri=provider.google_token_url)  # fixed
    result = mailbox.poll_once_locked()
    assert result is not None and result.handled == 1
    assert len(provider.token_requests) == 2


def test_the_token_is_kept_between_polls(dovecot, provider, caplog):
    for number in range(3):
        dovecot.append(mail(number))
        assert mailbox.poll_once_locked() is not None

    assert read_message_ids() == [f"<oauth{n}@example.org>" for n in range(3)]
    assert len(provider.token_requests) == 1  # one assertion signed, one token for 3 polls
    assert len(provider.introspections) == 3 and len(set(provider.introspections)) == 1
    assert xoauth2_logins(dovecot) == 3
    assert_nothing_secret_in(caplog.text, provider)


def test_a_token_past_its_expires_in_is_fetched_again_with_a_new_assertion(dovecot, provider):
    provider.expires_in = 2  # kept until 0.2 s before (a tenth of its lifetime)
    dovecot.append(mail(1))
    assert mailbox.poll_once_locked() is not None
    time.sleep(2.0)
    dovecot.append(mail(2))

    result = mailbox.poll_once_locked()

    assert result is not None and result.handled == 1
    assert len(provider.token_requests) == 2 == len(provider.assertions)
    # The old token was not tried: Dovecot was asked about each token once.
    assert len(provider.introspections) == 2 == len(set(provider.introspections))
    assert read_message_ids() == ["<oauth1@example.org>", "<oauth2@example.org>"]


def test_a_token_the_server_refuses_before_its_time_is_fetched_again_once(dovecot, provider):
    dovecot.append(mail(1))
    assert mailbox.poll_once_locked() is not None
    provider.expire_all()  # revoked on the server's side; the client still keeps it
    dovecot.append(mail(2))

    result = mailbox.poll_once_locked()

    assert result is not None and result.handled == 1
    assert len(provider.token_requests) == 2
    assert xoauth2_logins(dovecot) == 2
    assert read_message_ids() == ["<oauth1@example.org>", "<oauth2@example.org>"]


def test_a_mailbox_the_account_may_not_act_for_fails_the_poll_cleanly(
    dovecot, provider, settings, caplog
):
    # The URL names a user the delegation does not cover (or one that does not exist).
    settings.INBOUND_MAIL_URL = dovecot.oauth_url.replace(dovecot_module.USER, "someone-else", 1)
    dovecot.append(mail(1))

    assert mailbox.poll_once_locked() is None

    assert "mailbox poll failed" in caplog.text and "Invalid email or User ID" in caplog.text
    assert provider.token_requests and provider.assertions == []
    assert read_message_ids() == [] and dovecot.count("INBOX") == 1
    assert_nothing_secret_in(caplog.text, provider)


def test_a_key_file_gone_since_the_start_fails_the_poll_and_says_so(
    dovecot, provider, key_file, caplog
):
    dovecot.append(mail(1))
    key_file.unlink()

    assert mailbox.poll_once_locked() is None

    assert "mailbox poll failed: INBOUND_MAIL_OAUTH_SERVICE_ACCOUNT_FILE" in caplog.text
    assert "cannot be read" in caplog.text and str(key_file) in caplog.text
    assert provider.token_requests == []
    assert read_message_ids() == [] and dovecot.count("INBOX") == 1


def test_a_celery_worker_reads_with_a_service_account_from_its_environment(
    dovecot, provider, key_file, celery_worker_factory
):
    worker = celery_worker_factory(
        beat=False,
        concurrency=1,  # one process: one kept token
        env={
            "INBOUND_MAIL_URL": dovecot.oauth_url,
            "INBOUND_MAIL_OAUTH_SERVICE_ACCOUNT_FILE": str(key_file),
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
    assert provider.assertions[0]["scope"] == GMAIL_SCOPE  # the default with a key file
    assert xoauth2_logins(dovecot) == 2
    assert "mailbox polled" in worker.log()
    assert_nothing_secret_in(worker.log(), provider)
