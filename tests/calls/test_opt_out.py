"""The opt-out link of a call's invitation and reminder: in the email's footer for a call of a
network, a GET that only asks, a POST that records the network's opt-out once, the next
send-out that leaves the address out, the undo, and friendly answers to bad links."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from calls.models import CallInvitation, CallSendOut
from calls.services import sendouts
from calls.services.invitations import create_call_sendout, send_call_reminders
from invitations.models import NetworkOptOut
from partners.models import Network, PersonMembership
from tests.calls.organiser_data import klima_call
from tests.html_checks import page_problems
from worker.models import OutgoingMessage

pytestmark = pytest.mark.usefixtures("private_storage")


@pytest.fixture
def network(demo):
    return Network.objects.get(slug="klima-og-miljo")


@pytest.fixture
def root(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("root", "root@example.org", "x")


def _send(call, root, **selection) -> CallSendOut:
    sendout = create_call_sendout(call=call, by_user=root, **selection)
    sendouts.expand_sendout(sendout_id=sendout.pk)
    sendout.refresh_from_db()
    return sendout


def _opt_out_link(body: str) -> str:
    (link,) = re.findall(r"https?://[^\s\"<>]+/innspill/invitasjon/[^/\s]+/avmeld/", body)
    return link


@pytest.fixture
def invited(network, root):
    """A member of the call's network, invited by a send-out in nynorsk."""
    call = klima_call()
    person = PersonMembership.objects.filter(network=network).order_by("pk").first().person
    type(person).objects.filter(pk=person.pk).update(language="nn")
    _send(call, root, network_ids=[network.pk])
    return CallInvitation.objects.get(call=call, email=person.email)


def test_the_invitation_email_links_the_opt_out_in_its_footer(invited, settings):
    message = OutgoingMessage.objects.get(to_email=invited.email)
    path = "/innspill/invitasjon/%s/avmeld/" % invited.token
    text_link = _opt_out_link(message.text_body)
    assert text_link == settings.SITE_URL + path
    footer = message.text_body.split("\n-- \n", 1)[1]
    assert "Stopp invitasjonar frå Klima og miljø: %s" % text_link in footer  # nynorsk
    html_footer = message.html_body.split('class="footer"', 1)[1]
    assert 'href="%s"' % text_link in html_footer
    assert "Stopp invitasjonar frå Klima og miljø" in html_footer


def test_the_reminder_links_the_opt_out_too(invited):
    call = invited.call
    OutgoingMessage.objects.all().delete()
    type(call).objects.filter(pk=call.pk).update(reminder_days=3)
    call.refresh_from_db()
    assert send_call_reminders(now=call.closes_at - dt.timedelta(days=1)) >= 1
    reminder = OutgoingMessage.objects.get(to_email=invited.email)
    assert _opt_out_link(reminder.text_body).endswith(
        "/innspill/invitasjon/%s/avmeld/" % invited.token
    )


def test_a_call_without_a_network_has_no_opt_out_link(client, network, root):
    call = klima_call(network=None, slug="uten-nettverk")
    _send(call, root, addresses="kari@example.org", language="en")
    message = OutgoingMessage.objects.get(to_email="kari@example.org")
    assert "/avmeld/" not in message.text_body and "/avmeld/" not in message.html_body
    invitation = CallInvitation.objects.get(call=call)
    page = client.get("/innspill/invitasjon/%s/avmeld/" % invitation.token)
    assert page.status_code == 200
    assert "nothing to stop" in page.content.decode()
    client.post("/innspill/invitasjon/%s/avmeld/" % invitation.token)
    assert not NetworkOptOut.objects.exists()


def test_get_only_asks_and_post_records_the_opt_out_once(client, invited, network):
    path = "/innspill/invitasjon/%s/avmeld/" % invited.token
    response = client.get(path)
    assert response.status_code == 200
    page = response.content.decode()
    # The invitation's language (nynorsk), a question and a POST button; nothing recorded.
    assert '<html lang="nn"' in page
    assert "Vil du at %s ikkje skal få fleire invitasjonar frå Klima og miljø?" % invited.email in (
        page
    )
    assert 'method="post"' in page and "csrfmiddlewaretoken" in page
    assert page_problems(page) == []
    assert not NetworkOptOut.objects.exists()

    response = client.post(path)
    assert response.status_code == 200
    done = response.content.decode()
    assert "%s får ikkje fleire invitasjonar frå Klima og miljø." % invited.email in done
    assert page_problems(done) == []
    opt_out = NetworkOptOut.objects.get()
    assert (opt_out.network, opt_out.email, opt_out.person_id) == (
        network,
        invited.email,
        invited.person_id,
    )
    # The page undoes it with the opt-out's own token.
    assert 'action="/innspill/avmelding/%s/angre/"' % opt_out.token in done

    assert client.post(path).status_code == 200  # twice: still one
    assert NetworkOptOut.objects.count() == 1


def test_the_opt_out_needs_the_csrf_token(invited):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/innspill/invitasjon/%s/avmeld/" % invited.token)
    assert response.status_code == 403
    assert not NetworkOptOut.objects.exists()


def test_the_next_send_out_leaves_the_address_out(client, invited, network, root):
    client.post("/innspill/invitasjon/%s/avmeld/" % invited.token)
    later = klima_call(slug="neste-innspill", title="Neste innspill")
    sendout = _send(later, root, network_ids=[network.pk], addresses=invited.email.upper())
    assert not CallInvitation.objects.filter(call=later, email__iexact=invited.email).exists()
    # Counted once: pasted too, the member is one person.
    assert (sendout.opted_out_count, sendout.invited_count) == (
        1,
        PersonMembership.objects.filter(network=network).count() - 1,
    )
    assert not OutgoingMessage.objects.filter(
        to_email__iexact=invited.email, subject__contains="Neste innspill"
    ).exists()


def test_the_undo_asks_then_restores_invitations(client, invited, network, root):
    client.post("/innspill/invitasjon/%s/avmeld/" % invited.token)
    opt_out = NetworkOptOut.objects.get()
    undo = "/innspill/avmelding/%s/angre/" % opt_out.token
    client.cookies["django_language"] = "en"
    response = client.get(undo)
    assert response.status_code == 200
    assert "gets no invitations from Klima og miljø" in response.content.decode()
    assert page_problems(response.content.decode()) == []
    assert NetworkOptOut.objects.exists()
    response = client.post(undo)
    assert response.status_code == 200
    assert "will get invitations from Klima og miljø again" in response.content.decode()
    assert not NetworkOptOut.objects.exists()
    # Undone: the link now says so, kindly.
    again = client.get(undo)
    assert again.status_code == 404
    assert "not in force" in again.content.decode()
    later = klima_call(slug="etter-angring")
    _send(later, root, network_ids=[network.pk])
    assert CallInvitation.objects.filter(call=later, email=invited.email).exists()


@pytest.mark.parametrize(
    "path",
    [
        "/innspill/invitasjon/finnes-ikke/avmeld/",
        "/innspill/invitasjon/%s/avmeld/" % ("x" * 80),
        "/innspill/avmelding/finnes-ikke/angre/",
    ],
)
def test_a_bad_link_is_a_friendly_404_and_changes_nothing(client, demo, path):
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        assert response.status_code == 404
        page = response.content.decode()
        assert "See all calls for input" in page
        assert page_problems(page) == []
    assert not NetworkOptOut.objects.exists()


def test_the_opt_out_works_after_the_deadline(client, invited):
    type(invited.call).objects.filter(pk=invited.call_id).update(
        opens_at=timezone.now() - dt.timedelta(days=30),
        closes_at=timezone.now() - dt.timedelta(days=1),
    )
    assert client.post("/innspill/invitasjon/%s/avmeld/" % invited.token).status_code == 200
    assert NetworkOptOut.objects.count() == 1
