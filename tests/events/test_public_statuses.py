"""Drafts are not public: one rule (Event.PUBLIC_STATUSES) for the public page, the API, the
.ics download and the network feed, so none of them can drift from the others."""

import icalendar
import pytest

from events.models import Event
from tests.factories import EventFactory, NetworkFactory

pytestmark = pytest.mark.django_db


def _in_network_feed(client, event: Event) -> bool:
    response = client.get("/kalender/nettverk/%s.ics" % event.network.slug)
    assert response.status_code == 200
    cal = icalendar.Calendar.from_ical(response.content.decode("utf-8"))
    return any(str(v["summary"]) == event.title for v in cal.walk("VEVENT"))


@pytest.mark.parametrize("status", Event.Status.values)
def test_public_statuses_decide_every_public_door(client, status):
    event = EventFactory(network=NetworkFactory(), status=status)
    public = status in Event.PUBLIC_STATUSES
    expected = 200 if public else 404

    assert event.is_public is public
    assert client.get(event.get_absolute_url()).status_code == expected
    assert client.get("/api/v1/events/%s" % event.pk).status_code == expected
    assert client.get("/kalender/arrangement/%s.ics" % event.pk).status_code == expected
    assert _in_network_feed(client, event) is public


def test_public_statuses_leave_out_drafts_only():
    assert set(Event.Status.values) - set(Event.PUBLIC_STATUSES) == {Event.Status.DRAFT}
