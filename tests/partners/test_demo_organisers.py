"""The demo's scoped organisers: what seed_demo creates, what `make run` prints, what each sees."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from partners.demo import ORGANISERS, seed_organisers, seed_partners
from partners.models import Network, OrganiserRole

NETWORK_NAMES = {
    "baerekraftige-vestfold-og-telemark": "Bærekraftige Vestfold og Telemark",
    "klima-og-miljo": "Klima og miljø",
    "samferdsel-og-mobilitet": "Samferdsel og mobilitet",
    "verdiskaping-og-kompetanse": "Verdiskaping og kompetanse",
    "folkehelse": "Folkehelse",
    "digitv": "DigiTV – Digitale Telemark og Vestfold",
}


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def seeded(db):
    seed_partners()
    seed_organisers()


def _roles() -> list[tuple[str, str | None, str | None]]:
    return sorted(
        OrganiserRole.objects.values_list("user__username", "host__slug", "network__slug")
    )


def test_seed_gives_one_organiser_per_network_and_one_for_the_county(seeded):
    assert _roles() == sorted(
        [("arrangor-vestfold", "vestfold", None)]
        + [(username, None, network) for username, _host, network in ORGANISERS if network]
    )
    networks = {network for _user, _host, network in ORGANISERS if network}
    assert networks == set(Network.objects.values_list("slug", flat=True))
    users = get_user_model().objects.filter(username__startswith="arrangor-")
    assert not any(user.is_superuser or user.is_staff for user in users)
    assert not any(user.has_usable_password() for user in users)


def test_seed_organisers_twice_changes_nothing(seeded):
    first = (_roles(), sorted(get_user_model().objects.values_list("username", "password")))
    seed_partners()
    seed_organisers()
    assert (_roles(), sorted(get_user_model().objects.values_list("username", "password"))) == first


def _logins(settings, tmp_path) -> tuple[str, dict[str, str]]:
    """Run the command `make run` runs; (password, {username: its line})."""
    settings.VAR_DIR = tmp_path
    out = io.StringIO()
    call_command("ensure_demo_organiser", stdout=out)
    text = out.getvalue()
    match = re.search(r"Organiser login: arrangor / (\S+)", text)
    assert match, text
    password = match.group(1)
    lines = {line.split()[0]: line for line in text.splitlines() if line.startswith("  ")}
    return password, lines


def test_make_run_prints_every_scoped_login_with_what_it_sees(seeded, settings, tmp_path):
    password, lines = _logins(settings, tmp_path)
    assert list(lines) == [username for username, _host, _network in ORGANISERS]
    assert "host Vestfold fylkeskommune" in lines["arrangor-vestfold"]
    assert lines["arrangor-klima"].endswith("network Klima og miljø only")
    for username in lines:
        assert Client().login(username=username, password=password), username
    assert Client().login(username="arrangor", password=password)


def test_the_printed_password_survives_a_second_run(seeded, settings, tmp_path):
    password, _lines = _logins(settings, tmp_path)
    hashes = dict(get_user_model().objects.values_list("username", "password"))
    again, _lines = _logins(settings, tmp_path)
    assert again == password
    assert dict(get_user_model().objects.values_list("username", "password")) == hashes


def test_an_organiser_seeded_after_the_first_run_gets_the_password(db, settings, tmp_path):
    seed_partners()
    _logins(settings, tmp_path)  # before seed_demo: only arrangor
    seed_organisers()
    password, lines = _logins(settings, tmp_path)
    assert "arrangor-folkehelse" in lines
    assert Client().login(username="arrangor-folkehelse", password=password)


@pytest.mark.parametrize(
    ("username", "networks"),
    [
        ("arrangor-klima", {"klima-og-miljo"}),
        ("arrangor-digitv", {"digitv"}),
        ("arrangor-vestfold", set(NETWORK_NAMES)),  # Vestfold runs every demo network
    ],
)
def test_each_scoped_organiser_sees_only_its_networks(seeded, username, networks):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    response = client.get("/arrangor/")
    assert response.status_code == 200
    html = response.content.decode()
    for slug, name in NETWORK_NAMES.items():
        assert ('href="/arrangor/nettverk/%s/"' % slug in html) == (slug in networks), slug
    other = next(iter(set(NETWORK_NAMES) - networks), None)
    if other:
        assert client.get("/arrangor/nettverk/%s/" % other).status_code in (403, 404)


def test_make_run_says_the_superuser_sets_up_two_step_verification(seeded, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.SIGNIN_SUPERUSER_SECOND_FACTOR = True
    out = io.StringIO()
    call_command("ensure_demo_organiser", stdout=out)
    assert "sets up two-step verification" in out.getvalue()
    password = re.search(r"Organiser login: arrangor / (\S+)", out.getvalue()).group(1)
    superuser, scoped = Client(), Client()
    assert superuser.login(username="arrangor", password=password)
    assert superuser.get("/arrangor/")["Location"].startswith("/konto/to-trinn/")
    assert scoped.login(username="arrangor-klima", password=password)
    assert scoped.get("/arrangor/").status_code == 200
