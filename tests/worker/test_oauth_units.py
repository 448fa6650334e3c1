"""The XOAUTH2 settings and the token endpoint's answers, without a server (the logins against
Dovecot and a token endpoint are in tests/integration/test_mailbox_oauth.py)."""

import json

import pytest

from tests.test_config import _settings_with
from worker import oauth
from worker.mailbox import Mailbox

SECRET = "s3cr3t~value"
TOKEN_URL = "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"


def answer(status: int, body, *, at: float = 1000.0) -> oauth.AccessToken:
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    return oauth.read_token_response(status, payload, requested_at=at, secret=SECRET, where="idp")


def test_without_a_token_url_the_mailbox_logs_in_with_its_password(monkeypatch, tmp_path):
    for name in ("INBOUND_MAIL_OAUTH_TOKEN_URL", "INBOUND_MAIL_OAUTH_SCOPE"):
        monkeypatch.delenv(name, raising=False)
    values = _settings_with(monkeypatch, tmp_path)
    assert values["INBOUND_MAIL_OAUTH_TOKEN_URL"] == ""
    assert values["INBOUND_MAIL_OAUTH_SCOPE"] == "https://outlook.office365.com/.default"


def test_the_oauth_settings_are_read_from_the_environment(monkeypatch, tmp_path):
    values = _settings_with(
        monkeypatch,
        tmp_path,
        INBOUND_MAIL_URL="imaps://svar%40example.org@outlook.office365.com/INBOX",
        INBOUND_MAIL_OAUTH_TOKEN_URL=TOKEN_URL,
        INBOUND_MAIL_OAUTH_CLIENT_ID="1b2c",
        INBOUND_MAIL_OAUTH_CLIENT_SECRET="$tarts-with-a-dollar",
        INBOUND_MAIL_OAUTH_SCOPE="https://imap.example.org/.default",
    )
    assert values["INBOUND_MAIL_OAUTH_TOKEN_URL"] == TOKEN_URL
    assert values["INBOUND_MAIL_OAUTH_CLIENT_ID"] == "1b2c"
    assert values["INBOUND_MAIL_OAUTH_CLIENT_SECRET"] == "$tarts-with-a-dollar"
    assert values["INBOUND_MAIL_OAUTH_SCOPE"] == "https://imap.example.org/.default"
    assert "poll-mailbox" in values["CELERY_BEAT_SCHEDULE"]


@pytest.mark.parametrize(
    ("env", "refusal"),
    [
        ({"INBOUND_MAIL_OAUTH_TOKEN_URL": "http://login.example.org/token"}, "https://"),
        ({"INBOUND_MAIL_OAUTH_TOKEN_URL": "login.example.org/token"}, "https://"),
        ({"INBOUND_MAIL_OAUTH_CLIENT_ID": ""}, "INBOUND_MAIL_OAUTH_CLIENT_ID"),
        ({"INBOUND_MAIL_OAUTH_CLIENT_SECRET": ""}, "INBOUND_MAIL_OAUTH_CLIENT_SECRET"),
    ],
)
def test_incomplete_or_unsafe_oauth_settings_refuse_to_start(monkeypatch, tmp_path, env, refusal):
    complete = {
        "INBOUND_MAIL_OAUTH_TOKEN_URL": TOKEN_URL,
        "INBOUND_MAIL_OAUTH_CLIENT_ID": "1b2c",
        "INBOUND_MAIL_OAUTH_CLIENT_SECRET": SECRET,
    }
    with pytest.raises(RuntimeError, match=refusal):
        _settings_with(monkeypatch, tmp_path, **{**complete, **env})


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        (TOKEN_URL, True),
        ("http://127.0.0.1:8080/token", True),
        ("http://localhost/token", True),
        ("http://[::1]:9/token", True),
        ("http://login.example.org/token", False),
        ("ftp://login.example.org/token", False),
        ("file:///etc/passwd", False),
        ("https:///token", False),
    ],
)
def test_the_secret_goes_only_over_tls_or_to_loopback(url, allowed):
    assert (oauth.token_url_problem(url) is None) is allowed


def test_with_a_token_url_the_mailbox_logs_in_as_the_url_user_without_a_password(settings):
    settings.INBOUND_MAIL_OAUTH_TOKEN_URL = TOKEN_URL
    settings.INBOUND_MAIL_OAUTH_CLIENT_ID = "1b2c"
    settings.INBOUND_MAIL_OAUTH_CLIENT_SECRET = SECRET
    settings.INBOUND_MAIL_OAUTH_SCOPE = "https://outlook.office365.com/.default"

    box = Mailbox.from_url("imaps://svar%40example.org@outlook.office365.com/INBOX")

    assert (box.username, box.password, box.host, box.port) == (
        "svar@example.org",
        "",
        "outlook.office365.com",
        993,
    )
    assert box.client_credentials == oauth.ClientCredentials(
        token_url=TOKEN_URL,
        client_id="1b2c",
        client_secret=SECRET,
        scope="https://outlook.office365.com/.default",
    )
    assert SECRET not in repr(box)

    settings.INBOUND_MAIL_OAUTH_TOKEN_URL = ""
    assert Mailbox.from_url("imap://u:p@127.0.0.1/INBOX").client_credentials is None


@pytest.mark.parametrize(
    ("body", "expires_at"),
    [
        ({"access_token": "eyJ0.a-b_c", "token_type": "Bearer", "expires_in": 3599}, 4539.0),
        ({"access_token": "eyJ0.a-b_c", "token_type": "bearer", "expires_in": "3600"}, 4540.0),
        ({"access_token": "eyJ0.a-b_c", "expires_in": 10}, 1009.0),  # a tenth of a short life
        ({"access_token": "eyJ0.a-b_c", "token_type": "Bearer"}, None),  # no lifetime: not kept
        ({"access_token": "eyJ0.a-b_c", "expires_in": -5}, None),
        ({"access_token": "eyJ0.a-b_c", "expires_in": "soon"}, None),
    ],
)
def test_a_token_is_kept_until_shortly_before_it_expires(body, expires_at):
    token = answer(200, body)
    assert token.value == "eyJ0.a-b_c" and token.fresh
    assert token.expires_at == expires_at
    assert "eyJ0" not in repr(token)


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (
            401,
            {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid secret"},
            "refused the request, HTTP 401: invalid_client (AADSTS7000215: Invalid secret)",
        ),
        (400, {"error": "invalid_scope"}, "HTTP 400: invalid_scope"),
        (502, b"<html>Bad Gateway</html>", "refused the request, HTTP 502"),
        (200, b"{not json", "without a JSON object"),
        (200, b"\xff\xfe", "without a JSON object"),
        (200, ["access_token"], "without a JSON object"),
        (200, {"token_type": "Bearer"}, "without a usable access_token"),
        (200, {"access_token": ""}, "without a usable access_token"),
        (200, {"access_token": 42}, "without a usable access_token"),
        (200, {"access_token": "two words"}, "without a usable access_token"),
        (200, {"access_token": "a\x01b"}, "without a usable access_token"),
        (200, {"access_token": "abc", "token_type": "mac"}, "a mac token, not a Bearer token"),
    ],
)
def test_an_answer_without_a_token_says_what_went_wrong(status, body, message):
    with pytest.raises(oauth.TokenError, match="the token endpoint idp") as raised:
        answer(status, body)
    assert message in str(raised.value)


def test_the_secret_is_cut_out_of_what_an_endpoint_echoes():
    with pytest.raises(oauth.TokenError) as raised:
        answer(401, {"error": "invalid_client", "error_description": f"bad secret {SECRET}\n!"})
    assert SECRET not in str(raised.value)
    assert "bad secret [secret]" in str(raised.value) and "\n" not in str(raised.value)


def test_an_unsafe_token_url_is_refused_before_the_secret_is_sent():
    credentials = oauth.ClientCredentials(
        token_url="http://login.example.org/token", client_id="a", client_secret=SECRET, scope="s"
    )
    with pytest.raises(oauth.TokenError, match="https://"):
        oauth.access_token(credentials, timeout=1)
