"""End to end: an organiser sends a call's invitations while Redis is down. The send-out is
recorded and the page answers; once Redis is back, the beat's hand-over gives it to the real
worker, which expands it and sends one email per address through the SMTP server, each with
its personal link and the opt-out link of the call's network."""

import re

import pytest

from calls.models import CallInvitation, CallSendOut
from calls.services.sendouts import start_due_sendouts
from partners.demo import seed_partners
from partners.models import Network, PersonMembership
from tests.integration.harness import broker, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_send_out_made_while_redis_is_down_is_kept_and_mailed_once_it_is_back(
    client, settings, tmp_path, smtp_server, private_redis, celery_worker_factory, make_organiser
):
    from tests.calls.organiser_data import klima_call

    settings.PRIVATE_UPLOAD_ROOT = tmp_path / "private"
    celery_worker_factory(broker_url=private_redis.url)
    seed_partners()
    network = Network.objects.get(slug="klima-og-miljo")
    call = klima_call()
    members = sorted(
        m.person.email
        for m in PersonMembership.objects.filter(network=network).select_related("person")
    )
    client.force_login(make_organiser("rot", superuser=True))
    settings.REDIS_URL = private_redis.url
    with broker(private_redis.url):
        private_redis.stop()
        response = client.post(
            "/arrangor/innspill/%d/inviter/" % call.pk,
            {"networks": [str(network.pk)], "addresses": "kari@example.org", "language": "nn"},
        )
        assert response.status_code == 302
        assert client.get(response["Location"]).status_code == 200
        sendout = CallSendOut.objects.get()
        assert sendout.state == "scheduled" and sendout.progressed_at is None
        assert not CallInvitation.objects.exists()

        private_redis.start()
        assert start_due_sendouts() == 1  # what the beat runs every minute
        expected = sorted([*members, "kari@example.org"])
        wait_for(
            lambda: smtp_server.count() >= len(expected), timeout=90, message="the invitations"
        )
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == expected
    sendout.refresh_from_db()
    assert (sendout.state, sendout.invited_count) == ("done", len(expected))
    kari = CallInvitation.objects.get(email="kari@example.org")
    [message] = [m.message for m in smtp_server.messages if m.rcpt_tos[0] == "kari@example.org"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert kari.get_absolute_url() in text
    [opt_out] = re.findall(r"https?://\S+/innspill/invitasjon/[\w-]+/avmeld/", text)
    assert opt_out.endswith("/innspill/invitasjon/%s/avmeld/" % kari.token)
    assert client.get("/innspill/invitasjon/%s/avmeld/" % kari.token).status_code == 200
