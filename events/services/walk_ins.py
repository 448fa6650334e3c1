"""What registering someone at the door changes inside `register_participant`: the WalkIn
row, the check-in in the same transaction, and what a full event does (refuse, the waiting
list, or the one extra seat an organiser confirmed). The organiser's service is
`events.services.check_in.register_walk_in`; the registration is an ordinary one otherwise
(same checks, same seat counter, the usual receipt through the outbox)."""

import enum
from dataclasses import dataclass
from functools import partial

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.db.models import F

from ..models import Event, Registration, WalkIn
from ..selectors.public import forget_public_event
from . import seats


class WhenFull(enum.StrEnum):
    REFUSE = "refuse"  # nothing saved: the organiser is told and chooses
    WAITING_LIST = "waiting_list"
    EXTRA_SEAT = "extra_seat"  # the capacity rises by one for this person


@dataclass(frozen=True)
class AtTheDoor:
    """An organiser registers the person at the door and checks them in at once."""

    by_user: User | AnonymousUser
    when_full: WhenFull = WhenFull.REFUSE

    @property
    def user(self) -> User | None:
        return self.by_user if isinstance(self.by_user, User) else None


def record_walk_in(registration: Registration, door: AtTheDoor) -> None:
    """In the registration's transaction, before its seat is taken: checked in, and recorded
    as registered at the door (the waiting list clears the check-in again)."""
    registration.checked_in_at = registration.created_at
    registration.checked_in_by = door.user
    Registration.objects.filter(pk=registration.pk).update(
        checked_in_at=registration.checked_in_at, checked_in_by=door.user
    )
    WalkIn.objects.create(registration=registration, registered_by=door.user)


def take_extra_seat(registration: Registration, door: AtTheDoor | None) -> bool:
    """When the event is full and the organiser confirmed it: raise the capacity by one (the
    CheckConstraint holds confirmed seats at or under capacity, so the seat has to exist),
    record that on the WalkIn, and take the seat. The event row stays locked from the raise
    to COMMIT, so nobody else takes the new seat."""
    if door is None or door.when_full != WhenFull.EXTRA_SEAT:
        return False
    walk_in = registration.walk_in  # record_walk_in's row
    walk_in.capacity_raised = True
    walk_in.save(update_fields=["capacity_raised"])
    raised = Event.objects.filter(pk=registration.event_id, capacity__isnull=False).update(
        capacity=F("capacity") + 1, revision=F("revision") + 1
    )
    transaction.on_commit(partial(forget_public_event, registration.event_id))
    return bool(raised) and seats.take_event_seat(registration.event_id)


def waits_when_full(event: Event, door: AtTheDoor | None) -> bool:
    """Whether a registration that found no seat joins the waiting list (else EventFull)."""
    if event.waiting_list_mode == Event.WaitingListMode.NONE:
        return False
    return door is None or door.when_full == WhenFull.WAITING_LIST


def waiting_not_checked_in(registration: Registration, door: AtTheDoor | None) -> None:
    """A walk-in who joined the waiting list is not in yet (record_walk_in checked them in)."""
    if door is None:
        return
    registration.checked_in_at = registration.checked_in_by = None
    Registration.objects.filter(pk=registration.pk).update(checked_in_at=None, checked_in_by=None)
