"""End to end: register through the HTML form, the real worker sends, the SMTP server receives.

Uses the integration harness (tests/integration/conftest.py): `smtp_server` (aiosmtpd on
loopback) and `celery_worker` (a real worker process on the test database, over Redis).
"""

import datetime as dt

import pytest
from icalendar import Calendar

from events.models import Event, Registration
from tests.events.registration_helpers import form_data
from tests.factories import EventFactory
from tests.integration.harness import wait_for
from worker.models import OutgoingMessage

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
    assert "Ingrid Bakke" in text and "kl. 09.00" in text and "08.00" not in text
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


def test_a_burst_of_registrations_gets_one_receipt_each_without_the_sweep(
    client, smtp_server, celery_worker_factory
):
    """Receipts are sent by the task the first commit of a window enqueues (the nudge), not by
    the sweep: this worker runs no beat. Each registrant gets one message, the right one."""
    celery_worker_factory(beat=False)
    event = EventFactory(capacity=10, status=Event.Status.PUBLISHED)
    emails = ["deltaker%d@example.org" % i for i in range(25)]
    for email in emails:
        response = client.post(event.get_absolute_url(), form_data(email=email))
        assert response.status_code == 302

    wait_for(lambda: smtp_server.count() >= 25, timeout=60, message="receipts missing")
    wait_for(
        lambda: OutgoingMessage.objects.filter(state=OutgoingMessage.State.SENT).count() == 25,
        timeout=30,
        message="rows not recorded as sent",
    )
    recipients = sorted(m.rcpt_tos[0] for m in smtp_server.messages)
    assert recipients == sorted(emails)  # each once
    kinds = {r.registration_ref: r.kind for r in OutgoingMessage.objects.filter(event_ref=event.pk)}
    for registration in Registration.objects.filter(event=event):
        expected = (
            "events.confirmation"
            if registration.status == Registration.Status.CONFIRMED
            else "events.waiting_list"
        )
        assert kinds[registration.pk] == expected
    assert sorted(kinds.values()).count("events.confirmation") == 10


def test_commits_in_one_window_enqueue_one_send_task(settings):
    """The nudge itself, against the real Redis broker (no worker consumes the queue here)."""
    import redis

    from worker import services
    from worker.services import NUDGE_KEY, nudge_delivery

    settings.OUTBOX_COALESCE_SECONDS = 0.5
    services._nudged["until"] = 0.0  # this process may have nudged in an earlier test
    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.delete("mail", NUDGE_KEY)
    try:
        nudge_delivery(message_ids=[1])
        nudge_delivery(message_ids=[2])
        nudge_delivery(message_ids=[3])
        assert broker.llen("mail") == 1
        wait_for(lambda: not broker.exists(NUDGE_KEY), timeout=5, message="nudge key kept")
        nudge_delivery(message_ids=[4])
        assert broker.llen("mail") == 2
    finally:
        broker.delete("mail", NUDGE_KEY)


def test_a_nudge_whose_task_cannot_be_published_leaves_the_window_open(settings, monkeypatch):
    """If the send task cannot be published, the key goes (so the next commit tries again)
    and the rows are enqueued directly; nothing waits for the sweep."""
    import redis

    from worker import services
    from worker.services import NUDGE_KEY, nudge_delivery
    from worker.tasks import send_queued

    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.delete(NUDGE_KEY)
    services._nudged["until"] = 0.0
    enqueued: list[list[int]] = []
    monkeypatch.setattr(
        services, "enqueue_delivery", lambda *, message_ids: enqueued.append(message_ids)
    )

    def refuse(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(send_queued, "apply_async", refuse)
    nudge_delivery(message_ids=[7])
    assert enqueued == [[7]] and not broker.exists(NUDGE_KEY)
    nudge_delivery(message_ids=[8])  # not skipped: this process never saw a task enqueued
    assert enqueued == [[7], [8]]
