"""Undeliverable addresses: the organiser sees those of their events' people, corrects one or
says it works again; bad input changes nothing."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from invitations.models import Invitation
from partners.models import Person
from tests.factories import InvitationFactory, RegistrationFactory
from worker.models import UndeliverableAddress

from .page_reading import by_id, parse, text

BASE = "/arrangor/invitasjoner/adresser/"
OLD = "emma.old@example.org"
NEW = "emma.ny@example.org"


@pytest.fixture
def dead(event, make_event, make_person, klima, folkehelse):
    """Emma's address bounced: invited (open) to the klima meeting and to a later one, declined
    a third, invited to an ended one; a folkehelse participant's address bounced too."""
    emma = make_person(network=klima, name="Emma Dahl", email=OLD)
    later = make_event(title="Klimamøte 2")
    past = make_event(
        title="Klimamøte i fjor",
        starts_at=timezone.now() - dt.timedelta(days=60),
        ends_at=timezone.now() - dt.timedelta(days=60, hours=-2),
        registration_closes_at=None,
    )
    declined = make_event(title="Klimamøte avslått")
    invitations = {
        "open": InvitationFactory(event=event, person=emma, name=emma.name, email=OLD),
        "accepted": InvitationFactory(
            event=later, person=emma, name=emma.name, email=OLD, state="accepted"
        ),
        "past": InvitationFactory(event=past, person=emma, name=emma.name, email=OLD),
        "declined": InvitationFactory(
            event=declined, person=emma, name=emma.name, email=OLD, state="declined"
        ),
    }
    address = UndeliverableAddress.objects.create(
        email_key=OLD, status="5.1.1", diagnostic="550 5.1.1 User unknown"
    )
    other_event = make_event(title="Folkehelsemøte", network=folkehelse)
    RegistrationFactory(event=other_event, name="Ola Folk", email="ola.folk@example.org")
    other = UndeliverableAddress.objects.create(email_key="ola.folk@example.org", status="5.2.1")
    return {"emma": emma, "address": address, "other": other, **invitations}


def test_list_shows_the_organisers_addresses_with_diagnostic_and_time(klima_client, dead):
    page = parse(klima_client.get(BASE))
    table = by_id(page, "addresses")
    rows = [text(tr) for tr in table.find("tbody").iter("tr")]
    assert len(rows) == 1
    assert OLD in rows[0] and "550 5.1.1 User unknown" in rows[0]
    assert "Emma Dahl – Klimamøte" in rows[0]
    assert "ola.folk" not in text(table)


def test_superuser_sees_every_address(client, dead, make_organiser):
    client.force_login(make_organiser("root", superuser=True))
    table = by_id(parse(client.get(BASE)), "addresses")
    assert "ola.folk@example.org" in text(table) and OLD in text(table)


def test_correcting_moves_person_and_open_future_invitations_and_keeps_the_mark(klima_client, dead):
    url = BASE + "%d/" % dead["address"].pk
    page = parse(klima_client.get(url))
    items = [text(li) for li in by_id(page, "to-correct").iter("li")]
    assert items == ["Emma Dahl – Klimamøte", "Emma Dahl – Klimamøte 2"]
    response = klima_client.post(url, {"email": NEW})
    assert response.status_code == 302
    dead["emma"].refresh_from_db()
    assert dead["emma"].email == NEW
    emails = {
        key: Invitation.objects.get(pk=dead[key].pk).email
        for key in dead
        if key in ("open", "accepted", "past", "declined")
    }
    assert emails == {"open": NEW, "accepted": NEW, "past": OLD, "declined": OLD}
    assert UndeliverableAddress.objects.filter(email_key=OLD).exists()  # not ticked
    follow = klima_client.get(response["Location"])
    assert "Open invitations changed: 2." in follow.content.decode()


def test_correcting_with_works_again_clears_the_old_mark(klima_client, dead):
    response = klima_client.post(
        BASE + "%d/" % dead["address"].pk, {"email": NEW, "old_works_again": "on"}
    )
    assert response.status_code == 302
    assert not UndeliverableAddress.objects.filter(email_key=OLD).exists()


def test_works_again_button_clears_the_mark_and_changes_no_address(klima_client, dead):
    response = klima_client.post(BASE + "%d/" % dead["address"].pk, {"works_again": "1"})
    assert response.status_code == 302
    assert not UndeliverableAddress.objects.filter(email_key=OLD).exists()
    assert Person.objects.get(pk=dead["emma"].pk).email == OLD


def _unchanged(dead) -> None:
    assert Person.objects.get(pk=dead["emma"].pk).email == OLD
    assert set(Invitation.objects.filter(person=dead["emma"]).values_list("email", flat=True)) == {
        OLD
    }
    assert UndeliverableAddress.objects.filter(email_key=OLD).exists()


@pytest.mark.parametrize(
    ("language", "email", "message"),
    [
        ("en", "not-an-address", "Enter a valid email address."),
        ("nb", "not-an-address", "Oppgi en gyldig e-postadresse."),
        ("en", " EMMA.OLD@example.org ", "The new address is the same as the old one."),
        ("nn", OLD, "Den nye adressa er den same som den gamle."),
    ],
)
def test_bad_address_is_refused_with_a_message_and_changes_nothing(
    klima_client, dead, language, email, message
):
    klima_client.cookies["django_language"] = language
    response = klima_client.post(
        BASE + "%d/" % dead["address"].pk, {"email": email, "old_works_again": "on"}
    )
    assert response.status_code == 422
    errors = text(parse(response).find(".//ul[@class='errorlist']"))
    assert message in errors
    _unchanged(dead)


def test_an_address_another_invitation_of_the_event_has_is_refused(klima_client, dead, event):
    InvitationFactory(event=event, name="Noen Andre", email=NEW)
    response = klima_client.post(BASE + "%d/" % dead["address"].pk, {"email": NEW})
    assert response.status_code == 422
    assert "Another invitation to Klimamøte already has the address emma.ny@example.org." in text(
        parse(response).find(".//ul[@class='errorlist']")
    )
    _unchanged(dead)


def test_an_address_another_person_has_is_refused(klima_client, dead, make_person):
    make_person(name="Emma Ny", email=NEW)
    response = klima_client.post(BASE + "%d/" % dead["address"].pk, {"email": NEW})
    assert response.status_code == 422
    assert "Another person is already registered with emma.ny@example.org." in (
        response.content.decode()
    )
    _unchanged(dead)


def test_addresses_of_another_network_are_404(klima_client, folkehelse_organiser, client, dead):
    url = BASE + "%d/" % dead["other"].pk
    assert klima_client.get(url).status_code == 404
    assert klima_client.post(url, {"works_again": "1"}).status_code == 404
    assert UndeliverableAddress.objects.filter(pk=dead["other"].pk).exists()
    client.force_login(folkehelse_organiser)
    own = BASE + "%d/" % dead["address"].pk
    assert client.get(own).status_code == 404
    assert client.post(own, {"email": NEW}).status_code == 404
    _unchanged(dead)


def test_anonymous_goes_to_login(client, dead):
    for url in (BASE, BASE + "%d/" % dead["address"].pk):
        response = client.post(url, {"works_again": "1"})
        assert response.status_code == 302 and "/konto/logg-inn/" in response["Location"]
    _unchanged(dead)


def test_the_forms_need_the_csrf_token(klima_organiser, dead):
    client = Client(enforce_csrf_checks=True)
    client.force_login(klima_organiser)
    url = BASE + "%d/" % dead["address"].pk
    forms = parse(client.get(url)).findall(".//main//form[@method='post']")
    assert len(forms) == 2
    assert all(f.find(".//input[@name='csrfmiddlewaretoken']") is not None for f in forms)
    assert client.post(url, {"works_again": "1"}).status_code == 403
    assert client.post(url, {"email": NEW}).status_code == 403
    _unchanged(dead)


def test_list_costs_the_same_queries_for_one_address_and_many(
    klima_client, dead, event, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    klima_client.get(BASE)
    with CaptureQueriesContext(connection) as one:
        klima_client.get(BASE)
    for i in range(5):
        email = "dead%d@example.org" % i
        InvitationFactory(event=event, email=email)
        RegistrationFactory(event=event, email=email)
        UndeliverableAddress.objects.create(email_key=email)
    with django_assert_num_queries(len(one)):
        rows = by_id(parse(klima_client.get(BASE)), "addresses").find("tbody").findall("tr")
    assert len(rows) == 6
