"""Single sign-on end to end: Chromium signs in at a real OpenID Connect provider
(node-oidc-provider on loopback, tests/integration/oidc_server.py) and comes back to the live
server. Nothing of the protocol is mocked: the authorization code, PKCE, state, nonce, the
token endpoint and the RS256 signature checked against the provider's JWKS all run for real.

Without node the tests skip, and fail when PARTNERSKAP_REQUIRE_INTEGRATION=1.
"""

import os

import pytest
from django.contrib.auth import get_user_model

from partners.models import Network, OrganiserIdentity, OrganiserRole
from partners.signin import discovery
from tests.integration.oidc_server import OidcProvider, node_problem

pytestmark = pytest.mark.django_db(transaction=True)

ROLE = "Partnerskap.Arrangor"
# By the provider's subject (sub), which its login form takes as the login.
ACCOUNTS = {
    "sub-kari-0001": {"email": "kari@vtfk.example", "name": "Kari Nordmann", "roles": [ROLE]},
    "sub-ola-0002": {"email": "ola@vtfk.example", "name": "Ola Uten", "roles": ["Other.Role"]},
    "sub-nina-0003": {"email": "nina@vtfk.example", "name": "Nina Ny", "roles": [ROLE]},
}


@pytest.fixture(scope="module")
def provider(live_server, tmp_path_factory):
    problem = node_problem()
    if problem:
        if os.environ.get("PARTNERSKAP_REQUIRE_INTEGRATION") == "1":
            pytest.fail(problem)
        pytest.skip(problem)
    server = OidcProvider(
        redirect_uri=live_server.url + "/konto/sso/svar/",
        accounts=ACCOUNTS,
        log=tmp_path_factory.mktemp("oidc") / "provider.log",
    ).start()
    yield server
    server.stop()


@pytest.fixture
def sso(provider, settings):
    settings.OIDC_ISSUER = provider.issuer
    settings.OIDC_CLIENT_ID = provider.client_id
    settings.OIDC_CLIENT_SECRET = provider.client_secret
    settings.OIDC_ORGANISER_ROLE = ROLE
    discovery.forget()
    provider.tamper(False)
    yield provider
    provider.tamper(False)
    discovery.forget()


@pytest.fixture
def networks(db):
    from partners.demo import seed_partners

    seed_partners()
    return Network.objects.get(slug="klima-og-miljo"), Network.objects.get(slug="folkehelse")


def _sign_on(page, live_server, subject: str, next_url: str = "/arrangor/") -> None:
    """From the login page to the provider and back; the provider asks who it is unless the
    browser still has a session there (then it sends the browser straight back)."""
    page.goto(f"{live_server.url}/konto/logg-inn/?next={next_url}")
    page.get_by_role("link", name="Log in with your work account").click()
    page.wait_for_load_state()
    if "/interaction/" in page.url:
        page.fill("input[name=login]", subject)
        page.fill("input[name=password]", "any password")
        page.click("button[type=submit]")
        page.wait_for_load_state()
    assert page.url.startswith(live_server.url), page.locator("body").inner_text()[:1000]
    assert "/sso/svar/" not in page.url


def _english(page, live_server):
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])


def test_an_organiser_signs_on_and_sees_only_their_networks(page, live_server, sso, networks):
    klima, folkehelse = networks
    kari = get_user_model().objects.create_user("kari", "Kari@vtfk.example")
    OrganiserRole.objects.create(user=kari, network=klima)
    _english(page, live_server)

    _sign_on(page, live_server, "sub-kari-0001")
    assert page.url == live_server.url + "/arrangor/"
    main = page.locator("main").inner_text()
    assert klima.name in main and folkehelse.name not in main
    # The account was linked by the provider's subject, which finds it from now on.
    identity = OrganiserIdentity.objects.get(subject="sub-kari-0001")
    assert identity.user == kari and identity.issuer == sso.issuer

    # The same subject with another address at the provider is still Kari.
    page.locator("form[action='/konto/logg-ut/'] button").click()
    get_user_model().objects.filter(pk=kari.pk).update(email="kari.ny@vtfk.example")
    _sign_on(page, live_server, "sub-kari-0001", next_url="/arrangor/arrangementer/")
    assert page.url == live_server.url + "/arrangor/arrangementer/"
    assert get_user_model().objects.count() == 1


def test_a_person_without_the_organiser_role_is_refused(page, live_server, sso, networks):
    _english(page, live_server)
    _sign_on(page, live_server, "sub-ola-0002")
    assert "/konto/logg-inn/avvist/" in page.url
    assert page.locator("h1").inner_text() == "You were not signed in"
    assert "does not give access to the organiser area" in page.locator("main").inner_text()
    assert not get_user_model().objects.filter(email="ola@vtfk.example").exists()
    assert not OrganiserIdentity.objects.exists()
    page.goto(live_server.url + "/arrangor/")
    assert "/konto/logg-inn/" in page.url  # not signed in


def test_the_role_claim_makes_an_account_that_sees_nothing_yet(page, live_server, sso, networks):
    _english(page, live_server)
    _sign_on(page, live_server, "sub-nina-0003")
    assert page.url == live_server.url + "/konto/logg-inn/ingen-roller/"
    assert "No organiser roles yet" in page.locator("h1").inner_text()
    nina = get_user_model().objects.get(email="nina@vtfk.example")
    assert not nina.has_usable_password() and not nina.organiser_roles.exists()
    assert page.goto(live_server.url + "/arrangor/").status == 403  # signed in, no roles


def test_an_id_token_with_an_altered_signature_is_refused(page, live_server, sso, networks):
    klima, _folkehelse = networks
    kari = get_user_model().objects.create_user("kari", "kari@vtfk.example")
    OrganiserRole.objects.create(user=kari, network=klima)
    _english(page, live_server)
    sso.tamper(True)

    _sign_on(page, live_server, "sub-kari-0001")
    assert "/konto/logg-inn/avvist/" in page.url
    assert "could not be trusted" in page.locator("main").inner_text()
    assert not OrganiserIdentity.objects.exists()
    page.goto(live_server.url + "/arrangor/")
    assert "/konto/logg-inn/" in page.url

    # The same flow with the token as the provider signed it goes through.
    sso.tamper(False)
    _sign_on(page, live_server, "sub-kari-0001")
    assert page.url == live_server.url + "/arrangor/"
