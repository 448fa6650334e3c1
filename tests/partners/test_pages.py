import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.demo import MEMBERS, OBSERVERS, seed_partners
from partners.models import (
    Network,
    Organisation,
    OrganisationMembership,
    OrganiserRole,
    Person,
    validate_organisation_number,
)
from tests.factories import NetworkFactory, OrganisationMembershipFactory, PersonMembershipFactory


def _counts():
    return (
        Organisation.objects.count(),
        Network.objects.count(),
        Person.objects.count(),
        OrganisationMembership.objects.count(),
    )


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing():
    seed_partners()
    first = _counts()
    seed_partners()
    assert _counts() == first
    assert first[1] == 6  # the partnership, four thematic networks, DigiTV


def test_partnership_page_lists_members_and_observers_under_their_headings(client, demo):
    response = client.get("/partnerskap/")
    assert response.status_code == 200
    html = response.content.decode()
    members_part = html.split('id="members"')[1].split("</ul>")[0]
    observers_part = html.split('id="observers"')[1].split("</ul>")[0]
    assert len(MEMBERS) == 11 and len(OBSERVERS) == 7
    for name, *_ in MEMBERS:
        assert f"<li>{name}</li>" in members_part
        assert name not in observers_part
    for name, *_ in OBSERVERS:
        assert f"<li>{name}</li>" in observers_part
    assert members_part.count("<li>") == 11
    assert observers_part.count("<li>") == 7


def test_healthz_reports_database_and_broker(client, db):
    response = client.get("/healthz")
    assert response.json()["database"] is True
    assert response.status_code in (200, 503)


def test_home_lists_networks_partnership_first(client, demo):
    html = client.get("/").content.decode()
    names = re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', html)
    assert names[0] == "Bærekraftige Vestfold og Telemark"
    assert len(names) == 6
    assert names[-1] == "DigiTV – Digitale Telemark og Vestfold"  # the project after the networks
    assert 'href="/partnerskap/"' in html and 'href="/nettverk/folkehelse/"' in html


def test_network_page_shows_description_sdg_names_and_organisations(client, demo):
    client.cookies["django_language"] = "en"
    response = client.get("/nettverk/klima-og-miljo/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Klima og miljø</h1>" in html
    assert "utslippskutt, klimatilpasning og naturmangfold" in html
    assert '<span class="sdg-number">13</span> Climate action' in html
    assert '<span class="sdg-number">7</span> Affordable and clean energy' in html
    members = html.split('id="members"')[1].split("</ul>")[0]
    assert "<li>Industrial Green Tech</li>" in members
    assert 'href="/partnerskap/"' in html  # part of the partnership


def test_network_page_does_not_show_people(client, demo):
    html = client.get("/nettverk/klima-og-miljo/").content.decode()
    for person in Network.objects.get(slug="klima-og-miljo").people.all():
        assert person.name not in html
        assert person.email not in html


def test_network_page_unknown_slug_is_404(client, demo):
    assert client.get("/nettverk/finnes-ikke/").status_code == 404


def test_partnership_page_without_partnership_is_404(client, db):
    assert client.get("/partnerskap/").status_code == 404


# Query counts: a list page costs the same with 1 row as with 50. ---------------------------------


def _queries(client, url):
    client.get(url)  # warm up anything cached per process
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def _add_people(network, n):
    for _ in range(n):
        PersonMembershipFactory(network=network)


def _add_organisations(network, n):
    for _ in range(n):
        OrganisationMembershipFactory(network=network)


def _add_networks(user, n):
    for _ in range(n):
        network = NetworkFactory()
        OrganisationMembershipFactory(network=network)
        PersonMembershipFactory(network=network)
        OrganiserRole.objects.create(user=user, network=network)


@pytest.mark.parametrize("page", ["people", "organisations", "organiser_home", "public_home"])
def test_list_page_query_count_is_the_same_for_1_and_50_rows(client, make_organiser, page):
    user = make_organiser("organiser")
    client.force_login(user)
    network = NetworkFactory(slug="n")
    OrganiserRole.objects.create(user=user, network=network)
    grow, url = {
        "people": (lambda n: _add_people(network, n), "/arrangor/nettverk/n/"),
        "organisations": (lambda n: _add_organisations(network, n), "/nettverk/n/"),
        "organiser_home": (lambda n: _add_networks(user, n), "/arrangor/"),
        "public_home": (lambda n: _add_networks(user, n), "/"),
    }[page]
    grow(1)
    one = _queries(client, url)
    grow(49)
    fifty = _queries(client, url)
    assert one == fifty, (one, fifty)


def test_partnership_page_query_count_does_not_grow_with_members(client, demo):
    partnership = Network.objects.get(kind=Network.Kind.PARTNERSHIP)
    before = _queries(client, "/partnerskap/")
    _add_organisations(partnership, 30)
    assert _queries(client, "/partnerskap/") == before


# Languages ---------------------------------------------------------------------------------------

PAGES = [
    "/",
    "/partnerskap/",
    "/nettverk/folkehelse/",
    "/konto/logg-inn/",
    "/arrangor/",
    "/arrangor/nettverk/klima-og-miljo/",
    "/arrangor/nettverk/klima-og-miljo/personer/ny/",
    "/arrangor/nettverk/klima-og-miljo/importer/",
]


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
@pytest.mark.parametrize("url", PAGES)
def test_pages_render_in_language_from_cookie(klima_client, url, language):
    klima_client.cookies["django_language"] = language
    response = klima_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="%s">' % language in html
    assert (
        "selected>%s</option>" % {"nb": "Bokmål", "nn": "Nynorsk", "en": "English"}[language]
        in html
    )


def test_language_switch_sets_language_for_later_pages(client, demo):
    response = client.post("/i18n/setlang/", {"language": "nn", "next": "/partnerskap/"})
    assert response.status_code == 302 and response["Location"] == "/partnerskap/"
    assert '<html lang="nn">' in client.get("/partnerskap/").content.decode()


def test_default_language_is_bokmal(client, demo):
    client.defaults.pop("HTTP_ACCEPT_LANGUAGE", None)
    html = client.get("/partnerskap/").content.decode()
    assert '<html lang="nb">' in html
    assert "Faste medlemmer" in html and "Observatører" in html


def test_partnership_page_in_nynorsk_uses_nynorsk_headings(client, demo):
    client.cookies["django_language"] = "nn"
    html = client.get("/partnerskap/").content.decode()
    assert "Faste medlemmer" in html and "Observatørar" in html


# Accessibility basics of the layout --------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_pages_have_labelled_fields_one_h1_and_ordered_headings(klima_client, url):
    html = klima_client.get(url).content.decode()
    assert html.count("<h1") == 1
    levels = [int(level) for level in re.findall(r"<h([1-6])", html)]
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    labels = set(re.findall(r'<label[^>]* for="([^"]+)"', html))
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
        if 'type="hidden"' in tag:
            continue
        field_id = re.search(r'id="([^"]+)"', tag)
        assert field_id and field_id.group(1) in labels, tag
    assert 'href="#main"' in html  # skip link


def test_login_page_errors_are_announced(client, db):
    client.cookies["django_language"] = "en"
    html = client.post("/konto/logg-inn/", {"username": "x", "password": "y"}).content.decode()
    assert 'role="alert"' in html
    assert "Please enter a correct username and password." in html


# Organisation numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["974760673", "971524960", "923609016"])
def test_organisation_number_valid_passes(number):
    validate_organisation_number(number)


@pytest.mark.parametrize(
    "number, code",
    [
        ("974760674", "checksum"),
        ("123456789", "checksum"),  # check digit would be 10
        ("97476067", "format"),
        ("9747606730", "format"),
        ("97476067A", "format"),
        ("974 760 673", "format"),
    ],
)
def test_organisation_number_invalid_is_refused(number, code):
    with pytest.raises(ValidationError) as error:
        validate_organisation_number(number)
    assert error.value.code == code


def test_organisation_number_invalid_shows_error_in_admin(client, make_organiser, db):
    client.force_login(make_organiser("root", superuser=True))
    client.cookies["django_language"] = "en"
    response = client.post(
        "/admin/partners/organisation/add/",
        {
            "name": "Testfirma AS",
            "organisation_number": "974760674",
            "sector": "private",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "people-TOTAL_FORMS": "0",
            "people-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "This is not a valid organisation number." in response.content.decode()
    assert not Organisation.objects.filter(name="Testfirma AS").exists()
