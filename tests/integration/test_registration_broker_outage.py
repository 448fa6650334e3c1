"""Redis stopped while people register: every registration is kept, and the mail goes out after
Redis returns (the outbox sweep re-enqueues what could not be published)."""

import pytest

from events.models import Event, Registration
from tests.events.registration_helpers import EventFactory, form_data
from tests.integration.harness import broker, wait_for
from worker.models import OutgoingMessage

pytestmark = pytest.mark.django_db(transaction=True)


def test_registrations_while_redis_is_down_are_kept_and_mailed_later(
    client, smtp_server, private_redis, celery_worker_factory
):
    celery_worker_factory(broker_url=private_redis.url)
    event = EventFactory(title="Samferdselsforum", status=Event.Status.PUBLISHED, capacity=10)
    with broker(private_redis.url):
        private_redis.stop()
        for n in range(5):
            response = client.post(
                event.get_absolute_url(),
                form_data(email=f"deltaker{n}@example.org", name=f"Deltaker {n}"),
            )
            assert response.status_code == 302, response.content.decode()[:500]
        assert Registration.objects.filter(event=event, status="confirmed").count() == 5
        assert set(OutgoingMessage.objects.values_list("state", flat=True)) == {"queued"}
        assert smtp_server.count() == 0

        private_redis.start()
        wait_for(lambda: smtp_server.count() >= 5, timeout=60, message="the five confirmations")
    received = sorted(mail.rcpt_tos[0] for mail in smtp_server.messages)
    assert received == [f"deltaker{n}@example.org" for n in range(5)]
    assert set(OutgoingMessage.objects.values_list("state", flat=True)) == {"sent"}
