"""The home page features the next partnership conference: when, where and how to register."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from events.models import Event
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")


def _featured(html: str) -> str:
    found = re.search(r'<section class="featured-event".*?</section>', html, re.S)
    return found[0] if found else ""


def _conference(**fields) -> Event:
    values = {
        "title": "Partnerskapskonferansen 2027",
        "kind": Event.Kind.CONFERENCE,
        "starts_at": dt.datetime(2027, 1, 20, 10, tzinfo=OSLO),
        "ends_at": dt.datetime(2027, 1, 20, 15, tzinfo=OSLO),
        "venue_name": "Bølgen kulturhus",
        "venue_address": "Larvik",
    }
    values.update(fields)
    return EventFactory(**values)


@pytest.fixture(autouse=True)
def _before_the_conference(monkeypatch):
    now = dt.datetime(2026, 12, 1, 12, tzinfo=OSLO)
    monkeypatch.setattr(timezone, "now", lambda: now)


def test_home_page_features_the_next_conference_with_date_place_and_register_link(client):
    EventFactory(title="Nettverksmøte klima", starts_at=dt.datetime(2026, 12, 10, 9, tzinfo=OSLO))
    conference = _conference(registration_closes_at=dt.datetime(2027, 1, 10, 23, 59, tzinfo=OSLO))
    _conference(
        title="Partnerskapskonferansen 2028",
        starts_at=dt.datetime(2028, 1, 19, 10, tzinfo=OSLO),
        ends_at=dt.datetime(2028, 1, 19, 15, tzinfo=OSLO),
    )
    featured = _featured(client.get("/", HTTP_ACCEPT_LANGUAGE="nb").content.decode())
    assert "Partnerskapskonferansen 2027" in featured
    assert "2028" not in featured and "Nettverksmøte" not in featured
    assert "onsdag 20. januar 2027 kl. 10.00–15.00" in featured
    assert "Bølgen kulturhus, Larvik" in featured
    assert 'href="%s#registration"' % conference.get_absolute_url() in featured
    assert "Meld deg på" in featured
    assert "søndag 10. januar 2027 kl. 23.59" in featured


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Event.Status.DRAFT},
        {"status": Event.Status.CANCELLED},
        {
            "starts_at": dt.datetime(2026, 1, 21, 10, tzinfo=OSLO),
            "ends_at": dt.datetime(2026, 1, 21, 15, tzinfo=OSLO),
        },
        {"kind": Event.Kind.NETWORK_MEETING},
    ],
    ids=["draft", "cancelled", "past", "not-a-conference"],
)
def test_home_page_features_no_conference_that_is_not_coming(client, fields):
    _conference(**fields)
    html = client.get("/").content.decode()
    assert _featured(html) == ""
    assert client.get("/").status_code == 200


def test_conference_not_open_yet_says_when_registration_opens(client):
    conference = _conference(registration_opens_at=dt.datetime(2026, 12, 15, 9, tzinfo=OSLO))
    featured = _featured(client.get("/").content.decode())
    assert "Registration opens Tuesday 15 December 2026, 09:00." in featured
    assert "#registration" not in featured and conference.get_absolute_url() in featured


def test_full_conference_offers_the_waiting_list(client):
    _conference(capacity=0)
    featured = _featured(client.get("/").content.decode())
    assert "Join the waiting list" in featured


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("nn", "Årets partnarskapskonferanse"),
        ("nb", "Årets partnerskapskonferanse"),
        ("en", "The year's partnership conference"),
    ],
)
def test_featured_conference_speaks_the_language(client, language, text):
    _conference()
    client.cookies["django_language"] = language
    featured = _featured(client.get("/").content.decode())
    assert text in featured
