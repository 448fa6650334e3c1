"""Plain builders for the organiser-side tests (no factory magic: every field is visible here)."""

from datetime import datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

from django.utils import timezone

from events.models import Event, Registration
from partners.models import Host, Network

OSLO = ZoneInfo("Europe/Oslo")
_numbers = count(1)


def oslo(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=OSLO)


def make_event(network: Network | None = None, host: Host | None = None, **fields) -> Event:
    if host is None:
        host = network.hosts.order_by("pk").first() if network else Host.objects.first()
    starts = timezone.now() + timedelta(days=30)
    values = {
        "title": "Nettverksmøte %s" % next(_numbers),
        "kind": Event.Kind.NETWORK_MEETING,
        "host": host,
        "network": network,
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=3),
        "status": Event.Status.PUBLISHED,
        "venue_name": "Quality Hotel Tønsberg",
        "capacity": 100,
    }
    values.update(fields)
    return Event.objects.create(**values)


def make_registration(event: Event, **fields) -> Registration:
    n = next(_numbers)
    values = {
        "event": event,
        "name": "Deltaker %s" % n,
        "email": "deltaker%s@example.org" % n,
        "status": Registration.Status.CONFIRMED,
    }
    values.update(fields)
    registration = Registration.objects.create(**values)
    if registration.status in (Registration.Status.CONFIRMED, Registration.Status.OFFERED):
        Event.objects.filter(pk=event.pk).update(seats_taken=event.seats_taken + 1)
        event.seats_taken += 1
    return registration


def bulk_registrations(event: Event, n: int, **fields) -> list[Registration]:
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
    Event.objects.filter(pk=event.pk).update(seats_taken=n)
    event.seats_taken = n
    return created
