"""Calendar downloads and subscription feeds over real HTTP: content, caching, access, queries."""

from datetime import timedelta

import icalendar
import pytest
import vobject
from django.utils.http import http_date

from events.calendar.links import network_feed_url, personal_feed_url
from events.models import Event, Registration
from tests.factories import EventFactory, NetworkFactory, RegistrationFactory, oslo

pytestmark = pytest.mark.django_db


def vevents(response) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(response.content.decode("utf-8"))
    assert str(cal["method"]) == "PUBLISH"
    return {str(v["summary"]): v for v in cal.walk("VEVENT")}


def test_event_ics_published_is_publish_calendar_download(client):
    event = EventFactory(in_tonsberg=True, title="Årsmøte, Bø")
    response = client.get("/kalender/arrangement/%s.ics" % event.pk)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="arsmte-b.ics"'
    text = response.content.decode("utf-8")
    assert "ATTENDEE" not in text
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in text
    assert "X-PUBLISHED-TTL:PT1H" in text
    assert "X-WR-CALNAME:Årsmøte\\, Bø" in text
    (vevent,) = vevents(response).values()
    assert str(vevent["uid"]) == "%s@localhost" % event.uid
    assert str(vevent["status"]) == "CONFIRMED"


@pytest.mark.parametrize("status", [Event.Status.DRAFT])
def test_event_ics_draft_is_404(client, status):
    event = EventFactory(in_tonsberg=True, status=status)
    assert client.get("/kalender/arrangement/%s.ics" % event.pk).status_code == 404
    assert client.get("/kalender/arrangement/999999.ics").status_code == 404


def test_event_ics_cancelled_keeps_status_cancelled(client):
    event = EventFactory(in_tonsberg=True, title="Avlyst møte", status=Event.Status.CANCELLED)
    response = client.get("/kalender/arrangement/%s.ics" % event.pk)
    assert response.status_code == 200
    assert str(vevents(response)["Avlyst møte"]["status"]) == "CANCELLED"


def test_event_ics_rejects_post(client):
    event = EventFactory(in_tonsberg=True)
    assert client.post("/kalender/arrangement/%s.ics" % event.pk).status_code == 405


def test_network_feed_lists_published_and_cancelled_only_of_that_network(client):
    network = NetworkFactory(slug="klima", name="Klimanettverket, Vestfold; Telemark")
    other = NetworkFactory(slug="digitv", name="DigiTV")
    EventFactory(in_tonsberg=True, title="Publisert", network=network)
    EventFactory(in_tonsberg=True, title="Avlyst", network=network, status=Event.Status.CANCELLED)
    EventFactory(in_tonsberg=True, title="Kladd", network=network, status=Event.Status.DRAFT)
    EventFactory(in_tonsberg=True, title="Annet nettverk", network=other)
    response = client.get("/kalender/nettverk/klima.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "Content-Disposition" not in response
    events = vevents(response)
    assert set(events) == {"Publisert", "Avlyst"}
    assert str(events["Avlyst"]["status"]) == "CANCELLED"
    assert str(events["Publisert"]["status"]) == "CONFIRMED"
    # The second parser reads it too, times through the file's own VTIMEZONE. The name is
    # TEXT (RFC 5545 3.8.8.2), escaped; icalendar leaves X- values raw, vobject unescapes them.
    parsed = vobject.readOne(response.content.decode("utf-8"))
    assert parsed.contents["x-wr-calname"][0].value == "Klimanettverket, Vestfold; Telemark"
    assert {v.summary.value for v in parsed.vevent_list} == {"Publisert", "Avlyst"}
    assert parsed.vevent_list[0].dtstart.value == oslo(2027, 5, 10, 9, 0)


def test_network_feed_unknown_slug_is_404(client, db):
    assert client.get("/kalender/nettverk/finnes-ikke.ics").status_code == 404


def test_network_feed_if_none_match_gives_304_until_an_event_changes(client):
    network = NetworkFactory(slug="klima", name="Klimanettverket, Vestfold; Telemark")
    event = EventFactory(in_tonsberg=True, network=network)
    first = client.get("/kalender/nettverk/klima.ics")
    etag = first["ETag"]
    assert etag.startswith('W/"')
    again = client.get("/kalender/nettverk/klima.ics", headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    event.venue_name = "Ny plass"
    event.sequence += 1
    event.save()
    changed = client.get("/kalender/nettverk/klima.ics", headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert "Ny plass" in changed.content.decode("utf-8")


def test_network_feed_if_modified_since_gives_304(client):
    network = NetworkFactory(slug="klima", name="Klimanettverket, Vestfold; Telemark")
    event = EventFactory(in_tonsberg=True, network=network)
    response = client.get("/kalender/nettverk/klima.ics")
    assert response["Last-Modified"] == http_date(event.updated_at.timestamp())
    not_modified = client.get(
        "/kalender/nettverk/klima.ics",
        headers={"if-modified-since": response["Last-Modified"]},
    )
    assert not_modified.status_code == 304
    older = http_date((event.updated_at - timedelta(hours=1)).timestamp())
    assert (
        client.get("/kalender/nettverk/klima.ics", headers={"if-modified-since": older}).status_code
        == 200
    )


def test_network_feed_new_event_changes_etag(client):
    network = NetworkFactory(slug="klima", name="Klimanettverket, Vestfold; Telemark")
    EventFactory(in_tonsberg=True, network=network, title="Første")
    etag = client.get("/kalender/nettverk/klima.ics")["ETag"]
    EventFactory(in_tonsberg=True, network=network, title="Andre")
    response = client.get("/kalender/nettverk/klima.ics", headers={"if-none-match": etag})
    assert response.status_code == 200
    assert set(vevents(response)) == {"Første", "Andre"}


def test_personal_feed_lists_the_persons_confirmed_events_with_meeting_links(client):
    from partners.models import Person

    ola = Person.objects.create(name="Ola Nordmann", email="ola@example.no")
    mine = EventFactory(
        in_tonsberg=True, title="Mitt møte", meeting_url="https://meet.example/mitt"
    )
    other_confirmed = EventFactory(in_tonsberg=True, title="Også mitt")
    cancelled_event = EventFactory(
        in_tonsberg=True, title="Avlyst møte", status=Event.Status.CANCELLED
    )
    waitlisted = EventFactory(in_tonsberg=True, title="Venteliste")
    left = EventFactory(in_tonsberg=True, title="Meldt av")
    draft = EventFactory(in_tonsberg=True, title="Kladd", status=Event.Status.DRAFT)
    not_mine = EventFactory(in_tonsberg=True, title="Andres møte")
    registration = RegistrationFactory(
        event=mine, email="ola@example.no", person=ola, name="Ola Nordmann"
    )
    RegistrationFactory(
        event=other_confirmed, email="OLA@Example.no", person=ola, name="Ola Nordmann"
    )
    RegistrationFactory(
        event=cancelled_event, email="ola@example.no", person=ola, name="Ola Nordmann"
    )
    RegistrationFactory(
        event=waitlisted,
        email="ola@example.no",
        person=ola,
        status=Registration.Status.WAITLISTED,
        name="Ola Nordmann",
    )
    RegistrationFactory(
        event=left,
        email="ola@example.no",
        person=ola,
        status=Registration.Status.CANCELLED,
        name="Ola Nordmann",
    )
    RegistrationFactory(event=draft, email="ola@example.no", person=ola, name="Ola Nordmann")
    RegistrationFactory(event=not_mine, email="kari@example.no", name="Ola Nordmann")
    response = client.get("/kalender/person/%s.ics" % registration.token)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"]
    events = vevents(response)
    assert set(events) == {"Mitt møte", "Også mitt", "Avlyst møte"}
    assert str(events["Avlyst møte"]["status"]) == "CANCELLED"
    assert "https://meet.example/mitt" in str(events["Mitt møte"]["description"])
    assert "ATTENDEE" not in response.content.decode("utf-8")


def test_personal_feed_of_an_unverified_registration_shows_only_its_own_event(client):
    """Anyone can register under someone else's address and receive that registration's token;
    the feed must not reveal the other events (and meeting links) registered under the address."""
    victims = EventFactory(
        in_tonsberg=True, title="Lukket møte", meeting_url="https://meet.example/hemmelig"
    )
    RegistrationFactory(event=victims, email="victim@example.no", name="Ola Nordmann")
    open_event = EventFactory(in_tonsberg=True, title="Åpent møte")
    attacker = RegistrationFactory(event=open_event, email="VICTIM@example.no", name="Ola Nordmann")
    events = vevents(client.get("/kalender/person/%s.ics" % attacker.token))
    assert set(events) == {"Åpent møte"}
    assert b"hemmelig" not in client.get("/kalender/person/%s.ics" % attacker.token).content


def test_personal_feed_bad_token_is_404(client, db):
    assert client.get("/kalender/person/not-a-real-token.ics").status_code == 404


def test_personal_feed_etag_changes_when_registration_is_cancelled(client):
    registration = RegistrationFactory(
        event=EventFactory(in_tonsberg=True, title="Mitt møte"),
        name="Ola Nordmann",
        email="ola@example.no",
    )
    etag = client.get("/kalender/person/%s.ics" % registration.token)["ETag"]
    assert (
        client.get(
            "/kalender/person/%s.ics" % registration.token, headers={"if-none-match": etag}
        ).status_code
        == 304
    )
    registration.status = Registration.Status.CANCELLED
    registration.save()
    response = client.get(
        "/kalender/person/%s.ics" % registration.token, headers={"if-none-match": etag}
    )
    assert response.status_code == 200
    assert vevents(response) == {}


def test_feed_urls_point_at_the_views(client):
    network = NetworkFactory(slug="klima", name="Klimanettverket, Vestfold; Telemark")
    registration = RegistrationFactory(
        event=EventFactory(in_tonsberg=True, network=network),
        name="Ola Nordmann",
        email="ola@example.no",
    )
    assert network_feed_url(network) == "http://localhost:8000/kalender/nettverk/klima.ics"
    assert personal_feed_url(registration).endswith("/kalender/person/%s.ics" % registration.token)


@pytest.mark.parametrize("count", [1, 50])
def test_network_feed_query_count_does_not_grow_with_events(
    client, django_assert_num_queries, count
):
    network = NetworkFactory(slug="klima", name="Klimanettverket, Vestfold; Telemark")
    for number in range(count):
        EventFactory(in_tonsberg=True, network=network, title="Møte %s" % number)
    with django_assert_num_queries(2):  # the network, its events
        response = client.get("/kalender/nettverk/klima.ics")
    assert len(vevents(response)) == count


@pytest.mark.parametrize("count", [1, 50])
def test_personal_feed_query_count_does_not_grow_with_events(
    client, django_assert_num_queries, count
):
    from partners.models import Person

    ola = Person.objects.create(name="Ola Nordmann", email="ola@example.no")
    registrations = [
        RegistrationFactory(
            event=EventFactory(in_tonsberg=True, title="Møte %s" % number),
            person=ola,
            name="Ola Nordmann",
            email="ola@example.no",
        )
        for number in range(count)
    ]
    with django_assert_num_queries(2):  # the token's registration, the person's registrations
        response = client.get("/kalender/person/%s.ics" % registrations[0].token)
    assert len(vevents(response)) == count
