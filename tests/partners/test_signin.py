"""Local accounts over HTTP: the password, the throttle on bursts, no telling who exists, and the
second factor (TOTP) set up and used with real computed codes."""

import re
import time
from base64 import b32decode
from binascii import hexlify

import pytest
from django.contrib.auth import get_user_model
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners.models import OrganiserRole
from tests.html_checks import page_problems

PASSWORD = "Rett-passord-2024"
WRONG = "Please enter a correct username and password"
THROTTLED = "Too many sign-in attempts"


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    """Dozens of sign-ins: a cheap hasher (the default takes a third of a second each)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def organiser(_fast_hasher, db, klima):
    user = get_user_model().objects.create_user("kari", "kari@example.org", PASSWORD)
    OrganiserRole.objects.create(user=user, network=klima)
    return user


@pytest.fixture
def superuser(_fast_hasher, db):
    return get_user_model().objects.create_superuser("rot", "rot@example.org", PASSWORD)


@pytest.fixture
def second_factor_required(settings):
    settings.SIGNIN_SUPERUSER_SECOND_FACTOR = True


@pytest.fixture(autouse=True)
def _fresh_counters():
    from django.core.cache import cache

    cache.clear()  # the counters of another test (the same Redis database) start afresh


def _sign_in(client, username, password, next_url=""):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post("/konto/logg-inn/", data)


def _errors(response) -> list[str]:
    html = response.content.decode()
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", summary.group(0), re.S) if summary else []


def _follow(client, url: str):
    """Redirects followed by hand (the test client's follow takes /konto/logg-inn/?next=/admin/
    and ?next=%2Fadmin%2F for a loop); the last URL and its response."""
    for _ in range(8):
        response = client.get(url)
        if response.status_code != 302:
            return url, response
        url = response["Location"]
    raise AssertionError("too many redirects")


def _code(key_hex: str, *, at: float | None = None) -> str:
    totp = TOTP(bytes.fromhex(key_hex))
    totp.time = time.time() if at is None else at
    return "%06d" % totp.token()


def test_password_sign_in_lands_in_the_organiser_area(client, organiser):
    response = _sign_in(client, "kari", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/arrangor/"
    assert "Klima og miljø" in client.get("/arrangor/").content.decode()


def test_unknown_user_and_wrong_password_look_the_same(client, organiser):
    unknown = _sign_in(client, "finnes-ikke", PASSWORD)
    wrong = _sign_in(client, "kari", "feil-passord")
    inactive_user = get_user_model().objects.create_user("borte", "b@example.org", PASSWORD)
    inactive_user.is_active = False
    inactive_user.save()
    inactive = _sign_in(client, "borte", PASSWORD)
    assert unknown.status_code == wrong.status_code == inactive.status_code == 200
    assert len(_errors(unknown)) == 1 and WRONG in _errors(unknown)[0]
    assert _errors(unknown) == _errors(wrong) == _errors(inactive)
    assert not client.session.get("_auth_user_id")


def test_a_burst_of_wrong_passwords_is_throttled_per_account(client, organiser, settings):
    settings.SIGNIN_ACCOUNT_RATE = "5/h"
    for _ in range(5):
        assert WRONG in _errors(_sign_in(client, "kari", "gjetting"))[0]
    refused = _sign_in(client, "kari", "gjetting")
    assert refused.status_code == 429
    assert THROTTLED in _errors(refused)[0]
    assert page_problems(refused.content.decode()) == []
    # The right password is refused too while the window lasts, and nobody is signed in.
    right = _sign_in(client, "KARI ", PASSWORD)
    assert right.status_code == 429
    assert not client.session.get("_auth_user_id")
    # Another account from the same address is not held up by this one's limit.
    assert _sign_in(client, "annen", "x").status_code == 200


def test_an_unknown_account_is_throttled_the_same_way(client, organiser, settings):
    settings.SIGNIN_ACCOUNT_RATE = "5/h"
    known = [_sign_in(client, "kari", "gjetting").status_code for _ in range(7)]
    unknown = [_sign_in(client, "ukjent", "gjetting").status_code for _ in range(7)]
    assert known == unknown == [200] * 5 + [429] * 2


def test_a_burst_from_one_address_is_throttled_across_accounts(client, organiser, settings):
    settings.SIGNIN_ADDRESS_RATE = "8/h"
    statuses = [_sign_in(client, f"navn{i}", "gjetting").status_code for i in range(10)]
    assert statuses == [200] * 8 + [429] * 2
    other_address = client.post(
        "/konto/logg-inn/",
        {"username": "kari", "password": PASSWORD},
        REMOTE_ADDR="10.9.8.7",
    )
    assert other_address.status_code == 302


def test_without_the_cache_sign_in_still_works_unthrottled(
    client, organiser, settings, unreachable_cache
):
    settings.SIGNIN_ACCOUNT_RATE = "2/h"
    statuses = [_sign_in(client, "kari", "gjetting").status_code for _ in range(4)]
    assert statuses == [200] * 4
    assert _sign_in(client, "kari", PASSWORD).status_code == 302


def _enrol(client) -> str:
    """Set up an authenticator from the page's manual key; returns the key (hex)."""
    page = client.get("/konto/to-trinn/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and page_problems(html) == []
    shown = re.search(r'<code class="totp-key">([A-Z2-7 ]+)</code>', html).group(1)
    key = hexlify(b32decode(shown.replace(" ", ""))).decode()
    setup = re.search(r'name="setup" value="([^"]+)"', html).group(1)
    wrong = client.post("/konto/to-trinn/", {"setup": setup, "code": "000000"})
    if _code(key) != "000000":
        assert "That code is not right" in wrong.content.decode()
        assert not TOTPDevice.objects.exists()
    response = client.post("/konto/to-trinn/", {"setup": setup, "code": _code(key)}, follow=True)
    assert "Two-step verification is on" in response.content.decode()
    return key


def test_totp_set_up_then_required_at_the_next_sign_in(client, organiser):
    client.force_login(organiser)
    home = client.get("/arrangor/").content.decode()
    assert 'href="/konto/to-trinn/"' in home
    key = _enrol(client)
    assert TOTPDevice.objects.get(user=organiser).confirmed
    client.post("/konto/logg-ut/")

    response = _sign_in(client, "kari", PASSWORD)
    assert response["Location"] == "/konto/logg-inn/kode/"
    assert not client.session.get("_auth_user_id")  # not in before the code
    assert client.get("/arrangor/").status_code == 302

    page = client.get("/konto/logg-inn/kode/")
    assert page_problems(page.content.decode()) == []
    wrong = client.post("/konto/logg-inn/kode/", {"code": "12345"})
    assert "Enter the six digits" in wrong.content.decode()
    # The enrolment used the current code: the next time step's code is the one that works.
    right = client.post("/konto/logg-inn/kode/", {"code": _code(key, at=time.time() + 30)})
    assert right.status_code == 302 and right["Location"] == "/arrangor/"
    assert client.get("/arrangor/").status_code == 200


def test_a_used_code_is_not_accepted_again(client, organiser):
    client.force_login(organiser)
    key = _enrol(client)
    client.post("/konto/logg-ut/")
    _sign_in(client, "kari", PASSWORD)
    response = client.post("/konto/logg-inn/kode/", {"code": _code(key)})  # used to enrol
    assert "That code is not right, or was used already" in response.content.decode()
    assert not client.session.get("_auth_user_id")


def test_the_code_step_without_a_password_goes_back_to_the_login(client, organiser):
    response = client.get("/konto/logg-inn/kode/")
    assert response.status_code == 302 and response["Location"] == "/konto/logg-inn/"


def test_an_organiser_can_turn_totp_off_with_a_code(client, organiser):
    client.force_login(organiser)
    key = _enrol(client)
    page = client.get("/konto/to-trinn/").content.decode()
    assert "Turn off two-step verification" in page
    response = client.post(
        "/konto/to-trinn/", {"code": _code(key, at=time.time() + 30)}, follow=True
    )
    assert "Two-step verification is off" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=organiser).exists()


@pytest.mark.usefixtures("second_factor_required")
@pytest.mark.parametrize("area", ["/arrangor/", "/admin/"])
def test_a_superuser_without_a_device_is_sent_to_set_one_up(client, superuser, area):
    response = _sign_in(client, "rot", PASSWORD, next_url=area)
    assert response["Location"] == area
    last, sent = _follow(client, area)
    assert last == "/konto/to-trinn/?next=" + area.replace("/", "%2F")
    html = sent.content.decode()
    assert "Administrators need two-step verification" in html
    shown = re.search(r'<code class="totp-key">([A-Z2-7 ]+)</code>', html).group(1)
    key = hexlify(b32decode(shown.replace(" ", ""))).decode()
    setup = re.search(r'name="setup" value="([^"]+)"', html).group(1)
    done = client.post("/konto/to-trinn/", {"setup": setup, "code": _code(key), "next": area})
    assert done["Location"] == area
    assert client.get(area).status_code == 200
    # And superusers cannot turn it off.
    assert "Administrators must keep it on" in client.get("/konto/to-trinn/").content.decode()


@pytest.mark.usefixtures("second_factor_required")
def test_a_superuser_session_without_the_code_signs_in_again(client, superuser):
    TOTPDevice.objects.create(user=superuser, name="a", confirmed=True)
    client.force_login(superuser)  # a session that never gave the code
    response = client.get("/arrangor/")
    assert response["Location"] == "/konto/logg-inn/?next=%2Farrangor%2F"
    assert not client.session.get("_auth_user_id")
    client.force_login(superuser)
    last, _response = _follow(client, "/admin/")
    assert last == "/konto/logg-inn/?next=%2Fadmin%2F"
    assert not client.session.get("_auth_user_id")


def test_the_admin_login_is_the_site_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/konto/logg-inn/?next=/admin/"


def test_without_sso_the_login_page_has_only_the_password(client, settings):
    settings.OIDC_ISSUER = ""
    html = client.get("/konto/logg-inn/").content.decode()
    assert "/konto/sso/" not in html and 'name="password"' in html
    assert client.get("/konto/sso/").status_code == 404


def test_with_sso_the_login_page_offers_it_first(client, settings):
    settings.OIDC_ISSUER = "https://login.example.org/tenant/v2.0"
    settings.OIDC_CLIENT_ID = "partnerskap"
    html = client.get("/konto/logg-inn/?next=/arrangor/arrangementer/").content.decode()
    assert html.index("/konto/sso/?next=%2Farrangor%2Farrangementer%2F") < html.index(
        'name="password"'
    )
    assert page_problems(html) == []


@pytest.mark.parametrize(
    ("reason", "status", "text"),
    [
        ("role", 403, "does not give access to the organiser area"),
        ("invalid", 400, "could not be trusted"),
        ("unavailable", 503, "cannot be reached"),
        ("nonsense", 400, "could not be trusted"),
    ],
)
def test_refused_sign_on_pages_say_why(client, reason, status, text):
    response = client.get("/konto/logg-inn/avvist/", {"r": reason})
    assert response.status_code == status
    html = response.content.decode()
    assert text in html and page_problems(html) == []


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_sign_in_pages_are_translated(client, organiser, language):
    client.cookies["django_language"] = language
    client.force_login(organiser)
    page = client.get("/konto/to-trinn/").content.decode()
    assert "Two-step verification" not in page and "Totrinnsinnlogging" in page
