"""One message of every kind the system sends, built by the real builders, for the layout tests
(tests/events/test_email_layout.py) and the browser check (tests/e2e/test_emails.py)."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from events import emails
from events.models import Event, Registration, Session
from invitations import emails as invitation_emails
from invitations.models import Invitation
from partners.models import Network
from tests.factories import EventFactory, HostFactory, RegistrationFactory
from worker.models import OutgoingMessage

HOST_NAME = "Vestfold fylkeskommune"
ORGANISER_EMAIL = "per.olsen@vestfold.example.org"
# Kinds whose recipient may stop invitations from the event's network (the footer's opt-out).
OPT_OUT_KINDS = {
    "invitation",
    "invitation_reminder",
    "finish_registration",
    "organiser_message_to_invitee",
}


@dataclass
class Built:
    kind: str
    language: str
    subject: str
    text_body: str
    html_body: str
    personal_url: str  # the link the one button must point at
    opt_out_url: str = ""


def _event(**fields) -> Event:
    network = Network.objects.create(
        name="Klima og miljø", slug="klima-og-miljo-e", kind="thematic"
    )
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=20)
    event = EventFactory(
        title="Partnerskapskonferansen <2027> & mer",
        host=HostFactory(name=HOST_NAME),
        network=network,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=6),
        meeting_url="https://meet.example.org/konf",
        registration_closes_at=start - dt.timedelta(days=3),
        **fields,
    )
    Session.objects.create(
        event=event, title="Åpning", starts_at=start, ends_at=start + dt.timedelta(hours=1)
    )
    return event


def _registration(event: Event, language: str, email: str, status: str, **fields) -> Registration:
    return RegistrationFactory(
        event=event, email=email, name="Åse Ødegård", language=language, status=status, **fields
    )


def _from_message(kind: str, message, personal_url: str, opt_out_url: str = "") -> Built:
    return Built(
        kind=kind,
        language=message.language,
        subject=message.subject,
        text_body=message.text_body,
        html_body=message.html_body,
        personal_url=personal_url,
        opt_out_url=opt_out_url,
    )


def every_kind(language: str = "nb") -> list[Built]:
    """Every kind of message, for one recipient language. Needs the database."""
    from django.conf import settings

    event = _event()
    Status = Registration.Status
    built: list[Built] = []

    def url(registration: Registration) -> str:
        return settings.SITE_URL + registration.get_absolute_url()

    confirmed = _registration(event, language, "c@example.org", Status.CONFIRMED)
    waitlisted = _registration(event, language, "w@example.org", Status.WAITLISTED)
    offered = _registration(
        event,
        language,
        "o@example.org",
        Status.OFFERED,
        offer_expires_at=timezone.now() + dt.timedelta(hours=48),
    )
    cancelled = _registration(event, language, "x@example.org", Status.CANCELLED)
    for kind, message, registration in (
        ("events.confirmation", emails.confirmation(registration=confirmed), confirmed),
        (
            "events.waiting_list",
            emails.waiting_list_receipt(registration=waitlisted, position=3),
            waitlisted,
        ),
        ("events.seat_offered", emails.seat_offered(registration=offered), offered),
        ("events.offer_expired", emails.offer_expired(registration=cancelled), cancelled),
        (
            "events.cancellation",
            emails.cancellation_receipt(registration=cancelled, with_calendar=True),
            cancelled,
        ),
        ("events.personal_link", emails.personal_link(registration=confirmed), confirmed),
        (
            "participant_reminder",
            invitation_emails.participant_reminder_message(registration=confirmed, event=event),
            confirmed,
        ),
        (
            "organiser_message",
            invitation_emails.group_message(
                event=event,
                subject="Praktisk informasjon",
                body="Husk matpakke.\nVi starter presis.",
                to_email=confirmed.email,
                to_name=confirmed.name,
                language=language,
                link=url(confirmed),
            ),
            confirmed,
        ),
    ):
        built.append(_from_message(kind, message, url(registration)))

    invitation = Invitation.objects.create(
        event=event, email="i@example.org", name="Åse Ødegård", language=language
    )
    links = invitation_emails.invitation_links(token=invitation.token)
    for kind, message in (
        (
            "invitation",
            invitation_emails.invitation_message(
                invitation=invitation, event=event, message="Vi håper du kan komme.\nHilsen Per"
            ),
        ),
        (
            "invitation_reminder",
            invitation_emails.invitee_reminder_message(invitation=invitation, event=event),
        ),
        (
            "finish_registration",
            invitation_emails.finish_registration_message(invitation=invitation, event=event),
        ),
        (
            "organiser_message_to_invitee",
            invitation_emails.group_message(
                event=event,
                subject="Siste sjanse",
                body="Påmeldingen stenger snart.",
                to_email=invitation.email,
                to_name=invitation.name,
                language=language,
                link=settings.SITE_URL + invitation.get_absolute_url(),
                opt_out_url=links["opt_out_url"],
            ),
        ),
    ):
        answer = links["answer_url"] if kind != "organiser_message_to_invitee" else None
        built.append(
            _from_message(
                kind,
                message,
                answer or settings.SITE_URL + invitation.get_absolute_url(),
                links["opt_out_url"],
            )
        )

    # The organiser's change and cancellation go to every participant through the outbox.
    emails.notify_event_changed(event=event, changes=["time", "place"])
    emails.notify_event_cancelled(event=event, message="Vi må dessverre avlyse.")
    for kind in ("event_changed", "event_cancelled"):
        row = OutgoingMessage.objects.filter(kind=kind, to_email=confirmed.email).get()
        built.append(_from_message(kind, row, url(confirmed)))
    return built
