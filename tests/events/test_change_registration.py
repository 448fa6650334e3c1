"""The participant's change page (/arrangementer/p/<token>/endre/): details as well as
participation, and a clear page once the registration can no longer change."""

import datetime as dt

import pytest
from django.utils import timezone

from events.models import Event, Registration
from events.services.errors import NotChangeable, RegistrationError
from events.services.registering import cancel_registration, change_registration
from tests.factories import EventFactory, OrganisationFactory

from .registration_helpers import outbox, register

pytestmark = pytest.mark.django_db


def change_url(registration: Registration) -> str:
    return "/arrangementer/p/%s/endre/" % registration.token


def change_data(**overrides) -> dict:
    data = {
        "organisation": "",
        "organisation_name": "Tønsberg kommune",
        "title": "Rådgiver",
        "phone": "",
        "language": "nb",
    }
    data.update(overrides)
    return data


def test_change_page_offers_the_details_as_they_are(client):
    registration = register(EventFactory(), phone="+47 900 00 000", language="nn")
    html = client.get(change_url(registration)).content.decode()
    assert 'name="title" value="Rådgiver"' in html
    assert 'value="+47 900 00 000"' in html
    assert 'name="organisation_name" value="Tønsberg kommune"' in html
    assert '<option value="nn" selected>' in html


def test_change_title_phone_organisation_and_language(client):
    event = EventFactory()
    registration = register(event)
    response = client.post(
        change_url(registration),
        change_data(
            organisation_name="Porsgrunn kommune",
            title="Kommunedirektør",
            phone="+47 912 34 567",
            language="en",
        ),
        follow=True,
    )
    html = response.content.decode()
    assert "Your changes are saved." in html
    registration.refresh_from_db()
    assert registration.organisation_name == "Porsgrunn kommune"
    assert registration.title == "Kommunedirektør"
    assert registration.phone == "+47 912 34 567"
    assert registration.language == "en"
    # The personal page shows the new details.
    for text in ("Porsgrunn kommune", "Kommunedirektør", "+47 912 34 567", "English"):
        assert text in html
    # Later emails follow the new language.
    cancel_registration(registration_id=registration.pk)
    [receipt] = outbox(kind="events.cancellation")
    assert receipt.language == "en"
    assert "cancelled" in receipt.text_body.lower()


def test_change_to_a_known_organisation_links_it_whether_chosen_or_typed(client):
    known = OrganisationFactory(name="Skien kommune")
    registration = register(EventFactory())
    client.post(change_url(registration), change_data(organisation_name="skien kommune"))
    registration.refresh_from_db()
    assert (registration.organisation_id, registration.organisation_name) == (known.pk, "")

    client.post(
        change_url(registration),
        change_data(organisation="", organisation_name="Eget firma AS"),
    )
    registration.refresh_from_db()
    assert (registration.organisation_id, registration.organisation_name) == (None, "Eget firma AS")

    client.post(change_url(registration), change_data(organisation=known.pk, organisation_name=""))
    registration.refresh_from_db()
    assert registration.organisation_id == known.pk


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"organisation_name": ""}, "Choose your organisation or type its name."),
        ({"title": ""}, "This field is required."),
        ({"language": "de"}, "Select a valid choice."),
        ({"phone": "9" * 41}, "Ensure this value has at most 40 characters"),
    ],
)
def test_change_with_bad_details_says_why_and_changes_nothing(client, overrides, message):
    registration = register(EventFactory())
    response = client.post(
        change_url(registration), change_data(**{"title": "Ny tittel", **overrides})
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    registration.refresh_from_db()
    assert registration.title == "Rådgiver"


def test_service_refuses_an_empty_title_and_an_unknown_language():
    registration = register(EventFactory())
    common = {"registration_id": registration.pk, "answers": {}, "session_ids": []}
    with pytest.raises(RegistrationError):
        change_registration(list_consent=False, title="  ", **common)
    with pytest.raises(RegistrationError):
        change_registration(list_consent=False, language="xx", **common)
    with pytest.raises(RegistrationError):
        change_registration(list_consent=False, organisation=None, organisation_name="", **common)
    # Details left out stay as they are.
    change_registration(list_consent=True, **common)
    registration.refresh_from_db()
    assert (registration.title, registration.language, registration.list_consent) == (
        "Rådgiver",
        "nb",
        True,
    )


def test_after_cancelling_the_change_page_says_so_and_offers_to_register_again(client):
    event = EventFactory(organiser_email="per.olsen@vestfold.example.org")
    registration = register(event)
    cancel_registration(registration_id=registration.pk)
    response = client.get(change_url(registration))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your registration is cancelled" in html
    assert "<form" not in html.split("<main", 1)[1]  # no change form to fill in
    assert "Register again" in html and event.get_absolute_url() in html
    assert "mailto:per.olsen@vestfold.example.org" in html


def test_form_sent_after_cancelling_gets_a_clear_message_not_an_error(client):
    registration = register(EventFactory())
    client.get(change_url(registration))  # the form open in another tab
    cancel_registration(registration_id=registration.pk)
    response = client.post(change_url(registration), change_data(title="Ny tittel"))
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your changes were not saved." in html
    assert "This registration is cancelled and can no longer be changed." in html
    registration.refresh_from_db()
    assert registration.title == "Rådgiver"


def test_service_refuses_a_change_to_a_cancelled_registration():
    registration = register(EventFactory())
    cancel_registration(registration_id=registration.pk)
    with pytest.raises(NotChangeable):
        change_registration(
            registration_id=registration.pk, answers={}, session_ids=[], list_consent=True
        )


def test_after_the_deadline_the_change_page_explains_and_keeps_the_registration(client):
    event = EventFactory(registration_closes_at=timezone.now() + dt.timedelta(hours=1))
    registration = register(event)
    Event.objects.filter(pk=event.pk).update(
        registration_closes_at=timezone.now() - dt.timedelta(minutes=1)
    )
    response = client.get(change_url(registration))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your registration can no longer be changed" in html
    assert "Registration has closed, so changes are no longer possible." in html
    assert "Register again" not in html
    assert (
        "Change your registration"
        not in client.get(registration.get_absolute_url()).content.decode()
    )


def test_change_page_speaks_nynorsk(client):
    registration = register(EventFactory())
    cancel_registration(registration_id=registration.pk)
    client.cookies["django_language"] = "nn"
    html = client.get(change_url(registration), HTTP_ACCEPT_LANGUAGE="nn").content.decode()
    assert '<html lang="nn">' in html
    assert "Kva du kan gjere" in html
