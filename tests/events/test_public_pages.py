"""Public event pages: the list, the archive, the event page and the includes for other pages."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import timezone

from events.models import Event
from tests.factories import EventFactory, NetworkFactory, SessionFactory, winter_event

from .registration_helpers import register

pytestmark = pytest.mark.django_db


def past(**kwargs):
    starts = timezone.now() - dt.timedelta(days=30)
    return EventFactory(starts_at=starts, ends_at=starts + dt.timedelta(hours=3), **kwargs)


def test_event_list_shows_upcoming_published_only(client):
    upcoming = EventFactory(title="Kommende møte")
    EventFactory(title="Utkast", status=Event.Status.DRAFT)
    past(title="Gammelt møte")
    html = client.get("/arrangementer/").content.decode()
    assert upcoming.title in html and "Utkast" not in html and "Gammelt møte" not in html


def test_event_list_filters_by_network(client):
    klima = NetworkFactory(name="Klima og miljø", slug="klima-og-miljo")
    helse = NetworkFactory(name="Folkehelse", slug="folkehelse")
    EventFactory(title="Klimamøtet", network=klima)
    EventFactory(title="Helsemøtet", network=helse)
    html = client.get("/arrangementer/?network=klima-og-miljo").content.decode()
    assert "Klimamøtet" in html and "Helsemøtet" not in html
    assert client.get("/arrangementer/?network=%00nonsense").status_code == 200
    assert client.get("/arrangementer/tidligere/?network=%00&page=x").status_code == 200


def test_event_list_query_count_does_not_grow(client, django_assert_num_queries):
    network = NetworkFactory()
    EventFactory(network=network)
    with django_assert_num_queries(3) as one:
        client.get("/arrangementer/")
    for _ in range(5):
        EventFactory(network=network)
    with django_assert_num_queries(len(one.captured_queries)):
        client.get("/arrangementer/")


def test_archive_lists_past_meetings_per_network(client):
    klima = NetworkFactory(name="Klima og miljø", slug="klima-og-miljo")
    past(title="Klimamøte i fjor", network=klima)
    past(title="Annet møte")
    EventFactory(title="Kommende klimamøte", network=klima)
    html = client.get("/arrangementer/nettverk/klima-og-miljo/tidligere/").content.decode()
    assert "Klimamøte i fjor" in html and "Annet møte" not in html and "Kommende" not in html
    html = client.get("/arrangementer/tidligere/?network=klima-og-miljo").content.decode()
    assert "Klimamøte i fjor" in html and "Annet møte" not in html
    assert client.get("/arrangementer/nettverk/finnes-ikke/tidligere/").status_code == 404


def test_event_page_shows_oslo_time_agenda_and_seats_left(client):
    event = winter_event(title="Vintermøtet", capacity=40, description="Velkommen til møte.")
    SessionFactory(
        event=event,
        title="Verksted om sirkulærøkonomi",
        capacity=10,
        starts_at=event.starts_at + dt.timedelta(hours=1),
        ends_at=event.starts_at + dt.timedelta(hours=2),
    )
    register(event)
    html = client.get(event.get_absolute_url()).content.decode()
    assert "Vintermøtet" in html and "Velkommen til møte." in html
    assert "09:00" in html and "15:00" in html and "10:00–11:00" in html
    assert "Verksted om sirkulærøkonomi" in html
    assert "39 seats left" in html
    assert "10 seats left" in html


def test_event_page_for_past_event_says_it_is_over(client):
    event = past()
    html = client.get(event.get_absolute_url()).content.decode()
    assert "This event is over." in html and 'name="email"' not in html


def test_upcoming_include_renders_for_other_pages():
    network = NetworkFactory(slug="digitv")
    EventFactory(title="DigiTV-samling", network=network)
    EventFactory(title="Annet")
    html = Template("{% load events_tags %}{% upcoming_events network=network %}").render(
        Context({"network": network})
    )
    assert "DigiTV-samling" in html and "Annet" not in html
    html = Template("{% load events_tags %}{% upcoming_events %}").render(Context({}))
    assert "DigiTV-samling" in html and "Annet" in html
