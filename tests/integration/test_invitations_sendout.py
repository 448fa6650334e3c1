"""A send-out to a network, through a real request, a real Celery worker and a real SMTP server.

Uses the messaging tier's fixtures `smtp_server` and `celery_worker`
(tests/integration/conftest.py on the messaging branch). Where they are not available yet the
test skips, or fails when PARTNERSKAP_REQUIRE_INTEGRATION=1.
"""

import os
import time
from collections import Counter

import pytest
from django.contrib.auth import get_user_model

from events.models import Event
from invitations.models import Invitation, SendOut
from partners.demo import seed_partners
from partners.models import Network, OrganiserRole, Person, PersonMembership
from tests.factories import EventFactory
from worker.models import OutgoingMessage

REQUIRED = os.environ.get("PARTNERSKAP_REQUIRE_INTEGRATION") == "1"


def _fixture(request, name):
    try:
        return request.getfixturevalue(name)
    except pytest.FixtureLookupError:
        message = "the messaging tier's %s fixture is not on this branch" % name
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)


def _wait_for(condition, timeout, message):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(message())
        time.sleep(0.1)


@pytest.mark.django_db(transaction=True)
def test_invitations_sendout_to_network_reaches_each_person_once_in_their_language(request, client):
    smtp_server = _fixture(request, "smtp_server")
    _fixture(request, "celery_worker")
    import datetime as dt

    from django.utils import timezone

    seed_partners()
    network = Network.objects.get(slug="klima-og-miljo")
    languages = ["nb", "nn", "en"]
    for n in range(27):
        person = Person.objects.create(
            name="Deltaker %d" % n,
            email="deltaker%d@example.org" % n,
            language=languages[n % 3],
        )
        PersonMembership.objects.create(network=network, person=person)
    outsider = Person.objects.create(name="Utenfor", email="utenfor@example.org")
    people = {p.email: p.language for p in network.people.all()}
    assert len(people) == 30 and outsider.email not in people

    now = timezone.now()
    event = EventFactory(
        title="Klimakonferansen",
        host=network.hosts.first(),
        network=network,
        status=Event.Status.PUBLISHED,
        starts_at=now + dt.timedelta(days=14),
        ends_at=now + dt.timedelta(days=14, hours=6),
        registration_closes_at=now + dt.timedelta(days=7),
        venue_name="",
        venue_address="",
        organiser_name="",
        organiser_email="",
        capacity=None,
    )
    user = get_user_model().objects.create_user("arrangor", password="x")
    OrganiserRole.objects.create(user=user, network=network)
    client.force_login(user)

    response = client.post(
        "/arrangor/invitasjoner/arrangement/%d/utsending/ny/" % event.pk,
        {"networks": [network.pk], "message": "Velkommen til konferansen."},
    )
    assert response.status_code == 302
    sendout = SendOut.objects.get()
    response = client.post("/arrangor/invitasjoner/utsending/%d/send/" % sendout.pk, {"now": "1"})
    assert response.status_code == 302

    _wait_for(
        lambda: smtp_server.count() >= len(people),
        timeout=60,
        message=lambda: (
            "%d of %d invitations arrived; send-out %s, outbox %s"
            % (
                smtp_server.count(),
                len(people),
                SendOut.objects.values_list("state", "invited_count").get(),
                Counter(OutgoingMessage.objects.values_list("state", flat=True)),
            )
        ),
    )
    time.sleep(1)  # anything extra (a duplicate) would arrive now
    received = smtp_server.messages
    recipients = Counter(address.lower() for mail in received for address in mail.rcpt_tos)
    assert recipients == Counter({email.lower(): 1 for email in people})
    for mail in received:
        message = mail.message
        address = mail.rcpt_tos[0].lower()
        html = message.get_body(preferencelist=("html",)).get_content()
        assert '<html lang="%s">' % people[address] in html
        invitation = Invitation.objects.get(email__iexact=address)
        assert (
            "/invitasjon/%s/" % invitation.token
            in message.get_body(preferencelist=("plain",)).get_content()
        )
        calendars = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
        assert calendars and "PARTSTAT=NEEDS-ACTION" in calendars[0].get_content()

    sendout.refresh_from_db()
    assert sendout.state == SendOut.State.DONE and sendout.invited_count == 30
    page = client.get("/arrangor/invitasjoner/utsending/%d/" % sendout.pk).content.decode()
    assert '<dd id="progress-sent">30</dd>' in page
