"""Inviting answers through the organiser's form: the send-out (recorded, then expanded by its
task, run inline here) in each person's language with the personal link, opt-outs, bad
addresses, and the reminder before the deadline sent once. tests/calls/test_sendouts.py has
the expansion's batches, resuming and the broker outage."""

import datetime as dt

import pytest
from django.utils import timezone

from calls.models import Call, CallInvitation, CallSendOut
from calls.services.invitations import create_call_sendout, send_call_reminders
from invitations.models import NetworkOptOut
from partners.models import Network, PersonMembership
from tests.calls.organiser_data import klima_call
from tests.factories import AnswerFactory
from worker.models import OutgoingMessage

pytestmark = pytest.mark.usefixtures("private_storage")


@pytest.fixture
def network(demo):
    return Network.objects.get(slug="klima-og-miljo")


def _people(network):
    return [
        m.person for m in PersonMembership.objects.filter(network=network).select_related("person")
    ]


def test_send_out_to_a_network_in_each_persons_language(
    klima_client, network, django_capture_on_commit_callbacks, eager_celery
):
    call = klima_call()
    people = _people(network)
    nynorsk, english = people[0], people[1]
    type(nynorsk).objects.filter(pk=nynorsk.pk).update(language="nn")
    type(english).objects.filter(pk=english.pk).update(language="en")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = klima_client.post(
            "/arrangor/innspill/%d/inviter/" % call.pk,
            {
                "networks": [str(network.pk)],
                "language": "nb",
                "note": "Vi vil gjerne høre fra deg.",
            },
        )
    assert response.status_code == 302
    assert callbacks, "the expansion is enqueued after commit"
    sendout = CallSendOut.objects.get(call=call)
    assert response["Location"] == "/arrangor/innspill/%d/inviter/%d/" % (call.pk, sendout.pk)
    assert (sendout.state, sendout.invited_count) == ("done", len(people))
    invitations = {i.email: i for i in CallInvitation.objects.filter(call=call)}
    assert set(invitations) == {p.email for p in people}
    messages = {m.to_email: m for m in OutgoingMessage.objects.all()}
    assert set(messages) == set(invitations)
    nn = messages[nynorsk.email]
    en = messages[english.email]
    assert nn.language == "nn" and en.language == "en"
    assert nn.subject == "Vi ønskjer innspelet ditt: Innspill om klima og miljø"
    assert en.subject.startswith("We would like your input")
    link = invitations[english.email].get_absolute_url()
    assert link in en.text_body
    assert "Vi vil gjerne høre fra deg." in en.text_body
    # The personal link opens the form.
    assert klima_client.get(link).status_code == 200


def test_pasted_addresses_and_each_address_once(
    klima_client, network, eager_celery, django_capture_on_commit_callbacks
):
    call = klima_call()
    with django_capture_on_commit_callbacks(execute=True):
        response = klima_client.post(
            "/arrangor/innspill/%d/inviter/" % call.pk,
            {
                "addresses": "Kari Nordmann <kari@example.org>\nola@example.org;Ola\nKARI@example.org",
                "language": "nn",
            },
        )
    assert response.status_code == 302
    page = klima_client.get(response["Location"]).content.decode()
    assert '<strong id="sendout-state">Done</strong>' in page
    assert '<dd id="sendout-invited">2</dd>' in page
    assert sorted(CallInvitation.objects.values_list("email", "name", "language")) == [
        ("kari@example.org", "Kari Nordmann", "nn"),
        ("ola@example.org", "Ola", "nn"),
    ]
    assert {m.language for m in OutgoingMessage.objects.all()} == {"nn"}
    with django_capture_on_commit_callbacks(execute=True):
        again = create_call_sendout(call=call, by_user=_superuser(), addresses="kari@example.org")
    again.refresh_from_db()
    assert (again.invited_count, again.already_invited_count) == (0, 1)
    assert OutgoingMessage.objects.count() == 2


def _superuser():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("root", "root@example.org", "x")


def test_a_bad_address_sends_nothing(klima_client):
    call = klima_call()
    response = klima_client.post(
        "/arrangor/innspill/%d/inviter/" % call.pk,
        {"addresses": "kari@example.org\nikke en adresse", "language": "nb"},
    )
    assert response.status_code == 200
    assert "These lines are not email addresses: 2. Nothing was sent." in response.content.decode()
    assert not CallSendOut.objects.exists()
    assert not CallInvitation.objects.exists()
    assert not OutgoingMessage.objects.exists()


def test_opt_outs_of_the_network_are_honoured(
    klima_client, network, eager_celery, django_capture_on_commit_callbacks
):
    call = klima_call()
    people = _people(network)
    NetworkOptOut.objects.create(network=network, email=people[0].email.upper())
    with django_capture_on_commit_callbacks(execute=True):
        klima_client.post(
            "/arrangor/innspill/%d/inviter/" % call.pk,
            {"networks": [str(network.pk)], "language": "nb"},
        )
    invited = set(CallInvitation.objects.values_list("email", flat=True))
    assert people[0].email not in invited
    assert invited == {p.email for p in people[1:]}
    sendout = CallSendOut.objects.get()
    assert (sendout.invited_count, sendout.opted_out_count) == (len(people) - 1, 1)


def test_organiser_cannot_invite_from_a_network_they_do_not_organise(klima_organiser, demo):
    call = klima_call()
    folkehelse = Network.objects.get(slug="folkehelse")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        create_call_sendout(call=call, by_user=klima_organiser, network_ids=[folkehelse.pk])
    assert not CallSendOut.objects.exists()
    assert not CallInvitation.objects.exists()


def test_no_invitations_for_a_draft_or_closed_call(klima_client):
    draft = klima_call(status=Call.Status.DRAFT)
    response = klima_client.post(
        "/arrangor/innspill/%d/inviter/" % draft.pk,
        {"addresses": "kari@example.org", "language": "nb"},
    )
    assert "Publish the call before inviting answers." in response.content.decode()
    closed = klima_call(
        slug="lukket",
        opens_at=timezone.now() - dt.timedelta(days=30),
        closes_at=timezone.now() - dt.timedelta(days=1),
    )
    response = klima_client.post(
        "/arrangor/innspill/%d/inviter/" % closed.pk,
        {"addresses": "kari@example.org", "language": "nb"},
    )
    assert "The deadline has passed" in response.content.decode()
    assert not CallSendOut.objects.exists()
    assert not CallInvitation.objects.exists()


def test_reminder_is_sent_once_to_those_who_have_not_answered(demo):
    call = klima_call(reminder_days=3, closes_at=timezone.now() + dt.timedelta(days=10))
    waiting = CallInvitation.objects.create(
        call=call, email="venter@example.org", name="Venter", language="nn", state="sent"
    )
    CallInvitation.objects.create(
        call=call, email="ase@example.org", name="Åse", state="sent"
    )  # answered through the public form with the same address
    answered = CallInvitation.objects.create(
        call=call, email="svarte@example.org", name="Svarte", state="answered"
    )
    AnswerFactory(call=call, email=answered.email, invitation=answered)

    assert send_call_reminders(now=timezone.now()) == 0  # ten days left, three asked
    at = call.closes_at - dt.timedelta(days=2)
    assert send_call_reminders(now=at) == 1
    assert send_call_reminders(now=at) == 0
    assert send_call_reminders(now=at + dt.timedelta(hours=1)) == 0
    (message,) = OutgoingMessage.objects.all()
    assert message.to_email == "venter@example.org"
    assert message.language == "nn"
    assert waiting.get_absolute_url() in message.text_body
    waiting.refresh_from_db()
    assert waiting.reminded_at == at


def test_no_reminder_after_the_deadline_or_without_days(demo):
    call = klima_call(reminder_days=None)
    CallInvitation.objects.create(call=call, email="a@example.org", state="sent")
    assert send_call_reminders(now=call.closes_at - dt.timedelta(hours=1)) == 0
    Call.objects.filter(pk=call.pk).update(reminder_days=3)
    assert send_call_reminders(now=call.closes_at + dt.timedelta(seconds=1)) == 0
    assert not OutgoingMessage.objects.exists()
