"""Organisers add organisations to the registry in the organiser area (not only in the admin)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import Organisation
from tests.factories import OrganisationFactory

ADD_URL = "/arrangor/organisasjoner/ny/"
LIST_URL = "/arrangor/organisasjoner/"


def _post(client, **values):
    data = {"name": "", "short_name": "", "organisation_number": "", "sector": "", "website": ""}
    data.update(values)
    return client.post(ADD_URL, data)


def test_network_organiser_adds_an_organisation_with_a_valid_number(klima_client):
    response = _post(
        klima_client,
        name="Skien kommune",
        short_name="SK",
        organisation_number="974 760 673",
        sector="public",
        website="skien.kommune.no",
    )
    assert response.status_code == 302 and response["Location"] == LIST_URL
    organisation = Organisation.objects.get(name="Skien kommune")
    assert organisation.organisation_number == "974760673"
    assert organisation.website == "https://skien.kommune.no"
    page = klima_client.get(LIST_URL).content.decode()
    assert "Skien kommune was added to the registry." in page
    assert '<th scope="row">Skien kommune</th>' in page


def test_organisation_number_is_optional(klima_client):
    assert _post(klima_client, name="Bø idrettslag", sector="voluntary").status_code == 302
    assert Organisation.objects.get(name="Bø idrettslag").organisation_number == ""


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"organisation_number": "974760674"},
            "This is not a valid organisation number.",
        ),
        ({"organisation_number": "12345"}, "An organisation number has exactly nine digits."),
        ({"name": "telemark fylkeskommune"}, "is already registered."),
        ({"sector": ""}, "This field is required."),
    ],
)
def test_organisation_form_refuses_bad_input_with_a_message(klima_client, values, message):
    before = Organisation.objects.count()
    data = {"name": "Ny organisasjon", "sector": "public", **values}
    response = _post(klima_client, **data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert 'class="error-summary"' in response.content.decode()
    assert Organisation.objects.count() == before


def test_organisation_number_of_another_organisation_is_refused(klima_client):
    OrganisationFactory(name="Equinor", organisation_number="923609016", sector="private")
    response = _post(
        klima_client, name="Equinor ASA", organisation_number="923609016", sector="private"
    )
    assert response.status_code == 422
    assert "The organisation number 923609016 belongs to Equinor." in response.content.decode()
    assert not Organisation.objects.filter(name="Equinor ASA").exists()


def test_registry_search_finds_by_short_name_and_number(klima_client):
    OrganisationFactory(name="Equinor", organisation_number="923609016", sector="private")
    found = klima_client.get(LIST_URL, {"q": "923 609"}).content.decode()
    assert "Equinor" in found and "1 organisation matches" in found
    assert "Equinor" not in klima_client.get(LIST_URL, {"q": "kommune-x"}).content.decode()


def test_registry_page_costs_the_same_queries_for_one_and_many(
    klima_client, django_assert_num_queries
):
    Organisation.objects.exclude(pk__in=Organisation.objects.order_by("pk")[:1]).delete()
    klima_client.get(LIST_URL)  # session and user warm-up do not count
    with CaptureQueriesContext(connection) as one:
        klima_client.get(LIST_URL)
    for n in range(60):
        OrganisationFactory(sector="public", name="Org %02d" % n)
    with django_assert_num_queries(len(one.captured_queries)):
        response = klima_client.get(LIST_URL)
    assert "Page 1 of 2" in response.content.decode()


def test_the_database_refuses_a_name_that_differs_only_in_case(db):
    """Two organisers adding the same organisation at the same moment both pass the service's
    check; the database's constraint refuses the second, and the service says so in words."""
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    from partners.services.organisations import _save

    OrganisationFactory(name="Skien kommune")
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name="skien kommune", sector="public")
    with pytest.raises(ValidationError) as refused:
        _save(Organisation(name="SKIEN KOMMUNE", sector="public"))
    assert "already registered" in str(refused.value)
    assert Organisation.objects.filter(name__iexact="skien kommune").count() == 1
