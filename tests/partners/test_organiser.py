import re

import pytest
from django.test import Client

from partners.models import Network, Person, PersonMembership
from tests.factories import PersonMembershipFactory

PEOPLE_URL = "/arrangor/nettverk/klima-og-miljo/"


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["django_language"] = "en"


def _people_table(html: str) -> str:
    return html.split('id="people"')[1].split("</table>")[0]


def test_organiser_home_lists_only_own_networks(klima_client):
    html = klima_client.get("/arrangor/").content.decode()
    assert 'href="/arrangor/nettverk/klima-og-miljo/">Klima og miljø</a>' in html
    assert "Folkehelse" not in html


def test_organiser_home_host_role_lists_all_the_hosts_networks(client, make_organiser, demo):
    from partners.models import Host

    client.force_login(make_organiser("telemark", host=Host.objects.get(slug="telemark")))
    html = client.get("/arrangor/").content.decode()
    for network in Network.objects.all():
        assert "/arrangor/nettverk/%s/" % network.slug in html


def test_organiser_home_superuser_sees_every_network(client, make_organiser, demo):
    Network.objects.create(name="Utenfor", slug="utenfor", kind=Network.Kind.PROJECT)
    client.force_login(make_organiser("root", superuser=True))
    assert "/arrangor/nettverk/utenfor/" in client.get("/arrangor/").content.decode()


def test_network_people_page_shows_people_with_email_organisation_and_role(klima_client):
    html = klima_client.get(PEOPLE_URL).content.decode()
    table = _people_table(html)
    assert '<th scope="row">Sigrid Lunde</th>' in table
    assert "sigrid.lunde@example.org" in table
    assert "Statsforvalteren i Vestfold og Telemark" in table
    assert "Leader" in table
    assert "Nora Eriksen" not in table  # Folkehelse
    assert "3 people in this network." in html
    organisations = html.split('id="organisations"')[1].split("</table>")[0]
    assert "Industrial Green Tech" in organisations


def test_network_people_page_search_matches_name_email_and_organisation(klima_client):
    for query, expected in [
        ("sigrid", "Sigrid Lunde"),
        ("JONAS.BERG@", "Jonas Berg"),
        ("Green Tech", "Jonas Berg"),
        ("Researcher", "Emma Wilson"),
    ]:
        html = klima_client.get(PEOPLE_URL, {"q": query}).content.decode()
        table = _people_table(html)
        assert expected in table, query
        assert table.count('<th scope="row">') == 1, query


def test_network_people_page_search_without_match_says_so(klima_client):
    html = klima_client.get(PEOPLE_URL, {"q": "finnes-ikke"}).content.decode()
    assert "0 people match “finnes-ikke”." in html
    assert 'id="people"' not in html


def test_network_people_page_paginates_and_survives_bad_page_numbers(klima_client, klima):
    for _ in range(57):
        PersonMembershipFactory(network=klima)  # 60 in all, 50 a page
    first = klima_client.get(PEOPLE_URL).content.decode()
    assert _people_table(first).count('<th scope="row">') == 50
    assert "Page 1 of 2" in first and 'href="?page=2"' in first
    second = klima_client.get(PEOPLE_URL, {"page": 2}).content.decode()
    assert _people_table(second).count('<th scope="row">') == 10
    for bad in ("abc", "-1", "999", "1e9"):
        assert klima_client.get(PEOPLE_URL, {"page": bad}).status_code == 200


def test_network_people_page_pagination_keeps_the_search(klima_client, klima):
    for _ in range(55):
        PersonMembershipFactory(network=klima)
    html = klima_client.get(PEOPLE_URL, {"q": "Person"}).content.decode()
    assert 'href="?q=Person&amp;page=2"' in html


def _person_data(**overrides):
    data = {
        "name": "Ragnhild Fjeld",
        "email": "ragnhild.fjeld@example.org",
        "organisation": "",
        "title": "Klimarådgiver",
        "phone": "",
        "language": "nn",
        "role": "member",
    }
    data.update(overrides)
    return data


def test_add_person_creates_person_and_membership(klima_client, klima):
    response = klima_client.post(PEOPLE_URL + "personer/ny/", _person_data(), follow=True)
    assert response.redirect_chain == [(PEOPLE_URL, 302)]
    html = response.content.decode()
    assert "Ragnhild Fjeld was added to Klima og miljø." in html
    assert "ragnhild.fjeld@example.org" in _people_table(html)
    person = Person.objects.get(email="ragnhild.fjeld@example.org")
    assert (person.language, person.title) == ("nn", "Klimarådgiver")
    assert klima.person_memberships.get(person=person).role == "member"


def test_add_person_known_email_in_other_case_reuses_the_person(klima_client, klima):
    count = Person.objects.count()
    response = klima_client.post(
        PEOPLE_URL + "personer/ny/",
        _person_data(name="Nora Eriksen", email="Nora.Eriksen@EXAMPLE.org", role="contact"),
    )
    assert response.status_code == 302
    assert Person.objects.count() == count
    nora = Person.objects.get(email="nora.eriksen@example.org")
    assert klima.person_memberships.get(person=nora).role == "contact"


def test_add_person_already_member_shows_error(klima_client, klima):
    count = PersonMembership.objects.count()
    response = klima_client.post(
        PEOPLE_URL + "personer/ny/", _person_data(email="SIGRID.LUNDE@example.org")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "sigrid.lunde@example.org is already in this network." in html
    assert PersonMembership.objects.count() == count


def test_add_person_invalid_input_shows_errors_tied_to_fields(klima_client):
    count = Person.objects.count()
    response = klima_client.post(
        PEOPLE_URL + "personer/ny/",
        _person_data(name="", email="not-an-email", language="sv", role="boss", organisation="x"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert '<a href="#id_name">Name: This field is required.</a>' in html
    assert '<ul class="errorlist" id="id_email_error"><li>Enter a valid email address.</li>' in html
    assert re.search(
        r'<input[^>]*aria-describedby="[^"]*id_email_error[^"]*"[^>]*id="id_email"', html
    )
    assert 'aria-invalid="true"' in html
    for field in ("id_language_error", "id_role_error", "id_organisation_error"):
        assert field in html
    assert Person.objects.count() == count


def test_edit_person_saves_details_and_role(klima_client, klima):
    jonas = Person.objects.get(email="jonas.berg@example.org")
    url = PEOPLE_URL + "personer/%d/endre/" % jonas.pk
    form = klima_client.get(url).content.decode()
    assert 'value="Jonas Berg"' in form
    response = klima_client.post(
        url,
        _person_data(name="Jonas Berg", email="jonas@example.org", role="leader", language="en"),
        follow=True,
    )
    assert "The changes to Jonas Berg were saved." in response.content.decode()
    jonas.refresh_from_db()
    assert (jonas.email, jonas.language) == ("jonas@example.org", "en")
    assert klima.person_memberships.get(person=jonas).role == "leader"


def test_edit_person_to_someone_elses_email_is_refused(klima_client):
    jonas = Person.objects.get(email="jonas.berg@example.org")
    response = klima_client.post(
        PEOPLE_URL + "personer/%d/endre/" % jonas.pk,
        _person_data(name="Jonas Berg", email="NORA.ERIKSEN@example.org"),
    )
    assert response.status_code == 200
    assert "Another person is already registered with NORA.ERIKSEN@example.org." in (
        response.content.decode()
    )
    jonas.refresh_from_db()
    assert jonas.email == "jonas.berg@example.org"


def test_remove_person_asks_first_then_removes_membership_only(klima_client, klima):
    emma = Person.objects.get(email="emma.wilson@example.org")
    url = PEOPLE_URL + "personer/%d/fjern/" % emma.pk
    confirm = klima_client.get(url).content.decode()
    assert "Remove Emma Wilson from Klima og miljø?" in confirm
    assert klima.person_memberships.filter(person=emma).exists()
    response = klima_client.post(url, follow=True)
    html = response.content.decode()
    assert "Emma Wilson was removed from Klima og miljø." in html
    assert "emma.wilson@example.org" not in _people_table(html)
    assert Person.objects.filter(pk=emma.pk).exists()


@pytest.mark.parametrize(
    "path", ["personer/ny/", "importer/", "personer/{person}/endre/", "personer/{person}/fjern/"]
)
def test_organiser_forms_refuse_posts_without_csrf_token(klima_organiser, klima, path):
    person = klima.people.first()
    url = PEOPLE_URL + path.format(person=person.pk)
    client = Client(enforce_csrf_checks=True)
    client.force_login(klima_organiser)
    assert 'name="csrfmiddlewaretoken"' in client.get(url).content.decode()
    before = (Person.objects.count(), PersonMembership.objects.count())
    assert client.post(url, _person_data()).status_code == 403
    assert (Person.objects.count(), PersonMembership.objects.count()) == before


@pytest.mark.parametrize(
    "url",
    [
        PEOPLE_URL + "personer/99999999999999999999999/endre/",
        PEOPLE_URL + "personer/0/fjern/",
        "/arrangor/nettverk/finnes-ikke/",
    ],
)
def test_organiser_urls_with_unknown_objects_are_404(klima_client, url):
    assert klima_client.get(url).status_code == 404
    assert klima_client.post(url).status_code == 404


def test_network_people_page_odd_search_input_is_not_an_error(klima_client):
    for query in ("\x00", "x" * 500, "%_\\'\""):
        assert klima_client.get(PEOPLE_URL, {"q": query}).status_code == 200


def test_add_person_unknown_organisation_id_is_a_form_error(klima_client):
    for value in ("99999999999999999999999", "-1", "abc"):
        response = klima_client.post(PEOPLE_URL + "personer/ny/", _person_data(organisation=value))
        assert response.status_code == 200
        assert "Select a valid choice." in response.content.decode()
