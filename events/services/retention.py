"""Personal data retention (DESIGN rule 8).

Dietary and assistance needs are deleted a set time after the event
(SPECIAL_NEEDS_RETENTION_DAYS); all other personal data of participants is anonymised once the
host's retention period has passed. The rows stay, so counts per status and organisation survive.
The audit log of who saw or exported that data is kept DATA_ACCESS_LOG_RETENTION_DAYS.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from api.idempotency import purge_expired_records
from partners.models import Host
from worker.erasure import FORGOTTEN_ADDRESS
from worker.models import OutgoingMessage

from ..models import Answer, CalendarSequence, Event, Registration, new_token
from .access_log import delete_old_access_records

BATCH = 500


@dataclass(frozen=True)
class RetentionResult:
    special_needs_deleted: int
    anonymised: int
    idempotency_records_deleted: int = 0
    access_records_deleted: int = 0


def _special_needs_cutoff(now: datetime) -> datetime:
    return now - timedelta(days=getattr(settings, "SPECIAL_NEEDS_RETENTION_DAYS", 30))


@transaction.atomic(durable=True)
def delete_special_needs(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return Registration.objects.filter(
        event__ends_at__lt=_special_needs_cutoff(now), special_needs_deleted_at__isnull=True
    ).update(
        dietary_needs="",
        assistance_needs="",
        dietary_consent=False,
        assistance_consent=False,
        special_needs_deleted_at=now,
    )


@transaction.atomic(durable=True)
def anonymise_registrations(*, now: datetime | None = None) -> int:
    """Replace name, email, phone, title and free-text answers; a new token kills the old link."""
    now = now or timezone.now()
    total = 0
    for host in Host.objects.all():
        cutoff = now - timedelta(days=host.retention_days)
        due = Registration.objects.filter(
            event__host=host, event__ends_at__lt=cutoff, anonymised_at__isnull=True
        )
        ids = list(due.values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            chunk = Registration.objects.filter(pk__in=ids[start : start + BATCH])
            rows = list(chunk.only("pk"))
            anonymise_rows(rows, now=now)
            total += len(rows)
        # The emails sent about those events carry the same personal data (and the links).
        OutgoingMessage.objects.filter(
            event_ref__in=Event.objects.filter(host=host, ends_at__lt=cutoff).values("pk"),
            sent_at__isnull=False,
        ).exclude(to_email=FORGOTTEN_ADDRESS).update(
            to_email=FORGOTTEN_ADDRESS,
            to_name="",
            text_body="",
            html_body="",
            calendar="",
            attachments=[],
        )
        # Which addresses were sent calendars, too; nothing is sent about a past event.
        CalendarSequence.objects.filter(event__host=host, event__ends_at__lt=cutoff).delete()
    return total


ANONYMISED_FIELDS = [
    "name",
    "email",
    "phone",
    "title",
    "person",
    "token",
    "dietary_needs",
    "assistance_needs",
    "anonymised_at",
]


def anonymise_rows(rows: list[Registration], *, now: datetime) -> None:
    """In the caller's transaction: name, email, phone, title, needs and free-text answers go;
    a new token kills the old link. Status, organisation and session choices stay (counts)."""
    for row in rows:
        row.name = "–"
        row.email = f"anonymised-{row.pk}@invalid.invalid"
        row.phone = ""
        row.title = ""
        row.person_id = None
        row.token = new_token()
        row.dietary_needs = ""
        row.assistance_needs = ""
        row.anonymised_at = now
    Registration.objects.bulk_update(rows, ANONYMISED_FIELDS)
    Answer.objects.filter(registration__in=rows).delete()


def apply_retention(*, now: datetime | None = None) -> RetentionResult:
    return RetentionResult(
        special_needs_deleted=delete_special_needs(now=now),
        anonymised=anonymise_registrations(now=now),
        idempotency_records_deleted=purge_expired_records(now=now),
        access_records_deleted=delete_old_access_records(now=now),
    )
