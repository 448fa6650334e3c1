"""Factories and helpers for the registration tests (kept out of conftest.py, which the organiser
tests share)."""

import datetime as dt
from zoneinfo import ZoneInfo

import factory
from django.utils import timezone

from events.models import Event, Question, Registration, Session
from partners.models import Host, Network, Organisation

OSLO = ZoneInfo("Europe/Oslo")


class HostFactory(factory.django.DjangoModelFactory):
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

    name = factory.Sequence(lambda n: "Nettverk %d" % n)
    slug = factory.Sequence(lambda n: "nettverk-%d" % n)
    kind = Network.Kind.THEMATIC


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: "Organisasjon %d" % n)
    sector = Organisation.Sector.PUBLIC


class EventFactory(factory.django.DjangoModelFactory):
    """A published meeting a fortnight ahead, registration open now."""

    class Meta:
        model = Event

    title = factory.Sequence(lambda n: "Nettverksmøte %d" % n)
    host = factory.SubFactory(HostFactory)
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


def winter_event(**kwargs) -> Event:
    """Thursday 14 January 2027, 09:00–15:00 in Oslo (08:00–14:00 UTC)."""
    starts = dt.datetime(2027, 1, 14, 8, 0, tzinfo=dt.UTC)
    return EventFactory(starts_at=starts, ends_at=starts + dt.timedelta(hours=6), **kwargs)


def form_data(email: str = "kari.nordmann@example.org", **overrides) -> dict:
    data = {
        "name": "Kari Nordmann",
        "email": email,
        "organisation_name": "Tønsberg kommune",
        "title": "Rådgiver",
        "phone": "",
        "language": "nb",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def register(event: Event, email: str = "kari.nordmann@example.org", **kwargs) -> Registration:
    from events.participants import ParticipantDetails
    from events.services.registering import register_participant

    own = {k: kwargs.pop(k) for k in ("person", "invitation_allowed") if k in kwargs}
    params = {
        "name": "Kari Nordmann",
        "organisation_name": "Tønsberg kommune",
        "title": "Rådgiver",
        "language": "nb",
    }
    params.update(kwargs)
    return register_participant(
        event=event, details=ParticipantDetails(email=email, **params), **own
    )


def compose_pending() -> None:
    """Compose the rows the worker composes when it sends them, as it would."""
    from worker.composers import ComposeSkipped, compose, fill
    from worker.models import OutgoingMessage

    for row in OutgoingMessage.objects.filter(composed=False, state="queued"):
        try:
            row.save(update_fields=fill(row, compose(row)))
        except ComposeSkipped as skipped:
            row.state = OutgoingMessage.State.SKIPPED
            row.last_response = "not sent: %s" % skipped
            row.save(update_fields=["state", "last_response"])


def outbox(kind: str | None = None, to: str | None = None):
    """The outbox rows, with the messages the worker would compose written in."""
    from worker.models import OutgoingMessage

    compose_pending()
    rows = OutgoingMessage.objects.order_by("id")
    if kind:
        rows = rows.filter(kind=kind)
    if to:
        rows = rows.filter(to_email=to)
    return list(rows)
