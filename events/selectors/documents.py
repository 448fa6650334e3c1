"""Who sees which of an event's documents, and the record of a past event.

Three audiences: the public (public documents of a public event), a participant through the
personal link of a confirmed registration (public and participants-only documents of that one
event), and the event's organisers (all). A document another audience may not see is not found.
"""

from collections.abc import Iterable

from django.db.models import Count
from django.utils.translation import gettext as _

from partners.models import Organisation

from ..models import Event, EventDocument, EventReport, Registration
from .public import TOKEN

PUBLIC = (EventDocument.Visibility.PUBLIC,)
PARTICIPANTS = (EventDocument.Visibility.PUBLIC, EventDocument.Visibility.PARTICIPANTS)
ORGANISERS = tuple(EventDocument.Visibility.values)


def registration_by_link(token: str) -> Registration | None:
    """The registration a personal link names, with its event (no more: a download needs no
    sessions or answers)."""
    if not TOKEN.fullmatch(token):
        return None
    return Registration.objects.select_related("event").filter(token=token).first()


def audience_of(registration: Registration) -> tuple[str, ...]:
    """What a personal link shows: a confirmed participant's documents, or the public's."""
    if registration.status == Registration.Status.CONFIRMED:
        return PARTICIPANTS
    return PUBLIC


def event_documents(event: Event, *, audience: Iterable[str]) -> list[EventDocument]:
    return list(event.documents.filter(visibility__in=list(audience)).order_by("created_at", "id"))


def event_document(*, event: Event, document_id: int, audience: Iterable[str]) -> EventDocument:
    """The document if this audience may see it; EventDocument.DoesNotExist otherwise."""
    return event.documents.get(pk=document_id, visibility__in=list(audience))


def event_report(event: Event) -> EventReport | None:
    return EventReport.objects.filter(event=event).first()


def event_record(event: Event, *, audience: Iterable[str]) -> dict:
    """What an event's page shows of its record: the documents this audience may see and, once
    the event is over, the report and the participants per sector."""
    past = event.is_past and event.status == Event.Status.PUBLISHED
    return {
        "documents": event_documents(event, audience=audience),
        "report": event_report(event) if past else None,
        "sectors": participants_by_sector(event) if past else [],
    }


def participants_by_sector(event: Event) -> list[tuple[str, int]]:
    """Confirmed registrations per sector of their organisation, counts only; those without a
    known organisation last. Sectors nobody came from are left out."""
    rows = dict(
        Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED)
        .order_by()
        .values("organisation__sector")
        .annotate(n=Count("pk"))
        .values_list("organisation__sector", "n")
    )
    sectors = Organisation.Sector
    counts = [(str(label), rows[value]) for value, label in sectors.choices if rows.get(value)]
    unknown = sum(n for value, n in rows.items() if value not in sectors.values)
    if unknown:
        counts.append((_("Organisation not in the registry"), unknown))
    return counts
