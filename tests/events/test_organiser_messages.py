"""Organisers see every message of their event, open it as sent, and can send it again."""

import pytest
from django.db import transaction

from tests.factories import EventFactory, confirmation
from worker.models import OutgoingMessage
from worker.services import References, queue_messages


def _queue(event, n=1, **overrides):
    with transaction.atomic():
        return queue_messages(
            messages=[
                confirmation(i, refs=References(event=event.pk, registration=i), **overrides)
                for i in range(n)
            ]
        )


@pytest.fixture
def klima(demo):
    from partners.models import Network

    return Network.objects.get(slug="klima-og-miljo")


@pytest.fixture
def folkehelse(demo):
    from partners.models import Network

    return Network.objects.get(slug="folkehelse")


@pytest.fixture
def klima_client(client, make_organiser, klima):
    client.force_login(make_organiser("klima-arrangor", network=klima))
    return client


@pytest.fixture
def klima_event(klima):
    return EventFactory(minimal=True, network=klima, title="Klimaforum")


def test_message_list_shows_the_events_messages_and_their_states(
    klima_client, klima_event, folkehelse
):
    rows = _queue(klima_event, 3)
    OutgoingMessage.objects.filter(pk=rows[0].pk).update(
        state="failed", last_response="550 no such user"
    )
    other = EventFactory(minimal=True, network=folkehelse)
    _queue(other, 1, subject="Ikke denne")
    html = klima_client.get(f"/arrangor/arrangementer/{klima_event.pk}/meldinger/").content.decode()
    assert html.count("Påmelding bekreftet: Partnerskapskonferansen") == 3
    assert "Ikke denne" not in html
    assert "550 no such user" in html
    failed = klima_client.get(f"/arrangor/arrangementer/{klima_event.pk}/meldinger/?state=failed")
    assert failed.content.decode().count("Påmelding bekreftet") == 1


def test_message_list_query_count_is_the_same_for_1_and_50(
    klima_client, klima_event, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = f"/arrangor/arrangementer/{klima_event.pk}/meldinger/"
    _queue(klima_event, 1)
    with CaptureQueriesContext(connection) as one:
        klima_client.get(url)
    _queue(klima_event, 49)
    with CaptureQueriesContext(connection) as fifty:
        response = klima_client.get(url)
    assert response.content.decode().count("Påmelding bekreftet") == 50
    assert len(fifty) == len(one)


def test_message_detail_shows_the_message_as_sent(klima_client, klima_event):
    [row] = _queue(klima_event, 1)
    html = klima_client.get(f"/arrangor/arrangementer/meldinger/{row.pk}/").content.decode()
    assert row.message_id.strip("<>") in html
    assert "du er påmeldt. Nummer 0." in html
    assert "BEGIN:VCALENDAR" in html  # the calendar part and the MIME source


def test_a_receipt_the_worker_has_yet_to_write_is_listed_and_opens(klima_client, klima_event):
    from tests.events.registration_helpers import compose_pending, register

    registration = register(klima_event, email="ny@example.org")
    row = OutgoingMessage.objects.get(registration_ref=registration.pk)
    html = klima_client.get(f"/arrangor/arrangementer/{klima_event.pk}/meldinger/").content.decode()
    assert "ny@example.org" in html and "(written when it is sent)" in html
    detail = klima_client.get(f"/arrangor/arrangementer/meldinger/{row.pk}/")
    assert detail.status_code == 200 and "(written when it is sent)" in detail.content.decode()
    compose_pending()
    html = klima_client.get(f"/arrangor/arrangementer/meldinger/{row.pk}/").content.decode()
    assert "Registration confirmed: Klimaforum" in html or "Påmelding bekreftet" in html


def test_message_of_another_networks_event_is_404(client, make_organiser, klima_event, folkehelse):
    [row] = _queue(klima_event, 1)
    client.force_login(make_organiser("other", network=folkehelse))
    assert client.get(f"/arrangor/arrangementer/meldinger/{row.pk}/").status_code == 404
    assert client.post(f"/arrangor/arrangementer/meldinger/{row.pk}/send-igjen/").status_code == 404
    assert OutgoingMessage.objects.count() == 1


def test_resend_queues_a_copy_with_a_new_message_id(
    klima_client, klima_event, django_capture_on_commit_callbacks
):
    [row] = _queue(klima_event, 1)
    OutgoingMessage.objects.filter(pk=row.pk).update(state="sent")
    response = klima_client.post(f"/arrangor/arrangementer/meldinger/{row.pk}/send-igjen/")
    copy = OutgoingMessage.objects.exclude(pk=row.pk).get()
    assert response.status_code == 302 and response["Location"].endswith(f"/meldinger/{copy.pk}/")
    assert copy.state == "queued" and copy.resend_of_id == row.pk
    assert copy.message_id != row.message_id and copy.subject == row.subject


def test_resend_of_a_message_still_in_delivery_is_refused(klima_client, klima_event):
    [row] = _queue(klima_event, 1)  # still queued
    response = klima_client.post(
        f"/arrangor/arrangementer/meldinger/{row.pk}/send-igjen/", follow=True
    )
    assert "still being delivered" in response.content.decode()
    assert OutgoingMessage.objects.count() == 1
