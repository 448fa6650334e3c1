"""Check-in at the door: by ticket code, once; undo; what people type or scan as a code."""

import enum
import re
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.utils import timezone

from events.models import Event, Registration

# Only organisers get this far (the views and the API check), but request.user is typed as either.
Organiser = User | AnonymousUser


class CheckInOutcome(enum.StrEnum):
    CHECKED_IN = "checked_in"
    ALREADY_CHECKED_IN = "already_checked_in"
    UNDONE = "undone"
    NOT_CHECKED_IN = "not_checked_in"
    NOT_CONFIRMED = "not_confirmed"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class CheckInResult:
    outcome: CheckInOutcome
    registration: Registration | None = None


_CODE_JUNK = re.compile(r"[\s\-]+")


def normalise_ticket_code(raw: str) -> str:
    """What people type or scan: lower case, spaces and hyphens are all fine."""
    return _CODE_JUNK.sub("", raw or "").upper()[:32]


def _find(event: Event, ticket_code: str) -> Registration | None:
    code = normalise_ticket_code(ticket_code)
    if not code:
        return None
    return (
        Registration.objects.select_related("organisation")
        .filter(event=event, ticket_code=code)
        .first()
    )


@transaction.atomic(durable=True)
def check_in(*, event: Event, ticket_code: str, by_user: Organiser) -> CheckInResult:
    """Check a confirmed registration in once; a second scan reports the first time."""
    registration = _find(event, ticket_code)
    if registration is None:
        return CheckInResult(CheckInOutcome.UNKNOWN)
    if registration.status != Registration.Status.CONFIRMED:
        return CheckInResult(CheckInOutcome.NOT_CONFIRMED, registration)
    now = timezone.now()
    # Conditional update: two doors scanning the same ticket at once check it in exactly once.
    updated = Registration.objects.filter(
        pk=registration.pk, status=Registration.Status.CONFIRMED, checked_in_at__isnull=True
    ).update(checked_in_at=now, checked_in_by=by_user, updated_at=now)
    registration.refresh_from_db(fields=["status", "checked_in_at", "checked_in_by"])
    if updated:
        return CheckInResult(CheckInOutcome.CHECKED_IN, registration)
    if registration.status != Registration.Status.CONFIRMED:
        return CheckInResult(CheckInOutcome.NOT_CONFIRMED, registration)
    return CheckInResult(CheckInOutcome.ALREADY_CHECKED_IN, registration)


@transaction.atomic(durable=True)
def undo_check_in(*, event: Event, ticket_code: str, by_user: Organiser) -> CheckInResult:
    registration = _find(event, ticket_code)
    if registration is None:
        return CheckInResult(CheckInOutcome.UNKNOWN)
    updated = Registration.objects.filter(pk=registration.pk, checked_in_at__isnull=False).update(
        checked_in_at=None, checked_in_by=None, updated_at=timezone.now()
    )
    registration.refresh_from_db(fields=["status", "checked_in_at", "checked_in_by"])
    return CheckInResult(
        CheckInOutcome.UNDONE if updated else CheckInOutcome.NOT_CHECKED_IN, registration
    )
