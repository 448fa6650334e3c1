"""Calendars never go back in time: every calendar message one address receives for one event
carries a SEQUENCE above every earlier one (RFC 5546 2.1.5; Outlook, Apple Calendar and
Thunderbird ignore a REQUEST that does not go higher, so a re-registration after a cancellation
would leave the event cancelled in the participant's calendar).

Each step goes through the public API, the personal link or the organiser's API, as a person
would; the real worker sends over Redis and the SMTP server's mail is parsed back. Each step
waits for its mail before the next, so the order received is the order caused.
"""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from icalendar import Calendar

from events.models import Event, Registration
from events.services.waiting_list import expire_offers
from invitations.models import SendOut
from invitations.services.reminders import send_participant_reminders
from partners.api_tokens import create_api_token
from partners.demo import seed_partners
from partners.models import Network, OrganiserRole
from tests.api.conftest import Api
from tests.factories import EventFactory
from tests.integration.harness import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


class Mailbox:
    """What the SMTP server received, per recipient, as (METHOD, UID, SEQUENCE) or None."""

    def __init__(self, smtp_server) -> None:
        self.smtp = smtp_server

    def mails_to(self, address: str) -> list:
        return [m for m in self.smtp.messages if address.lower() in map(str.lower, m.rcpt_tos)]

    def wait(self, address: str, count: int) -> list:
        """Wait until `address` has received `count` messages; return them in order."""
        wait_for(
            lambda: len(self.mails_to(address)) >= count,
            timeout=60,
            message=lambda: (
                "%d of %d messages for %s: %s"
                % (
                    len(self.mails_to(address)),
                    count,
                    address,
                    [str(m.message["Subject"]) for m in self.mails_to(address)],
                )
            ),
        )
        mails = self.mails_to(address)
        assert len(mails) == count, [str(m.message["Subject"]) for m in mails]
        return mails

    @staticmethod
    def calendar(mail) -> tuple[str, str, int] | None:
        parts = [p for p in mail.message.walk() if p.get_content_type() == "text/calendar"]
        if not parts:
            return None
        # The inline part and the .ics attachment are the same calendar.
        assert len({p.get_content() for p in parts}) == 1
        calendar = Calendar.from_ical(parts[0].get_content())
        [vevent] = calendar.walk("VEVENT")
        return str(calendar["METHOD"]), str(vevent["UID"]), int(str(vevent["SEQUENCE"]))

    def calendars(self, address: str) -> list[tuple[str, str, int]]:
        return [c for c in map(self.calendar, self.mails_to(address)) if c is not None]


def assert_never_back_in_time(calendars: list[tuple[str, str, int]], methods: list[str]) -> None:
    assert [method for method, _uid, _seq in calendars] == methods
    assert len({uid for _method, uid, _seq in calendars}) == 1, "one UID for the event"
    sequences = [seq for _method, _uid, seq in calendars]
    assert all(a < b for a, b in zip(sequences, sequences[1:], strict=False)), sequences


def _organiser_api(event: Event) -> Api:
    user = get_user_model().objects.create_user("arrangor-%d" % event.pk)
    OrganiserRole.objects.create(user=user, host=event.host)
    return Api(create_api_token(user=user, name="test").raw)


def _register(email: str, event: Event, name: str = "Kari Nordmann") -> dict:
    response = Api().post(
        "/events/%d/registrations" % event.pk, {"name": name, "email": email, "language": "nb"}
    )
    assert response.status_code == 201, response.content
    return response.json()


def _path(url: str) -> str:
    return urlsplit(url).path


def _move(organiser: Api, event: Event, hours: int) -> None:
    event.refresh_from_db()
    response = organiser.patch(
        "/events/%d" % event.pk,
        {
            "starts_at": (event.starts_at + dt.timedelta(hours=hours)).isoformat(),
            "ends_at": (event.ends_at + dt.timedelta(hours=hours)).isoformat(),
        },
    )
    assert response.status_code == 200, response.content


def test_register_cancel_register_again_then_the_event_moves_and_is_cancelled(
    client, smtp_server, celery_worker
):
    event = EventFactory(capacity=10)
    organiser = _organiser_api(event)
    mailbox = Mailbox(smtp_server)
    kari = "Kari.Nordmann@example.org"

    first = _register(kari, event)
    mailbox.wait(kari, 1)
    assert client.post(_path(first["manage_url"]) + "avmeld/").status_code == 302
    mailbox.wait(kari, 2)
    # Again, with the address typed in lower case this time: the same mailbox.
    second = _register(kari.lower(), event)
    assert second["manage_url"] != first["manage_url"]
    mailbox.wait(kari, 3)
    _move(organiser, event, hours=2)
    mailbox.wait(kari, 4)
    # A new personal link carries no calendar (nothing to go back in time).
    response = Api().post(
        "/events/%d/registrations/resend-link" % event.pk, {"email": kari.lower()}
    )
    assert response.status_code == 202
    [*_, link_mail] = mailbox.wait(kari, 5)
    assert Mailbox.calendar(link_mail) is None
    response = organiser.post("/events/%d/cancel" % event.pk, {"message": "Avlyst."})
    assert response.status_code == 200, response.content
    mailbox.wait(kari, 6)

    assert_never_back_in_time(
        mailbox.calendars(kari), ["REQUEST", "CANCEL", "REQUEST", "REQUEST", "CANCEL"]
    )


def test_waiting_list_offer_accept_promotion_and_expiry(client, smtp_server, celery_worker):
    event = EventFactory(capacity=1, waiting_list_mode=Event.WaitingListMode.OFFER)
    organiser = _organiser_api(event)
    mailbox = Mailbox(smtp_server)
    anne, bjorn, cecilie = "anne@example.org", "bjorn@example.org", "cecilie@example.org"

    anne_link = _register(anne, event, "Anne")["manage_url"]
    mailbox.wait(anne, 1)  # confirmed: REQUEST
    bjorn_link = _register(bjorn, event, "Bjørn")["manage_url"]
    mailbox.wait(bjorn, 1)  # waiting list: no calendar
    assert client.post(_path(anne_link) + "avmeld/").status_code == 302
    mailbox.wait(anne, 2)  # CANCEL
    mailbox.wait(bjorn, 2)  # the seat is offered: no calendar
    _move(organiser, event, hours=1)
    mailbox.wait(bjorn, 3)  # holding an offer: the moved event, REQUEST
    assert client.post(_path(bjorn_link) + "takk-ja/").status_code == 302
    mailbox.wait(bjorn, 4)  # accepted: REQUEST

    # Anne again, onto the waiting list; Cecilie behind her.
    anne_again = _register(anne, event, "Anne")
    assert anne_again["status"] == "waitlisted"
    mailbox.wait(anne, 3)
    cecilie_link = _register(cecilie, event, "Cecilie")["manage_url"]
    mailbox.wait(cecilie, 1)
    # A second seat: offered to Anne, whom the organiser then confirms by hand.
    response = organiser.patch("/events/%d" % event.pk, {"capacity": 2})
    assert response.status_code == 200, response.content
    mailbox.wait(anne, 4)  # the offer
    response = organiser.post("/registrations/%d/promote" % anne_again["id"])
    assert response.status_code == 200, response.content
    mailbox.wait(anne, 5)  # confirmed by hand: REQUEST

    # Bjørn cancels; Cecilie is offered his seat, the event moves, and her offer runs out.
    assert client.post(_path(bjorn_link) + "avmeld/").status_code == 302
    mailbox.wait(bjorn, 5)
    mailbox.wait(cecilie, 2)  # the offer
    _move(organiser, event, hours=1)
    mailbox.wait(anne, 6)
    mailbox.wait(cecilie, 3)  # holding an offer: REQUEST
    Registration.objects.filter(email=cecilie).update(
        offer_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert expire_offers() == 1
    mailbox.wait(cecilie, 4)  # expired: CANCEL (the change had put the event in her calendar)
    assert client.get(_path(cecilie_link)).status_code == 200
    assert _register(cecilie, event, "Cecilie")["status"] == "confirmed"
    mailbox.wait(cecilie, 5)  # confirmed: REQUEST

    assert_never_back_in_time(mailbox.calendars(anne), ["REQUEST", "CANCEL", "REQUEST", "REQUEST"])
    assert_never_back_in_time(mailbox.calendars(bjorn), ["REQUEST", "REQUEST", "CANCEL"])
    assert_never_back_in_time(mailbox.calendars(cecilie), ["REQUEST", "CANCEL", "REQUEST"])


LINK = re.compile(r"https?://[^\s<>\"]*(/invitasjon/[A-Za-z0-9_-]+/)")


def test_invitation_then_registration_then_the_reminder(client, smtp_server, celery_worker):
    seed_partners()
    network = Network.objects.get(slug="klima-og-miljo")
    invitee = sorted(network.people.values_list("email", flat=True))[0]
    now = timezone.now()
    event = EventFactory(
        title="Klimaforum",
        host=network.hosts.first(),
        network=network,
        status=Event.Status.PUBLISHED,
        starts_at=now + dt.timedelta(days=2),
        ends_at=now + dt.timedelta(days=2, hours=4),
        registration_closes_at=now + dt.timedelta(days=1),
        capacity=40,
        venue_name="",
        venue_address="",
        organiser_name="",
        organiser_email="",
    )
    organiser = get_user_model().objects.create_user("arrangor", password="x")
    OrganiserRole.objects.create(user=organiser, network=network)
    client.force_login(organiser)
    response = client.post(
        "/arrangor/invitasjoner/arrangement/%d/utsending/ny/" % event.pk,
        {"networks": [network.pk], "message": "Velkommen."},
    )
    assert response.status_code == 302
    sendout = SendOut.objects.get(event=event)
    response = client.post("/arrangor/invitasjoner/utsending/%d/send/" % sendout.pk, {"now": "1"})
    assert response.status_code == 302
    mailbox = Mailbox(smtp_server)
    [invitation] = mailbox.wait(invitee, 1)  # REQUEST, NEEDS-ACTION
    text = invitation.message.get_body(preferencelist=("plain",)).get_content()
    answer_path = LINK.search(text).group(1)

    client.logout()
    response = client.post(
        answer_path,
        {
            "name": "Invitert Person",
            "title": "Rådgiver",
            "organisation_name": "Org",
            "language": "nb",
        },
    )
    assert response.status_code == 302
    mailbox.wait(invitee, 2)  # confirmed: REQUEST

    assert send_participant_reminders(now=timezone.now()) >= 1
    mailbox.wait(invitee, 3)  # the reminder carries the calendar again

    assert_never_back_in_time(mailbox.calendars(invitee), ["REQUEST", "REQUEST", "REQUEST"])
