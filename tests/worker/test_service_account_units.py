"""Google Workspace's service account (worker/service_account.py): its key file, the signed
assertion, the settings that name it; without a server (the logins against Dovecot and a token
endpoint that verifies the assertion are in tests/integration/test_mailbox_google.py)."""

import json

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tests.test_config import _settings_with
from worker import oauth, service_account
from worker.mailbox import Mailbox

SECRET = "s3cr3t~value"
TOKEN_URL = "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"

GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def key_file(tmp_path, key, **fields):
    """A key file as the Google Cloud console gives it, with `fields` changed (None: left out)."""
    data = {
        "type": "service_account",
        "project_id": "partnerskap-123456",
        "private_key_id": "0a1b2c3d4e5f",
        "private_key": pem(key),
        "client_email": "mailbox@partnerskap-123456.iam.gserviceaccount.com",
        "client_id": "112233445566778899001",
        "token_uri": GOOGLE_TOKEN_URI,
        **fields,
    }
    path = tmp_path / "key.json"
    path.write_text(json.dumps({k: v for k, v in data.items() if v is not None}))
    return path


def test_a_google_key_file_gives_the_service_account(tmp_path, rsa_key):
    account = service_account.load(key_file(tmp_path, rsa_key), subject="svar@example.org")

    assert account.client_email == "mailbox@partnerskap-123456.iam.gserviceaccount.com"
    assert (account.token_url, account.subject, account.scope) == (
        GOOGLE_TOKEN_URI,
        "svar@example.org",
        "https://mail.google.com/",
    )
    assert account.private_key == pem(rsa_key) and account.private_key_id == "0a1b2c3d4e5f"
    assert "PRIVATE KEY" not in repr(account)
    # Read again (the next poll), it is the same account: the kept token is found.
    assert service_account.load(key_file(tmp_path, rsa_key), subject="svar@example.org") == account


def test_the_assertion_is_what_googles_token_endpoint_checks(tmp_path, rsa_key):
    account = service_account.load(key_file(tmp_path, rsa_key), subject="svar@example.org")
    form = account.form(now=1_800_000_000.7)

    assert form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    claims = jwt.decode(
        form["assertion"],
        rsa_key.public_key(),
        algorithms=["RS256"],
        audience=GOOGLE_TOKEN_URI,
        options={"verify_exp": False, "verify_iat": False},
    )
    assert claims == {
        "iss": "mailbox@partnerskap-123456.iam.gserviceaccount.com",
        "sub": "svar@example.org",
        "scope": "https://mail.google.com/",
        "aud": GOOGLE_TOKEN_URI,
        "iat": 1_800_000_000,
        "exp": 1_800_003_600,
    }
    assert jwt.get_unverified_header(form["assertion"]) == {
        "alg": "RS256",
        "typ": "JWT",
        "kid": "0a1b2c3d4e5f",
    }


def test_a_key_file_without_a_token_uri_goes_to_google(tmp_path, rsa_key):
    path = key_file(tmp_path, rsa_key, token_uri=None, private_key_id=None)
    account = service_account.load(path, subject="svar@example.org")
    assert account.token_url == GOOGLE_TOKEN_URI and account.private_key_id == ""
    assert "kid" not in jwt.get_unverified_header(account.assertion())


@pytest.mark.parametrize(
    ("fields", "refusal"),
    [
        ({"type": "authorized_user"}, 'is not a service-account key file (its type is "authorized'),
        ({"type": None}, "is not a service-account key file"),
        ({"client_email": None}, "has no client_email"),
        ({"client_email": "", "private_key": None}, "has no client_email and no private_key"),
        (
            {"private_key": "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n"},
            "not an unencrypted PEM private key",
        ),
        ({"private_key": 42}, "has no private_key"),
        ({"token_uri": 7}, "token_uri that is not text"),
    ],
)
def test_a_key_file_that_is_not_a_service_accounts_key_is_refused(
    tmp_path, rsa_key, fields, refusal
):
    path = key_file(tmp_path, rsa_key, **fields)
    with pytest.raises(
        service_account.KeyFileError, match="INBOUND_MAIL_OAUTH_SERVICE_ACCOUNT_FILE"
    ) as raised:
        service_account.load(path, subject="svar@example.org")
    assert refusal in str(raised.value) and str(path) in str(raised.value)
    assert "MII" not in str(raised.value)  # nothing of the key


def test_a_key_that_is_not_rsa_or_a_file_that_is_not_json_is_refused(tmp_path, rsa_key):
    ec_key = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(service_account.KeyFileError, match="not an RSA key"):
        service_account.load(key_file(tmp_path, ec_key), subject="s")
    path = tmp_path / "key.json"
    for content, refusal in [
        (b"-----BEGIN PRIVATE KEY-----\n", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b'["service_account"]', "is not a service-account key file"),
        (b" " * 70_000, "too large"),
    ]:
        path.write_bytes(content)
        with pytest.raises(service_account.KeyFileError, match=refusal):
            service_account.load(path, subject="s")
    with pytest.raises(service_account.KeyFileError, match="cannot be read: No such file"):
        service_account.load(tmp_path / "missing.json", subject="s")
    with pytest.raises(service_account.KeyFileError, match="cannot be read"):
        service_account.load(tmp_path, subject="s")  # a directory


def test_the_service_account_setting_is_read_and_its_scope_defaults_to_gmails(
    monkeypatch, tmp_path, rsa_key
):
    for name in ("INBOUND_MAIL_OAUTH_TOKEN_URL", "INBOUND_MAIL_OAUTH_SCOPE"):
        monkeypatch.delenv(name, raising=False)
    path = key_file(tmp_path, rsa_key)
    values = _settings_with(
        monkeypatch,
        tmp_path,
        INBOUND_MAIL_URL="imaps://svar%40example.org@imap.gmail.com:993/INBOX",
        INBOUND_MAIL_OAUTH_SERVICE_ACCOUNT_FILE=str(path),
    )
    assert values["INBOUND_MAIL_OAUTH_SERVICE_ACCOUNT_FILE"] == str(path)
    assert values["INBOUND_MAIL_OAUTH_SCOPE"] == "https://mail.google.com/"
    assert "poll-mailbox" in values["CELERY_BEAT_SCHEDULE"]


@pytest.mark.parametrize(
    ("env", "refusal"),
    [
        ({"INBOUND_MAIL_OAUTH_TOKEN_URL": TOKEN_URL}, "two ways to get a token: set one"),
        ({"INBOUND_MAIL_OAUTH_CLIENT_ID": "1b2c"}, "two ways to get a token: set one"),
        ({"INBOUND_MAIL_OAUTH_CLIENT_SECRET": SECRET}, "two ways to get a token: set one"),
        ({"INBOUND_MAIL_OAUTH_SERVICE_ACCOUNT_FILE": "/nonexistent/key.json"}, "cannot be read"),
        ({"token_uri": "http://oauth2.example.org/token"}, "token_uri in .* must be an https://"),
        ({"type": "authorized_user"}, "is not a service-account key file"),
    ],
)
def test_a_missing_broken_or_doubled_service_account_setting_refuses_to_start(
    monkeypatch, tmp_path, rsa_key, env, refusal
):
    for name in ("INBOUND_MAIL_OAUTH_TOKEN_URL", "INBOUND_MAIL_OAUTH_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("INBOUND_MAIL_OAUTH_CLIENT_SECRET", raising=False)
    fields = {k: v for k, v in env.items() if not k.startswith("INBOUND_")}
    settings_env = {k: v for k, v in env.items() if k.startswith("INBOUND_")}
    path = key_file(tmp_path, rsa_key, **fields)
    with pytest.raises(RuntimeError, match=refusal) as raised:
        _settings_with(
            monkeypatch,
            tmp_path,
            **{"INBOUND_MAIL_OAUTH_SERVICE_ACCOUNT_FILE": str(path), **settings_env},
        )
    assert "MII" not in str(raised.value)


def test_with_a_key_file_the_mailbox_asks_for_a_token_in_its_users_name(
    settings, tmp_path, rsa_key
):
    settings.INBOUND_MAIL_OAUTH_SERVICE_ACCOUNT_FILE = str(key_file(tmp_path, rsa_key))
    settings.INBOUND_MAIL_OAUTH_SCOPE = "https://mail.google.com/"

    box = Mailbox.from_url("imaps://svar%40example.org@imap.gmail.com/INBOX")

    assert isinstance(box.client_credentials, service_account.ServiceAccount)
    assert box.client_credentials.subject == "svar@example.org" and box.password == ""
    assert "PRIVATE KEY" not in repr(box)
    (tmp_path / "key.json").unlink()
    with pytest.raises(ValueError, match="cannot be read"):  # the poll fails and says why
        Mailbox.from_url("imaps://svar%40example.org@imap.gmail.com/INBOX")


def test_the_key_and_the_assertion_are_cut_out_of_what_an_endpoint_echoes(tmp_path, rsa_key):
    with pytest.raises(oauth.TokenError) as raised:
        oauth.read_token_response(
            400,
            json.dumps(
                {"error": "invalid_grant", "error_description": "eyJh.x.y and KEY"}
            ).encode(),
            requested_at=0.0,
            secret=("KEY", "eyJh.x.y"),
        )
    assert str(raised.value).endswith("HTTP 400: invalid_grant ([secret] and [secret])")


def test_a_service_account_with_an_unsafe_token_uri_sends_no_assertion(tmp_path, rsa_key):
    path = key_file(tmp_path, rsa_key, token_uri="http://oauth2.example.org/token")
    account = service_account.load(path, subject="svar@example.org")
    with pytest.raises(oauth.TokenError, match="the service account's token_uri must be an https"):
        oauth.access_token(account, timeout=1)
