"""The one way to build test data: factory_boy factories for partners, events and registrations,
and the finished messages an app hands to worker.services.queue_messages.

Every factory saves through the model's manager. A registration that holds a seat (confirmed, or
an open offer) sets its event's seat counter from the rows afterwards, so counters never drift
from what the database holds, however the test got its event object.
"""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import factory
from django.utils import timezone

from calls.models import Answer, AnswerText, Call, CallInvitation, CallQuestion
from events.models import Event, Question, Registration, Session
from feedback.models import Survey, SurveyQuestion
from invitations.models import InboundReply, Invitation
from partners.models import (
    Host,
    Network,
    Organisation,
    OrganisationMembership,
    Person,
    PersonMembership,
)
from worker.services import Attachment, Message, References

OSLO = ZoneInfo("Europe/Oslo")
HOLDING_A_SEAT = (Registration.Status.CONFIRMED, Registration.Status.OFFERED)


def oslo(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """A wall-clock time in Oslo."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=OSLO)


class HostFactory(factory.django.DjangoModelFactory):
    """Vestfold (the demo data's host of that slug, where the demo is loaded)."""

    class Meta:
        model = Host
        django_get_or_create = ("slug",)

    name = "Vestfold fylkeskommune"
    slug = "vestfold"
    email = "partnerskap@vestfold.example.org"


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Network
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: "Nettverk %03d" % n)
    slug = factory.Sequence(lambda n: "nettverk-%03d" % n)
    kind = Network.Kind.THEMATIC
    sdgs = factory.LazyFunction(lambda: [3, 13])


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: "Organisasjon %03d" % n)
    sector = Organisation.Sector.PUBLIC


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: "Person %03d" % n)
    email = factory.Sequence(lambda n: "person%03d@example.org" % n)
    organisation = factory.SubFactory(OrganisationFactory)
    title = "Rådgiver"


class PersonMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PersonMembership

    network = factory.SubFactory(NetworkFactory)
    person = factory.SubFactory(PersonFactory)
    role = PersonMembership.Role.MEMBER


class OrganisationMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationMembership

    network = factory.SubFactory(NetworkFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = OrganisationMembership.Role.MEMBER


def _host_of(network: Network | None) -> Host:
    """A network's event is hosted by the network's first host; otherwise by Vestfold."""
    host = network.hosts.order_by("pk").first() if network is not None else None
    return host or HostFactory()


class EventFactory(factory.django.DjangoModelFactory):
    """A published meeting a fortnight ahead, registration open now, 50 seats.

    `minimal=True`: only what an organiser must fill in instead: Quality Hotel Tønsberg with no
    address, no organiser contact, 100 seats, a month ahead, three hours long.

    `in_tonsberg=True`: the calendar tests' fixed meeting instead, Monday 10 May 2027,
    09:00-15:30 in Oslo at Quality Hotel Tønsberg, organised by Kari Nordmann, hosted by
    Vestfold og Telemark, no seat limit.
    """

    class Meta:
        model = Event

    class Params:
        minimal = factory.Trait(
            starts_at=factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30)),
            ends_at=factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=3)),
            venue_name="Quality Hotel Tønsberg",
            venue_address="",
            organiser_name="",
            organiser_email="",
            capacity=100,
        )
        in_tonsberg = factory.Trait(
            title="Nettverkssamling",
            host=factory.LazyFunction(
                lambda: HostFactory(
                    slug="vestfold-og-telemark", name="Vestfold og Telemark fylkeskommune"
                )
            ),
            starts_at=oslo(2027, 5, 10, 9, 0),
            ends_at=oslo(2027, 5, 10, 15, 30),
            venue_name="Quality Hotel Tønsberg",
            venue_address="Ollebukta 3, 3126 Tønsberg",
            organiser_name="Kari Nordmann",
            organiser_email="kari.nordmann@vtfk.example",
            capacity=None,
        )

    title = factory.Sequence(lambda n: "Nettverksmøte %d" % n)
    network = None
    host = factory.LazyAttribute(lambda o: _host_of(o.network))
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=14))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=4))
    status = Event.Status.PUBLISHED
    venue_name = "Bølgen kulturhus"
    venue_address = "Larvik"
    organiser_name = "Per Olsen"
    organiser_email = "per.olsen@vestfold.example.org"
    capacity = 50


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    event = factory.SubFactory(EventFactory)
    title = factory.Sequence(lambda n: "Verksted %d" % n)
    starts_at = factory.LazyAttribute(lambda o: o.event.starts_at + dt.timedelta(hours=1))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=1))
    requires_signup = True
    capacity = 10


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    event = factory.SubFactory(EventFactory)
    label = factory.Sequence(lambda n: "Spørsmål %d" % n)
    kind = Question.Kind.SHORT_TEXT
    position = factory.Sequence(lambda n: n)


def set_seats_from_rows(event: Event) -> None:
    """Set the event's seat counter (row and object) to the registrations holding a seat."""
    taken = Registration.objects.filter(event=event, status__in=HOLDING_A_SEAT).count()
    Event.objects.filter(pk=event.pk).update(seats_taken=taken)
    event.seats_taken = taken


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A confirmed registration, written as a row (no emails); the seat counter follows."""

    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: "Deltaker %d" % n)
    email = factory.Sequence(lambda n: "deltaker%d@example.org" % n)
    status = Registration.Status.CONFIRMED

    @classmethod
    def _create(cls, model_class: type[Registration], *args: Any, **kwargs: Any) -> Registration:
        registration = super()._create(model_class, *args, **kwargs)
        if registration.status in HOLDING_A_SEAT:
            set_seats_from_rows(registration.event)
        return registration


class InvitationFactory(factory.django.DjangoModelFactory):
    """An invitation without an answer, written as a row (no send-out, no email)."""

    class Meta:
        model = Invitation

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: "Invitert %d" % n)
    email = factory.Sequence(lambda n: "invitert%d@example.org" % n)


class InboundReplyFactory(factory.django.DjangoModelFactory):
    """A reply from the mailbox as the inbound handlers record it: a person writing back about
    `event` (pass `invitation` to tie it to one), needing an organiser's attention."""

    class Meta:
        model = InboundReply

    kind = InboundReply.Kind.HUMAN
    event = factory.SubFactory(EventFactory)
    sender = factory.Sequence(lambda n: "svar%d@example.org" % n)
    subject = "Sv: Invitasjon"
    excerpt = "Hei, jeg kommer gjerne, men kan vi flytte starten en time?"
    needs_attention = True


def bulk_registrations(event: Event, n: int, **fields: Any) -> list[Registration]:
    """n confirmed registrations in one INSERT (Bulk Deltaker 0000.., seven organisations)."""
    rows = [
        Registration(
            event=event,
            name="Bulk Deltaker %04d" % i,
            email="bulk%04d@example.org" % i,
            status=Registration.Status.CONFIRMED,
            organisation_name="Organisasjon %d" % (i % 7),
            **fields,
        )
        for i in range(n)
    ]
    created = Registration.objects.bulk_create(rows)
    set_seats_from_rows(event)
    return created


def winter_event(**kwargs: Any) -> Event:
    """Thursday 14 January 2027, 09:00–15:00 in Oslo (08:00–14:00 UTC)."""
    starts = dt.datetime(2027, 1, 14, 8, 0, tzinfo=dt.UTC)
    return EventFactory(starts_at=starts, ends_at=starts + dt.timedelta(hours=6), **kwargs)


# Finished messages, as an app hands them to worker.services.queue_messages ---------------------

CALENDAR = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Partnerskap//NO\r\nMETHOD:{method}\r\n"
    "BEGIN:VEVENT\r\nUID:event-42@partnerskap.test\r\nSEQUENCE:0\r\n"
    "DTSTART;TZID=Europe/Oslo:20270115T090000\r\nDTEND;TZID=Europe/Oslo:20270115T150000\r\n"
    "SUMMARY:Partnerskapskonferansen 2027 – Skien\r\n"
    "ORGANIZER:mailto:partnerskap@localhost\r\n"
    "ATTENDEE;RSVP=TRUE:mailto:{email}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 20


def confirmation(
    i: int = 0,
    *,
    email: str | None = None,
    calendar: bool = True,
    method: str = "REQUEST",
    qr: bool = False,
    **overrides,
) -> Message:
    email = email or f"deltaker{i}@example.org"
    fields: dict = {
        "to_email": email,
        "to_name": f"Åse Ødegård {i}",
        "subject": f"Påmelding bekreftet: Partnerskapskonferansen ({i})",
        "text_body": f"Hei Åse,\n\ndu er påmeldt. Nummer {i}.\n\nHilsen arrangøren\n",
        "html_body": f"<p>Hei Åse,</p><p>du er <strong>påmeldt</strong>. Nummer {i}.</p>",
        "reply_to": "Arrangør <arrangor@vtfk.example>",
        "calendar": CALENDAR.format(method=method, email=email) if calendar else "",
        "calendar_method": method if calendar else "",
        "attachments": [Attachment("qr.png", "image/png", PNG)] if qr else [],
        "language": "nb",
        "kind": "registration_confirmed",
        "refs": References(event=42, registration=1000 + i, person=2000 + i),
    }
    fields.update(overrides)
    return Message(**fields)


class CallFactory(factory.django.DjangoModelFactory):
    """A published call for input, open now, for anyone, closing in two weeks."""

    class Meta:
        model = Call

    host = factory.SubFactory(HostFactory)
    slug = factory.Sequence(lambda n: "innspill-%03d" % n)
    title = factory.Sequence(lambda n: "Innspill %03d" % n)
    introduction = "Vi ønsker innspill.\n\nLes mer på https://example.org/innspill."
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=7))
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=14))
    status = Call.Status.PUBLISHED
    contact_name = "Tom Omnes Lia"
    contact_title = "Rådgiver"
    contact_email = "tom.omnes.lia@telemark.example.org"


class CallQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallQuestion

    call = factory.SubFactory(CallFactory)
    order = factory.Sequence(lambda n: n)
    text = factory.Sequence(lambda n: "Spørsmål %03d?" % n)


class CallInvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallInvitation

    call = factory.SubFactory(CallFactory)
    email = factory.Sequence(lambda n: "invitert%03d@example.org" % n)
    name = factory.Sequence(lambda n: "Invitert %03d" % n)
    state = CallInvitation.State.SENT


class AnswerFactory(factory.django.DjangoModelFactory):
    """An answer with one text per question of its call (`text`)."""

    class Meta:
        model = Answer
        skip_postgeneration_save = True

    call = factory.SubFactory(CallFactory)
    name = factory.Sequence(lambda n: "Svarer %03d" % n)
    email = factory.Sequence(lambda n: "svarer%03d@example.org" % n)

    @factory.post_generation
    def text(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create:
            return
        for question in self.call.questions.all():
            AnswerText.objects.create(
                answer=self, question=question, text=extracted or "Et innspill."
            )


class SurveyFactory(factory.django.DjangoModelFactory):
    """A feedback survey (anonymous, to those who checked in, 2 hours after the event, a
    reminder after 72 hours, open 14 days), not sent, without questions."""

    class Meta:
        model = Survey

    event = factory.SubFactory(EventFactory)


class SurveyQuestionFactory(factory.django.DjangoModelFactory):
    """A rating 1-5; pass kind and choices for the others."""

    class Meta:
        model = SurveyQuestion

    survey = factory.SubFactory(SurveyFactory)
    text = factory.Sequence(lambda n: "Hvordan var del %d?" % n)
    kind = SurveyQuestion.Kind.RATING
    position = factory.Sequence(lambda n: n)
