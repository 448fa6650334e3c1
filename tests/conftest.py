import pytest
from django.contrib.auth import get_user_model

from partners.demo import seed_partners
from partners.models import Network, OrganiserRole

# The organiser fixtures of calls for input (klima_organiser, klima_client, ...).
pytest_plugins = ["tests.calls.organiser_data"]


@pytest.fixture(autouse=True)
def _default_language():
    """Tests read English unless they ask for a language: the source strings are English, and
    the catalogues are checked by tests/test_translations.py and the nb/nn page tests."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _superusers_without_second_factor():
    """Tests that are not about sign-in log superusers in with force_login, which passes no
    second factor; the sign-in tests (tests/partners/test_signin.py) turn it back on. Not the
    `settings` fixture: that would set it up first and tear it down last, after fixtures that
    clean the cache a test's own settings pointed elsewhere."""
    from django.test import override_settings

    with override_settings(SIGNIN_SUPERUSER_SECOND_FACTOR=False):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashes():
    """Passwords hashed with MD5 in the tests (PBKDF2 still checks the hashes it made): Django's
    PBKDF2 takes 0.6 s a password on this machine, and every organiser a test makes has one.
    The sign-in tests measure nothing of the hash; what they test is Django's check either way."""
    from django.test import override_settings

    with override_settings(
        PASSWORD_HASHERS=[
            "django.contrib.auth.hashers.MD5PasswordHasher",
            "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        ]
    ):
        yield


@pytest.fixture(autouse=True)
def _private_uploads_in_tmp(tmp_path):
    """Uploaded files (documents, attachments, the demo's) go to the test's own folder, never
    to var/ (the private storage reads the setting at each use). Not the `settings` fixture,
    for the reason above."""
    from django.test import override_settings

    with override_settings(PRIVATE_UPLOAD_ROOT=tmp_path / "private"):
        yield


@pytest.fixture
def client(client):
    """The test client asks for English like a browser would (Accept-Language); a test that sets
    the django_language cookie or its own header gets that language instead."""
    client.defaults.setdefault("HTTP_ACCEPT_LANGUAGE", "en")
    return client


@pytest.fixture
def demo(db):
    """The demo partnership from the seed text."""
    seed_partners()
    return Network.objects.get(slug="baerekraftige-vestfold-og-telemark")


@pytest.fixture
def make_organiser(db):
    def make(username: str, network: Network | None = None, host=None, superuser: bool = False):
        User = get_user_model()
        if superuser:
            return User.objects.create_superuser(username, f"{username}@example.org", "pw-not-used")
        user = User.objects.create_user(username, f"{username}@example.org", "pw-not-used")
        if network is not None or host is not None:
            OrganiserRole.objects.create(user=user, network=network, host=host)
        return user

    return make


@pytest.fixture
def mailbox_read(settings):
    """A mailbox is read for answers (INBOUND_MAIL_URL set): calendars ask for an answer and
    carry the recipient's token in ORGANIZER. Nothing here connects to it."""
    settings.INBOUND_MAIL_URL = "imap://inbox:secret@127.0.0.1:1/INBOX"
    settings.ORGANISER_MAILBOX = "partnerskap@vtfk.example"
    return settings.ORGANISER_MAILBOX


@pytest.fixture
def unreachable_cache(settings):
    """The default cache is a Redis that refuses connections (a port nothing listens on), as
    when Redis is stopped. Each use gets its own address, so its outage is news to the code."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:%d/0" % port,
        }
    }
    return settings.CACHES["default"]["LOCATION"]
