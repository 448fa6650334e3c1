"""Answers that come back by mail, end to end: invitations go out through the real worker to the
SMTP test server; what each person's client or mail server sends back (tests/integration/
mail_answers.py) is APPENDed to a real Dovecot; the worker's beat polls it with the real
handlers; the organiser's page and the database show what changed, and the SMTP server what
was sent because of it. No mock of IMAP or SMTP anywhere."""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import redis
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import F
from django.test import Client
from django.utils import timezone, translation

from events.models import Event, Registration
from invitations.models import InboundReply, Invitation, SendOut
from partners.models import OrganiserRole
from tests.factories import EventFactory, NetworkFactory, PersonFactory, PersonMembershipFactory
from worker.models import InboundMessage, OutgoingMessage, UndeliverableAddress

from . import dovecot as dovecot_module
from . import mail_answers
from .harness import CeleryWorker, wait_for
from .mail_answers import SentInvitation
from .smtp import ReceivedMail, SMTPSink

pytestmark = pytest.mark.django_db(transaction=True)

MAILBOX = "partnerskap@vtfk.example"
POLL_LOCK = "partnerskap:poll-mailbox"  # worker/mailbox.py poll_once_locked
POLL_SECONDS = "0.5"


@pytest.fixture
def dovecot(settings) -> Iterator[dovecot_module.Dovecot]:
    if not dovecot_module.available():
        message = "the mailbox tests need Dovecot (apt-get install dovecot-imapd)"
        if os.environ.get("PARTNERSKAP_REQUIRE_INTEGRATION") == "1":
            pytest.fail(message)
        pytest.skip(message)
    server = dovecot_module.Dovecot().start()
    yield server
    server.stop()


@pytest.fixture
def mailbox_worker(celery_worker_factory, dovecot, settings) -> CeleryWorker:
    """The real worker, its beat polling the Dovecot mailbox every half second; this process
    (the web side) reads the same mailbox settings, so the calendars carry the reply tokens."""
    settings.INBOUND_MAIL_URL = dovecot.url
    settings.ORGANISER_MAILBOX = MAILBOX
    return celery_worker_factory(
        env={
            "INBOUND_MAIL_URL": dovecot.url,
            "INBOUND_MAIL_POLL_SECONDS": POLL_SECONDS,
            "ORGANISER_MAILBOX": MAILBOX,
        }
    )


@dataclass
class Scene:
    event: Event
    organiser: Any
    client: Client  # logged in as the event's organiser
    smtp: SMTPSink
    dovecot: dovecot_module.Dovecot
    sent: dict[str, SentInvitation]  # invited address -> the invitation as received

    def invitation(self, email: str) -> Invitation:
        return Invitation.objects.get(event=self.event, email=email)

    def page_row(self, email: str) -> str:
        """The organiser's invitation list (nb), the row of this address."""
        page = self.client.get(
            f"/arrangor/invitasjoner/arrangement/{self.event.pk}/", HTTP_ACCEPT_LANGUAGE="nb"
        )
        assert page.status_code == 200
        rows = [
            r
            for r in re.findall(r"<tr\b[^>]*>(.*?)</tr>", page.content.decode(), re.S)
            if email in r
        ]
        assert len(rows) == 1, rows
        return rows[0]

    def api_invitations(self) -> dict[str, dict]:
        """`GET /api/v1/events/{id}/invitations` with the organiser's token: email -> item."""
        from partners.api_tokens import create_api_token

        token = create_api_token(user=self.organiser, name="e2e").raw
        response = self.client.get(
            f"/api/v1/events/{self.event.pk}/invitations?limit=200",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["count"] == len(body["items"])
        return {item["email"]: item for item in body["items"]}

    def mails_to(self, email: str) -> list[ReceivedMail]:
        return [m for m in self.smtp.messages if email in [r.lower() for r in m.rcpt_tos]]


def invite(
    client: Client, smtp: SMTPSink, dovecot, people: list[tuple[str, str]], **event_fields
) -> Scene:
    """An event of a network with these (name, email) members, invited by the organiser through
    the send-out pages; waits until every invitation reached the SMTP server."""
    network = NetworkFactory()
    for name, email in people:
        PersonMembershipFactory(network=network, person=PersonFactory(name=name, email=email))
    now = timezone.now()
    fields = {
        "title": "Klimaforum i Tønsberg",
        "network": network,
        "status": Event.Status.PUBLISHED,
        "starts_at": now + dt.timedelta(days=14),
        "ends_at": now + dt.timedelta(days=14, hours=5),
        "registration_closes_at": now + dt.timedelta(days=10),
        "capacity": 40,
        **event_fields,
    }
    event = EventFactory(**fields)
    user = get_user_model().objects.create_user(f"arrangor-{event.pk}", password="x")
    OrganiserRole.objects.create(user=user, network=network)
    client.force_login(user)
    before = smtp.count()
    response = client.post(
        f"/arrangor/invitasjoner/arrangement/{event.pk}/utsending/ny/",
        {"networks": [network.pk], "message": "Velkommen."},
    )
    assert response.status_code == 302
    sendout = SendOut.objects.get(event=event)
    response = client.post(f"/arrangor/invitasjoner/utsending/{sendout.pk}/send/", {"now": "1"})
    assert response.status_code == 302
    wait_for(
        lambda: smtp.count() >= before + len(people),
        timeout=60,
        message=lambda: f"{smtp.count() - before} of {len(people)} invitations",
    )
    sent = {
        mail.rcpt_tos[0].lower(): SentInvitation.from_mail(mail) for mail in smtp.messages[before:]
    }
    assert sorted(sent) == sorted(email for _, email in people)
    return Scene(event=event, organiser=user, client=client, smtp=smtp, dovecot=dovecot, sent=sent)


def deliver(scene: Scene, *messages: bytes, timeout: float = 30) -> list[InboundMessage]:
    """APPEND to the mailbox; wait until the worker's poll took each one into Processed (or
    Failed) and every calendar answer it recorded has been applied."""
    before = InboundMessage.objects.count()
    scene.dovecot.append(*messages)
    wait_for(
        lambda: (
            InboundMessage.objects.count() >= before + len(messages)
            and scene.dovecot.count("INBOX") == 0
        ),
        timeout=timeout,
        message=lambda: f"the poll; INBOX holds {scene.dovecot.count('INBOX')}",
    )
    wait_for(
        lambda: not InboundReply.objects.filter(applying__in=["pending", "applying"]).exists(),
        timeout=timeout,
        message=lambda: (
            "the calendar answers to be applied: "
            + str(list(InboundReply.objects.values_list("applying", "outcome")))
        ),
    )
    return list(InboundMessage.objects.order_by("pk")[before:])


def state_label(state: str) -> str:
    with translation.override("nb"):
        return str(Invitation.State(state).label)


def quiet(seconds: float = 1.0) -> None:
    """Give a wrong second mail, poll or answer the time to show itself."""
    time.sleep(seconds)


# One test per client: one person accepts (registered, confirmation with the calendar), the
# other declines (declined, nothing sent), each as that client builds the REPLY.


@pytest.mark.parametrize("client_name", ["outlook", "gmail", "apple", "thunderbird"])
def test_a_calendar_reply_registers_or_declines_the_person(
    client_name, client, smtp_server, dovecot, mailbox_worker
):
    accepter, decliner = "kari.nordmann@telemark.example", "ola.nordmann@vestfold.example"
    scene = invite(
        client, smtp_server, dovecot, [("Kari Nordmann", accepter), ("Ola Nordmann", decliner)]
    )
    invitations_sent = smtp_server.count()

    records = deliver(
        scene,
        mail_answers.reply(client_name, scene.sent[accepter], "ACCEPTED"),
        mail_answers.reply(client_name, scene.sent[decliner], "DECLINED"),
    )

    assert [r.state for r in records] == ["handled", "handled"], [r.outcome for r in records]
    accepted, declined = scene.invitation(accepter), scene.invitation(decliner)
    assert (accepted.state, accepted.channel) == ("registered", "calendar")
    assert (declined.state, declined.channel) == ("declined", "calendar")
    assert accepted.answered_at and declined.answered_at
    registration = Registration.objects.get(event=scene.event)
    assert registration.email == accepter and registration.status == "confirmed"
    assert accepted.registration_id == registration.pk and declined.registration_id is None
    assert state_label("registered") in scene.page_row(accepter)
    assert state_label("declined") in scene.page_row(decliner)
    with translation.override("nb"):
        calendar = str(Invitation.Channel.CALENDAR.label)
    for email in (accepter, decliner):
        assert f'<td class="invitation-channel">{calendar}</td>' in scene.page_row(email)
    api = scene.api_invitations()
    assert {k: api[accepter][k] for k in ("answer", "channel", "registration")} == {
        "answer": "registered",
        "channel": "calendar",
        "registration": registration.pk,
    }
    assert {k: api[decliner][k] for k in ("answer", "channel", "registration")} == {
        "answer": "declined",
        "channel": "calendar",
        "registration": None,
    }
    assert api[accepter]["answered_at"] and api[decliner]["answered_at"]

    # The confirmation arrives, with the event in the calendar the REPLY came from.
    wait_for(lambda: len(scene.mails_to(accepter)) == 2, timeout=30, message="the confirmation")
    quiet()
    confirmation = scene.mails_to(accepter)[1].message
    calendars = [p for p in confirmation.walk() if p.get_content_type() == "text/calendar"]
    assert calendars, confirmation
    text = calendars[0].get_content()
    assert f"UID:{scene.sent[accepter].uid}" in text and "PARTSTAT=ACCEPTED" in text
    assert len(scene.mails_to(decliner)) == 1  # the invitation, nothing more
    assert smtp_server.count() == invitations_sent + 1


# Bounces: the outgoing row bounced, the address undeliverable, and the next mail to it is not
# sent (a group message to everyone who has not answered reaches only the live address).


def test_bounces_mark_the_invitation_bounced_and_nothing_more_is_sent_there(
    client, smtp_server, dovecot, mailbox_worker
):
    alive = "kari.nordmann@telemark.example"
    dead = {"dsn": "gammel.adresse@nedlagt.example", "exchange_ndr": "sluttet@kommune.example"}
    people = [("Kari Nordmann", alive), ("Gammel", dead["dsn"]), ("Sluttet", dead["exchange_ndr"])]
    scene = invite(client, smtp_server, dovecot, people)
    rows = {e: OutgoingMessage.objects.get(kind="invitation", to_email=e) for e in dead.values()}
    assert {row.state for row in rows.values()} == {"sent"}
    for email in dead.values():  # a bounce goes to the envelope sender: the token's address
        assert scene.sent[email].envelope_sender == scene.sent[email].organizer

    records = deliver(
        scene, *(getattr(mail_answers, report)(scene.sent[email]) for report, email in dead.items())
    )

    assert [r.state for r in records] == ["handled", "handled"], [r.outcome for r in records]
    for report, status in (("dsn", "5.1.1"), ("exchange_ndr", "5.1.10")):
        row = rows[dead[report]]
        row.refresh_from_db()
        assert row.state == "bounced" and row.bounced_at, report
        assert status in row.last_response, (report, row.last_response)
        bounce = InboundReply.objects.get(kind="bounce", outgoing=row)
        assert bounce.event_id == scene.event.pk and bounce.outcome == "bounced"
        assert scene.invitation(dead[report]).state == "pending"  # a bounce is no answer
    assert set(UndeliverableAddress.objects.values_list("email_key", flat=True)) == set(
        dead.values()
    )
    assert OutgoingMessage.objects.get(kind="invitation", to_email=alive).state == "sent"
    api = scene.api_invitations()
    assert {e: (i["answer"], i["undeliverable"]) for e, i in api.items()} == {
        alive: ("pending", False),
        **{email: ("pending", True) for email in dead.values()},
    }

    before = smtp_server.count()
    response = scene.client.post(
        f"/arrangor/invitasjoner/arrangement/{scene.event.pk}/melding/",
        {"audiences": ["no_answer"], "subject": "Husk å svare", "body": "Fristen nærmer seg."},
    )
    assert response.status_code == 302
    group = OutgoingMessage.objects.filter(kind="organiser_message")
    wait_for(
        lambda: group.count() == 3 and not group.exclude(state__in=["sent", "skipped"]).exists(),
        timeout=30,
        message=lambda: "the group message: " + str(list(group.values_list("to_email", "state"))),
    )
    quiet()
    for email in dead.values():
        skipped = group.get(to_email=email)
        assert skipped.state == "skipped" and "undeliverable" in skipped.last_response
        assert len(scene.mails_to(email)) == 1  # the invitation that bounced, nothing after it
    assert [m.rcpt_tos for m in smtp_server.messages[before:]] == [[alive]]


# What changes nothing: an out-of-office (counted, not for the organisers), and forged replies
# (listed for the organisers).


def test_an_out_of_office_and_forged_replies_change_nothing(
    client, smtp_server, dovecot, mailbox_worker
):
    kari, ola = "kari.nordmann@telemark.example", "ola.nordmann@vestfold.example"
    scene = invite(client, smtp_server, dovecot, [("Kari Nordmann", kari), ("Ola Nordmann", ola)])
    sent = scene.sent[kari]
    before = smtp_server.count()

    records = deliver(
        scene,
        mail_answers.out_of_office(sent),
        # Kari's answer, to a plus address with a token nobody was given.
        mail_answers.reply("gmail", sent, to=mail_answers.other_token_address(sent)),
        # Kari's token and UID, answered for someone else: an outsider, and Ola (also invited).
        mail_answers.reply("outlook", sent, attendee="per.utenfor@annen.example"),
        mail_answers.reply("thunderbird", sent, attendee=ola, name="Ola Nordmann"),
    )

    assert [r.state for r in records] == ["handled"] * 4, [r.outcome for r in records]
    for email in (kari, ola):
        invitation = scene.invitation(email)
        assert (invitation.state, invitation.channel, invitation.answered_at) == (
            "pending",
            "",
            None,
        ), email
        assert state_label("pending") in scene.page_row(email)
    api = scene.api_invitations()
    assert {e: (i["answer"], i["channel"], i["answered_at"]) for e, i in api.items()} == {
        kari: ("pending", "", None),
        ola: ("pending", "", None),
    }
    assert not Registration.objects.exists() and not UndeliverableAddress.objects.exists()
    assert set(OutgoingMessage.objects.values_list("state", flat=True)) == {"sent"}
    away, *forged = InboundReply.objects.order_by("pk")
    assert away.kind == "auto_reply" and not away.needs_attention
    assert away.invitation_id == scene.invitation(kari).pk
    assert len(forged) == 3 and all(reply.needs_attention for reply in forged), [
        (r.kind, r.outcome) for r in forged
    ]
    assert [r.sender for r in forged] == [kari, "per.utenfor@annen.example", ola]
    assert {forged[1].event_id, forged[2].event_id} == {scene.event.pk}
    quiet()
    assert smtp_server.count() == before  # never mail in answer to mail


# 200 invitations answered by calendar, the worker SIGKILLed in the middle of reading them:
# after a restart every invitation is answered once, every acceptance registered once.

BATCH = 200


def test_200_calendar_replies_with_the_worker_killed_mid_batch_are_each_applied_once(
    client, smtp_server, dovecot, mailbox_worker
):
    started = time.monotonic()
    people = [(f"Deltaker {n:03d}", f"deltaker{n:03d}@example.org") for n in range(BATCH)]
    scene = invite(client, smtp_server, dovecot, people, capacity=None)
    invited = time.monotonic()
    clients = list(mail_answers.CLIENTS)
    answers = {
        email: "ACCEPTED" if n % 2 == 0 else "DECLINED" for n, (_, email) in enumerate(people)
    }
    replies = [
        mail_answers.reply(clients[n % 4], scene.sent[email], answers[email])
        for n, (_, email) in enumerate(people)
    ]

    scene.dovecot.append(*replies)
    wait_for(
        lambda: InboundMessage.objects.count() >= BATCH // 4,
        timeout=60,
        interval=0.01,
        message="the poll to be under way",
    )
    mailbox_worker.kill()
    read_before_kill = InboundMessage.objects.count()
    assert read_before_kill < BATCH, "the poll finished before the kill; nothing was tested"
    killed = time.monotonic()
    # The killed poll's lock would expire after INBOUND_MAIL_LOCK_SECONDS (2 minutes); now.
    redis.Redis.from_url(settings.REDIS_URL).delete(POLL_LOCK)

    mailbox_worker.start()
    wait_for(
        lambda: InboundMessage.objects.count() == BATCH and scene.dovecot.count("INBOX") == 0,
        timeout=60,
        message=lambda: f"{InboundMessage.objects.count()} of {BATCH} read after the restart",
    )
    left = Counter(InboundReply.objects.values_list("applying", flat=True))
    # What the killed worker left pending waits PENDING_GRACE (30 s), what it had claimed
    # CLAIM_TIMEOUT (5 minutes), constants the worker's settings cannot shorten: their clocks
    # are set back by as much, and the worker's beat applies them as it would then.
    from invitations.services import calendar_answers

    stale = InboundReply.objects.filter(kind="calendar_reply")
    stale.filter(applying="pending").update(
        created_at=F("created_at") - calendar_answers.PENDING_GRACE
    )
    stale.filter(applying="applying").update(
        claimed_at=F("claimed_at") - calendar_answers.CLAIM_TIMEOUT
    )
    wait_for(
        lambda: not InboundReply.objects.exclude(applying__in=["applied", "refused", ""]).exists(),
        timeout=60,
        message=lambda: (
            "the answers applied: "
            + str(Counter(InboundReply.objects.values_list("applying", flat=True)))
        ),
    )
    accepted = sorted(email for email, answer in answers.items() if answer == "ACCEPTED")
    wait_for(
        lambda: len({m.rcpt_tos[0] for m in smtp_server.messages[BATCH:]}) >= len(accepted),
        timeout=60,
        message=lambda: f"{smtp_server.count() - BATCH} of {len(accepted)} confirmations",
    )
    done = time.monotonic()
    print(
        f"200 answers: invitations sent in {invited - started:.1f}s, {read_before_kill} read "
        f"before the kill, the rest and {len(accepted)} confirmations {done - killed:.1f}s "
        f"after it; left by the kill: {dict(left)}"
    )
    quiet()

    assert Counter(InboundMessage.objects.values_list("state", flat=True)) == {"handled": BATCH}
    assert len(set(InboundMessage.objects.values_list("message_id", flat=True))) == BATCH
    replies_per_invitation = Counter(
        InboundReply.objects.filter(kind="calendar_reply").values_list("invitation_id", flat=True)
    )
    assert len(replies_per_invitation) == BATCH and set(replies_per_invitation.values()) == {1}
    states = dict(Invitation.objects.filter(event=scene.event).values_list("email", "state"))
    expected = {e: "registered" if a == "ACCEPTED" else "declined" for e, a in answers.items()}
    assert states == expected
    assert set(Invitation.objects.values_list("channel", flat=True)) == {"calendar"}
    api = scene.api_invitations()
    assert {email: item["answer"] for email, item in api.items()} == expected
    assert {item["channel"] for item in api.values()} == {"calendar"}
    registrations = Counter(
        Registration.objects.filter(event=scene.event).values_list("email", flat=True)
    )
    assert sorted(registrations) == accepted and set(registrations.values()) == {1}
    assert set(Registration.objects.values_list("status", flat=True)) == {"confirmed"}
    # One confirmation each. Counted by Message-ID: a worker killed after the SMTP server took a
    # message and before its row recorded that sends it again, with the same Message-ID, after
    # the sending timeout (worker/delivery.py, the window SMTP cannot close; clients fold the
    # two). A second message of its own to anyone would be a second confirmation.
    confirmations = Counter(
        m.rcpt_tos[0] for m in {m.message_id: m for m in smtp_server.messages[BATCH:]}.values()
    )
    assert sorted(confirmations) == accepted and set(confirmations.values()) == {1}
    assert (dovecot.count("Processed"), dovecot.count("Failed")) == (BATCH, 0)


# The builders, read by the worker's classifier as the poll reads them (no worker needed):
# what the tests above deliver is what they mean to deliver.


def _invitation_as_received(settings) -> SentInvitation:
    from invitations import emails
    from worker.composers import envelope_sender_for
    from worker.mime import envelope_sender, render_message
    from worker.models import new_message_id
    from worker.services import row_content

    settings.INBOUND_MAIL_URL = "imap://inbox:pw@127.0.0.1:9/INBOX"  # read, so tokens are given
    settings.ORGANISER_MAILBOX = MAILBOX
    event = EventFactory(title="Klimaforum i Tønsberg")
    invitation = Invitation(event=event, email="kari@telemark.example", name="Kari Nordmann")
    message = emails.invitation_message(invitation=invitation, event=event, message="")
    row = OutgoingMessage(
        message_id=new_message_id("vtfk.example"),
        from_email=settings.DEFAULT_FROM_EMAIL,
        event_ref=event.pk,
        **row_content(message),
    )
    raw = render_message(row)
    mail = ReceivedMail(
        raw=raw,
        mail_from=envelope_sender_for(row) or envelope_sender(row),
        rcpt_tos=[row.to_email],
        received_at=0.0,
    )
    return SentInvitation.from_mail(mail)


def test_the_built_answers_read_as_what_they_are(settings):
    from worker.inbound import Kind, classify
    from worker.mailbox import parse

    sent = _invitation_as_received(settings)
    assert sent.organizer == sent.envelope_sender == f"partnerskap+{sent.token}@vtfk.example"

    def read(raw: bytes):
        return classify(parse(raw), MAILBOX)

    for client_name in mail_answers.CLIENTS:
        for partstat in ("ACCEPTED", "DECLINED", "TENTATIVE"):
            found = read(mail_answers.reply(client_name, sent, partstat))
            assert found.kind == Kind.CALENDAR_REPLY, (client_name, found.reason)
            assert found.token == sent.token and found.sender == sent.attendee
            answer = found.calendar
            assert answer is not None
            assert (answer.uid, answer.sequence, answer.attendee, answer.partstat) == (
                sent.uid,
                sent.sequence,
                sent.attendee,
                partstat,
            ), client_name
            assert answer.dtstamp and abs(answer.dtstamp - timezone.now()) < dt.timedelta(minutes=1)
            assert (answer.organizer is None) == (client_name == "outlook"), client_name
        forged = read(
            mail_answers.reply(client_name, sent, to=mail_answers.other_token_address(sent))
        )
        assert forged.kind == Kind.CALENDAR_REPLY and forged.token not in (None, sent.token)
        other = read(mail_answers.reply(client_name, sent, attendee="per@annen.example"))
        assert other.token == sent.token and other.calendar.attendee == "per@annen.example"
        assert other.sender == "per@annen.example"

    for raw, status in (
        (mail_answers.dsn(sent), "5.1.1"),
        (mail_answers.exchange_ndr(sent), "5.1.10"),
    ):
        bounce = read(raw)
        assert bounce.kind == Kind.BOUNCE and bounce.token == sent.token, bounce.reason
        assert bounce.bounce.recipient == sent.attendee and bounce.bounce.status == status
        assert bounce.bounce.original_message_id == sent.message_id
    away = read(mail_answers.out_of_office(sent))
    assert away.kind == Kind.AUTO_REPLY and away.token == sent.token, away
