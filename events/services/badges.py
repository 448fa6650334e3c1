"""Printing name badges: the PDF, and the record of which participants it held, so the next
print can hold only the newcomers (events.selectors.door.badge_registrations)."""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction

from .. import door_pdfs
from ..models import BadgePrint, Event, Registration
from ..selectors.door import badge_registrations


@dataclass(frozen=True)
class Badges:
    pdf: bytes
    count: int
    filename: str


def _filename(event: Event, layout: str) -> str:
    return "badges-%d-%s.pdf" % (event.pk, layout)


def _badges(event: Event, registrations: list[Registration], layout: str) -> Badges:
    pdf = door_pdfs.badges_pdf(event=event, registrations=registrations, layout=layout)
    return Badges(pdf=pdf, count=len(registrations), filename=_filename(event, layout))


def badges(*, event: Event, layout: str, since_last_print: bool) -> Badges:
    """The badges as they would print now, recording nothing (a preview or a reprint)."""
    return _badges(event, badge_registrations(event, since_last_print=since_last_print), layout)


def print_badges(
    *, event: Event, layout: str, since_last_print: bool, by_user: User | AnonymousUser
) -> Badges:
    """The badges, recorded as printed (a BadgePrint holding these registrations). The PDF is
    laid out first, outside the transaction; a PDF that fails records nothing."""
    registrations = badge_registrations(event, since_last_print=since_last_print)
    result = _badges(event, registrations, layout)
    with transaction.atomic(durable=True):
        record = BadgePrint.objects.create(
            event=event, layout=layout, printed_by=by_user if by_user.is_authenticated else None
        )
        record.registrations.add(*registrations)
    return result
