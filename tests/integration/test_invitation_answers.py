"""Invitations answered through the links in the emails that arrived, with a real worker,
Redis and SMTP server: accept, decline, the invited address enforced, opt-out honoured by the
next send-out, and a participant reminder that reaches each person once when the reminder
task runs twice at the same time."""

import datetime as dt
import re
import time
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from events.models import Event, Registration
from invitations.models import EventReminderSettings, Invitation, SendOut
from invitations.selectors import event_overview
from partners.demo import seed_partners
from partners.models import Network, OrganiserRole
from tests.factories import EventFactory
from tests.integration.harness import wait_for
from worker.celery import app
from worker.models import OutgoingMessage

pytestmark = pytest.mark.django_db(transaction=True)

LINK = re.compile(r"https?://[^\s<>\"]*/invitasjon/([A-Za-z0-9_-]+)/(avmeld/)?")


def _event(network, title, days):
    now = timezone.now()
    return EventFactory(
        title=title,
        host=network.hosts.first(),
        network=network,
        status=Event.Status.PUBLISHED,
        starts_at=now + dt.timedelta(days=days),
        ends_at=now + dt.timedelta(days=days, hours=4),
        registration_closes_at=now + dt.timedelta(days=days - 1),
        capacity=40,
        venue_name="",
        venue_address="",
        organiser_name="",
        organiser_email="",
    )


def _send(client, event, network):
    response = client.post(
        f"/arrangor/invitasjoner/arrangement/{event.pk}/utsending/ny/",
        {"networks": [network.pk], "message": "Velkommen."},
    )
    assert response.status_code == 302
    sendout = SendOut.objects.filter(event=event).latest("pk")
    assert (
        client.post(
            f"/arrangor/invitasjoner/utsending/{sendout.pk}/send/", {"now": "1"}
        ).status_code
        == 302
    )
    return sendout


def _links(mail) -> dict[str, str]:
    text = mail.message.get_body(preferencelist=("plain",)).get_content()
    found = {}
    for match in LINK.finditer(text):
        found["opt_out" if match.group(2) else "answer"] = (
            match.group(0).split("://", 1)[1].split("/", 1)[1]
        )
    return {key: "/" + path for key, path in found.items()}


def test_invitation_links_from_the_emails_accept_decline_opt_out_and_remind_once(
    client, smtp_server, celery_worker
):
    seed_partners()
    network = Network.objects.get(slug="klima-og-miljo")
    people = sorted(network.people.values_list("email", flat=True))
    assert len(people) == 3
    user = get_user_model().objects.create_user("arrangor", password="x")
    OrganiserRole.objects.create(user=user, network=network)
    client.force_login(user)

    first = _event(network, "Klimaforum", days=3)
    _send(client, first, network)
    wait_for(lambda: smtp_server.count() >= 3, timeout=60, message="three invitations")
    mails = {mail.rcpt_tos[0].lower(): mail for mail in smtp_server.messages}
    assert sorted(mails) == people
    accepter, decliner, opter = people
    links = {email: _links(mail) for email, mail in mails.items()}
    assert all({"answer", "opt_out"} <= set(found) for found in links.values()), links

    # Accept through the link; a forwarded link cannot register another address.
    client.logout()
    response = client.post(
        links[accepter]["answer"],
        {
            "name": "Videresendt",
            "email": "someone.else@example.org",
            "title": "Rådgiver",
            "organisation_name": "Industrial Green Tech",
            "language": "nb",
        },
    )
    assert response.status_code == 302
    registration = Registration.objects.get(event=first)
    assert registration.email.lower() == accepter and registration.status == "confirmed"
    assert not Registration.objects.filter(email__iexact="someone.else@example.org").exists()

    # Decline in two clicks.
    answer_page = client.get(links[decliner]["answer"]).content.decode()
    decline_path = links[decliner]["answer"] + "avsla/"
    assert decline_path in answer_page
    assert client.post(decline_path, {"reason": "Ferie"}).status_code == 302

    overview = event_overview(first)
    assert (overview.registered, overview.declined, overview.no_answer) == (1, 1, 1)

    # The confirmation for the accepter arrives too (4 mails so far).
    wait_for(lambda: smtp_server.count() >= 4, timeout=60, message="the confirmation")

    # Opt out through the link in the email; the next send-out leaves that person out.
    assert client.post(links[opter]["opt_out"]).status_code in (200, 302)
    client.force_login(user)
    second = _event(network, "Klimaforum, del 2", days=20)
    sendout = _send(client, second, network)
    wait_for(
        lambda: smtp_server.count() >= 6, timeout=60, message="two invitations to the second event"
    )
    time.sleep(1)
    second_rcpts = Counter(
        mail.rcpt_tos[0].lower()
        for mail in smtp_server.messages
        if "del 2" in str(mail.message["Subject"])
    )
    assert second_rcpts == Counter({accepter: 1, decliner: 1})
    sendout.refresh_from_db()
    assert sendout.invited_count == 2

    # A reminder to confirmed participants, the task run twice at once by the worker.
    EventReminderSettings.objects.create(
        event=first, remind_invitees_days_before_close=None, remind_participants_days_before=7
    )
    before = smtp_server.count()
    app.send_task("invitations.send_reminders", queue="default")
    app.send_task("invitations.send_reminders", queue="default")
    wait_for(
        lambda: (
            OutgoingMessage.objects.filter(kind="participant_reminder").exists()
            and not OutgoingMessage.objects.exclude(state="sent").exists()
        ),
        timeout=60,
        message="the reminder is sent",
    )
    time.sleep(2)  # a duplicate would arrive now
    reminders = [m for m in smtp_server.messages[before:]]
    assert [m.rcpt_tos[0].lower() for m in reminders] == [accepter]
    assert OutgoingMessage.objects.filter(kind="participant_reminder").count() == 1
    assert Invitation.objects.filter(event=first).count() == 3
