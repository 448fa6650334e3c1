"""End to end: register through the HTML form, the real worker sends, the SMTP server receives.

Uses the integration harness (tests/integration/conftest.py): `smtp_server` (aiosmtpd on
loopback) and `celery_worker` (a real worker process on the test database, over Redis).
"""

import datetime as dt

import pytest
from icalendar import Calendar

from events.models import Event, Registration
from tests.events.registration_helpers import EventFactory, form_data
from tests.integration.harness import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def harness(smtp_server, celery_worker):
    return smtp_server


def test_registration_confirmation_arrives_by_smtp(client, harness):
    starts = dt.datetime(2027, 1, 14, 8, 0, tzinfo=dt.UTC)  # 09:00 in Oslo
    event = EventFactory(
        title="Partnerskapskonferansen 2027",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=6),
        status=Event.Status.PUBLISHED,
    )
    assert client.get(event.get_absolute_url()).status_code == 200
    response = client.post(
        event.get_absolute_url(), form_data(name="Ingrid Bakke", email="ingrid@example.org")
    )
    assert response.status_code == 302
    registration = Registration.objects.get(email="ingrid@example.org")

    wait_for(lambda: harness.count() >= 1, timeout=60, message="no confirmation arrived")
    [message] = [m.message for m in harness.messages if "ingrid@example.org" in m.message["To"]]
    assert "Ingrid Bakke" in message["To"]
    assert "Partnerskapskonferansen 2027" in message["Subject"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Ingrid Bakke" in text and "09:00" in text and "08:00" not in text
    assert registration.token in text
    pngs = [p for p in message.walk() if p.get_content_type() == "image/png"]
    assert pngs and pngs[0].get_content().startswith(b"\x89PNG\r\n\x1a\n")
    calendars = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert calendars
    calendar = Calendar.from_ical(calendars[0].get_content())
    assert calendar["METHOD"] == "REQUEST"
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["ATTENDEE"]).lower() == "mailto:ingrid@example.org"
    assert vevent["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"
