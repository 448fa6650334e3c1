"""Check-in at the door: by ticket code, once; undo; what people type or scan as a code;
someone registered and checked in at the door (walk-ins); check-in per agenda session."""

import datetime as dt
import enum
import re
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.utils import timezone

from events.models import Event, Registration, Session, SessionCheckIn, SessionChoice

from ..participants import ParticipantDetails
from .errors import EventFull, RegistrationError
from .registering import register_participant
from .walk_ins import AtTheDoor, WhenFull

# Only organisers get this far (the views and the API check), but request.user is typed as either.
Organiser = User | AnonymousUser


class CheckInOutcome(enum.StrEnum):
    CHECKED_IN = "checked_in"
    ALREADY_CHECKED_IN = "already_checked_in"
    UNDONE = "undone"
    NOT_CHECKED_IN = "not_checked_in"
    NOT_CONFIRMED = "not_confirmed"
    UNKNOWN = "unknown"
    NOT_IN_SESSION = "not_in_session"  # confirmed, but did not choose this session


@dataclass(frozen=True)
class CheckInResult:
    outcome: CheckInOutcome
    registration: Registration | None = None
    checked_in_at: dt.datetime | None = None  # a session check-in's time (the first one)


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


# Walk-ins --------------------------------------------------------------------------------------


class WalkInOutcome(enum.StrEnum):
    CHECKED_IN = "checked_in"  # registered, confirmed and checked in
    EXTRA_SEAT = "extra_seat"  # the same, on a seat added beyond the capacity
    WAITLISTED = "waitlisted"  # on the waiting list, not checked in
    FULL = "full"  # nothing saved: the organiser chooses the waiting list or an extra seat
    REFUSED = "refused"  # nothing saved: `error` says why


@dataclass(frozen=True)
class WalkInResult:
    outcome: WalkInOutcome
    registration: Registration | None = None
    error: RegistrationError | None = None


def register_walk_in(
    *,
    event: Event,
    details: ParticipantDetails,
    by_user: Organiser,
    when_full: WhenFull = WhenFull.REFUSE,
) -> WalkInResult:
    """Register someone at the door and check them in, the way every registration is made
    (register_participant: the same checks and seat counter, the receipt through the outbox).
    A full event refuses unless the organiser chose the waiting list or an extra seat."""
    door = AtTheDoor(by_user=by_user, when_full=when_full)
    try:
        registration = register_participant(event=event, details=details, door=door)
    except EventFull as error:
        full = when_full == WhenFull.REFUSE
        return WalkInResult(WalkInOutcome.FULL if full else WalkInOutcome.REFUSED, error=error)
    except RegistrationError as error:
        return WalkInResult(WalkInOutcome.REFUSED, error=error)
    if registration.status == Registration.Status.WAITLISTED:
        return WalkInResult(WalkInOutcome.WAITLISTED, registration)
    if registration.walk_in.capacity_raised:
        return WalkInResult(WalkInOutcome.EXTRA_SEAT, registration)
    return WalkInResult(WalkInOutcome.CHECKED_IN, registration)


# Per session -----------------------------------------------------------------------------------


def _session_choice(session: Session, ticket_code: str) -> CheckInResult | SessionChoice:
    """The registration's choice of the session, locked; or the result saying why there is none."""
    registration = _find(session.event, ticket_code)
    if registration is None:
        return CheckInResult(CheckInOutcome.UNKNOWN)
    if registration.status != Registration.Status.CONFIRMED:
        return CheckInResult(CheckInOutcome.NOT_CONFIRMED, registration)
    # Locked, so two doors checking the same person in at once make one row.
    choice = (
        SessionChoice.objects.select_for_update()
        .filter(registration=registration, session=session)
        .first()
    )
    if choice is None:
        return CheckInResult(CheckInOutcome.NOT_IN_SESSION, registration)
    choice.registration = registration
    return choice


@transaction.atomic(durable=True)
def check_in_to_session(*, session: Session, ticket_code: str, by_user: Organiser) -> CheckInResult:
    """Check a confirmed participant who chose the session in to it, once."""
    choice = _session_choice(session, ticket_code)
    if isinstance(choice, CheckInResult):
        return choice
    earlier = SessionCheckIn.objects.filter(choice=choice).first()
    if earlier is not None:
        return CheckInResult(
            CheckInOutcome.ALREADY_CHECKED_IN, choice.registration, earlier.checked_in_at
        )
    user = by_user if isinstance(by_user, User) else None
    row = SessionCheckIn.objects.create(
        choice=choice, checked_in_at=timezone.now(), checked_in_by=user
    )
    return CheckInResult(CheckInOutcome.CHECKED_IN, choice.registration, row.checked_in_at)


@transaction.atomic(durable=True)
def undo_session_check_in(
    *, session: Session, ticket_code: str, by_user: Organiser
) -> CheckInResult:
    choice = _session_choice(session, ticket_code)
    if isinstance(choice, CheckInResult):
        return choice
    deleted, _rows = SessionCheckIn.objects.filter(choice=choice).delete()
    outcome = CheckInOutcome.UNDONE if deleted else CheckInOutcome.NOT_CHECKED_IN
    return CheckInResult(outcome, choice.registration)
