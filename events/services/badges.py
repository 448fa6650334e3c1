"""Printing name badges: the PDF, and the record of which participants it held, so the next
print can hold only the newcomers (events.selectors.door.badge_registrations)."""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction

from .. import door_pdfs
from ..models import BadgePrint, Event
from ..selectors.door import badge_registrations


@dataclass(frozen=True)
class Badges:
    pdf: bytes
    count: int
    filename: str


def _filename(event: Event, layout: str) -> str:
    return "badges-%d-%s.pdf" % (event.pk, layout)


def badges(*, event: Event, layout: str, since_last_print: bool) -> Badges:
    """The badges as they would print now, recording nothing (a preview or a reprint)."""
    registrations = badge_registrations(event, since_last_print=since_last_print)
    pdf = door_pdfs.badges_pdf(event=event, registrations=registrations, layout=layout)
    return Badges(pdf=pdf, count=len(registrations), filename=_filename(event, layout))


@transaction.atomic(durable=True)
def print_badges(
    *, event: Event, layout: str, since_last_print: bool, by_user: User | AnonymousUser
) -> Badges:
    """The badges, recorded as printed (a BadgePrint holding these registrations)."""
    registrations = badge_registrations(event, since_last_print=since_last_print)
    record = BadgePrint.objects.create(
        event=event, layout=layout, printed_by=by_user if by_user.is_authenticated else None
    )
    record.registrations.add(*registrations)
    pdf = door_pdfs.badges_pdf(event=event, registrations=registrations, layout=layout)
    return Badges(pdf=pdf, count=len(registrations), filename=_filename(event, layout))
