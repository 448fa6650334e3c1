"""Redis stopped while people use the public site: every public POST, HTML and API, answers as
it does with Redis up (no 500, nothing refused, no rate limit), every change is kept, and the
mail goes out once Redis returns (the outbox sweep re-enqueues what could not be published).

Redis is the broker and the cache (DESIGN.md, scaling path): here this process publishes to,
nudges the outbox in and counts rate limits in a private redis-server that the test stops."""

import contextlib
import json
import os
import signal
import time
from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user_model

from events.models import Event, Registration
from invitations.models import Invitation, NetworkOptOut
from partners.demo import seed_partners
from partners.models import Network
from tests.events.registration_helpers import form_data
from tests.factories import EventFactory
from tests.integration.harness import RedisServer, broker, wait_for
from tests.invitations.helpers import send_out
from worker.models import OutgoingMessage

pytestmark = pytest.mark.django_db(transaction=True)


@contextlib.contextmanager
def redis_for_everything(server: RedisServer, settings) -> Iterator[None]:
    """This process's broker (Celery publishing), REDIS_URL (the outbox nudge) and cache (rate
    limits) all at the private server, so stopping it is a whole Redis outage."""
    settings.REDIS_URL = server.url
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": server.url}}
    with broker(server.url):
        yield


def test_registrations_while_redis_is_down_are_kept_and_mailed_later(
    client, settings, smtp_server, private_redis, celery_worker_factory
):
    celery_worker_factory(broker_url=private_redis.url)
    event = EventFactory(title="Samferdselsforum", status=Event.Status.PUBLISHED, capacity=10)
    with redis_for_everything(private_redis, settings):
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


def _api_post(client, path: str, body: dict):
    return client.post("/api/v1" + path, json.dumps(body), content_type="application/json")


def _person(email: str, name: str) -> dict:
    return {"name": name, "email": email, "organisation": "Skien kommune", "language": "nb"}


def test_every_public_post_while_redis_is_down_is_answered_kept_and_mailed_later(
    client, settings, smtp_server, private_redis, celery_worker_factory
):
    celery_worker_factory(broker_url=private_redis.url)
    # With Redis up, the limit would refuse the third public API POST from this address.
    settings.API_PUBLIC_WRITE_RATE = "2/m"
    event = EventFactory(title="Samferdselsforum", capacity=2)
    seed_partners()
    network = Network.objects.get(slug="klima-og-miljo")
    invited_event = EventFactory(title="Klimaforum", host=network.hosts.first(), network=network)
    get_user_model().objects.create_user("arrangor", password="et-langt-passord-1")

    with redis_for_everything(private_redis, settings):
        # The invitations go out while Redis is up.
        send_out(event=invited_event, network_ids=[network.pk])
        invitations = list(Invitation.objects.filter(event=invited_event).order_by("email"))
        assert len(invitations) == 3
        wait_for(lambda: smtp_server.count() >= 3, timeout=60, message="the three invitations")
        accepter, decliner, opter = invitations
        before_outage = OutgoingMessage.objects.order_by("-pk").values_list("pk", flat=True)[0]

        private_redis.stop()
        answered: dict[str, int] = {}

        def post(name: str, response) -> None:
            answered[name] = response.status_code

        base = "/arrangementer/%d/" % event.pk
        post("form: register", client.post(base, form_data(email="en@example.org", name="En")))
        path = "/events/%d/registrations" % event.pk
        post("api: register", _api_post(client, path, _person("to@example.org", "To")))
        post(
            "api: register (waiting list)",
            _api_post(client, path, _person("tre@example.org", "Tre")),
        )
        post(
            "api: resend link",
            _api_post(client, path + "/resend-link", {"email": "to@example.org"}),
        )
        post("form: resend link", client.post(base + "send-lenke/", {"email": "en@example.org"}))
        one, two, three = (
            Registration.objects.get(event=event, email=email)
            for email in ("en@example.org", "to@example.org", "tre@example.org")
        )
        assert three.status == Registration.Status.WAITLISTED
        personal = "/arrangementer/p/%s/"
        changed = {**form_data(email="en@example.org", name="En"), "title": "Seniorrådgiver"}
        post(
            "link: change",
            client.post(personal % one.token + "endre/", changed | {"list_consent": "on"}),
        )
        post("link: cancel", client.post(personal % two.token + "avmeld/"))
        post("link: accept offer", client.post(personal % three.token + "takk-ja/"))
        invitation = "/invitasjon/%s/"
        post(
            "invitation: answer",
            client.post(
                invitation % accepter.token,
                {
                    "name": accepter.name,
                    "title": "Rådgiver",
                    "organisation_name": "Skien kommune",
                    "language": "nb",
                },
            ),
        )
        post(
            "invitation: decline",
            client.post(invitation % decliner.token + "avsla/", {"reason": "Ferie"}),
        )
        post("invitation: opt out", client.post(invitation % opter.token + "avmeld/"))
        post("language switch", client.post("/i18n/setlang/", {"language": "nn", "next": "/"}))
        post(
            "organiser sign-in",
            client.post(
                "/konto/logg-inn/", {"username": "arrangor", "password": "et-langt-passord-1"}
            ),
        )
        post("organiser sign-out", client.post("/konto/logg-ut/"))

        # What each answers with Redis up: nothing refused, nothing failed.
        assert answered == {
            "form: register": 302,
            "api: register": 201,
            "api: register (waiting list)": 201,
            "api: resend link": 202,
            "form: resend link": 302,
            "link: change": 302,
            "link: cancel": 302,
            "link: accept offer": 302,
            "invitation: answer": 302,
            "invitation: decline": 302,
            "invitation: opt out": 200,
            "language switch": 302,
            "organiser sign-in": 302,
            "organiser sign-out": 302,
        }
        # Every change is in the database.
        for registration in (one, two, three):
            registration.refresh_from_db()
        assert (one.status, one.title, one.list_consent) == ("confirmed", "Seniorrådgiver", True)
        assert two.status == Registration.Status.CANCELLED
        assert three.status == Registration.Status.CONFIRMED
        states = dict(Invitation.objects.values_list("pk", "state"))
        assert states[accepter.pk] == Invitation.State.REGISTERED
        assert states[decliner.pk] == Invitation.State.DECLINED
        assert NetworkOptOut.objects.filter(network=network, email__iexact=opter.email).exists()
        assert Registration.objects.filter(
            event=invited_event, email__iexact=accepter.email, status="confirmed"
        ).exists()
        during = OutgoingMessage.objects.filter(pk__gt=before_outage)
        assert set(during.values_list("state", flat=True)) == {"queued"}

        # Redis returns: every message written during the outage goes out, once.
        private_redis.start()
        rows = during.count()
        wait_for(
            lambda: not during.exclude(state__in=("sent", "skipped")).exists(),
            timeout=90,
            message=lambda: (
                "the outage's %d messages delivered (%s)"
                % (rows, sorted(during.values_list("to_email", "kind", "state")))
            ),
        )
    sent = set(during.filter(state="sent").values_list("to_email", "kind"))
    assert {
        ("en@example.org", "events.personal_link"),
        ("to@example.org", "events.personal_link"),
        ("to@example.org", "events.cancellation"),
        ("tre@example.org", "events.seat_offered"),
    } <= sent
    receipts = {"events.registration", "events.confirmation", "events.waiting_list"}
    assert {"en@example.org", "tre@example.org", accepter.email} <= {
        to for to, kind in sent if kind in receipts
    }
    # Left unsent, as without an outage: only the first receipts of the two whose registration
    # changed (cancelled; promoted) before the receipt was composed; the later mail says it.
    assert set(during.filter(state="skipped").values_list("to_email", "kind")) <= {
        ("to@example.org", "events.registration"),
        ("tre@example.org", "events.registration"),
    }
    sent_ids = set(during.filter(state="sent").values_list("message_id", flat=True))
    wait_for(lambda: sent_ids <= set(smtp_server.message_ids()), timeout=10)
    received = smtp_server.message_ids()
    assert {received[message_id] for message_id in sent_ids} == {1}


def test_a_hung_redis_costs_the_first_request_seconds_and_the_next_ones_nothing(
    client, settings, smtp_server, private_redis, celery_worker_factory
):
    """Redis that accepts connections and never answers (stopped with SIGSTOP here; a network
    that drops packets looks the same): a publish used to wait for ever. Now the first request
    gives up after the socket timeouts, and the next ones leave Redis alone for a while; the
    sweep sends everything once Redis answers again."""
    celery_worker_factory(broker_url=private_redis.url)
    # Short, so that no later test in this process finds the broker still left alone.
    settings.OUTBOX_BROKER_REST_SECONDS = 2.0
    event = EventFactory(title="Samferdselsforum", capacity=10)
    path = "/events/%d/registrations" % event.pk
    timings = []
    with redis_for_everything(private_redis, settings):
        assert private_redis.process is not None
        os.kill(private_redis.process.pid, signal.SIGSTOP)
        try:
            for n in range(3):
                started = time.monotonic()
                form = client.post(
                    event.get_absolute_url(), form_data(email=f"skjema{n}@example.org")
                )
                api = _api_post(client, path, _person(f"api{n}@example.org", f"Api {n}"))
                timings.append(time.monotonic() - started)
                assert (form.status_code, api.status_code) == (302, 201)
        finally:
            os.kill(private_redis.process.pid, signal.SIGCONT)
        assert timings[0] < 5, timings
        assert max(timings[1:]) < 1, timings
        assert Registration.objects.filter(event=event, status="confirmed").count() == 6
        wait_for(lambda: smtp_server.count() >= 6, timeout=90, message="the six confirmations")
    assert set(OutgoingMessage.objects.values_list("state", flat=True)) == {"sent"}
