"""The waiting list: seat offers, promotion by hand, accepting, expiry, filling free seats, and
recounting the seat counters from the rows."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from worker.services import queue_message

from .. import emails
from ..models import Event, Registration
from ..selectors.public import (
    SeatDrift,
    events_with_free_seats_and_waiting_list,
    seat_counts_from_rows,
    seat_drift,
)
from . import seats
from .errors import EventFull, EventUnavailable, NotChangeable, OfferExpired, RegistrationError

Status = Registration.Status
HELD_SEAT = (Status.CONFIRMED, Status.OFFERED)


class _NoFreeSeat(Exception):
    """Internal: roll the transaction back, there was no seat after all."""


def _offer_deadline(event: Event, now: dt.datetime) -> dt.datetime:
    return min(now + dt.timedelta(hours=event.offer_hours), event.registration_deadline)


def _can_offer(event: Event, now: dt.datetime) -> bool:
    return (
        event.status == Event.Status.PUBLISHED
        and event.waiting_list_mode != Event.WaitingListMode.NONE
        and now < event.registration_deadline
        and event.ends_at > now
    )


def _first_in_line(event: Event) -> Registration | None:
    return (
        Registration.objects.select_for_update(skip_locked=True)
        .filter(event=event, status=Status.WAITLISTED)
        .order_by("waitlisted_at", "id")
        .first()
    )


def pass_seat_on(*, event: Event, now: dt.datetime) -> Registration | None:
    """A held seat came free (inside the caller's transaction): offer it to the first in line,
    or give it back to the event."""
    following = _first_in_line(event) if _can_offer(event, now) else None
    if following is None:
        seats.release_event_seat(event.pk)
        return None
    _hand_seat_to(registration=following, event=event, now=now)
    return following


def _hand_seat_to(*, registration: Registration, event: Event, now: dt.datetime) -> None:
    """The registration now holds a seat: an offer, or straight in when the event promotes."""
    registration.event = event
    if event.waiting_list_mode == Event.WaitingListMode.AUTOMATIC:
        registration.status = Status.CONFIRMED
        registration.offer_expires_at = None
        message = emails.confirmation(registration=registration)
    else:
        registration.status = Status.OFFERED
        registration.offer_expires_at = _offer_deadline(event, now)
        message = emails.seat_offered(registration=registration)
    registration.save(update_fields=["status", "offer_expires_at", "updated_at"])
    queue_message(message=message)


def offer_next_seat(*, event_id: int) -> Registration | None:
    """Give a free seat (say, after the capacity was raised) to the first in line, if any."""
    try:
        return _offer_next_seat(event_id=event_id)
    except _NoFreeSeat:
        return None


@transaction.atomic(durable=True)
def _offer_next_seat(*, event_id: int) -> Registration | None:
    now = timezone.now()
    event = Event.objects.get(pk=event_id)
    if not _can_offer(event, now):
        return None
    following = _first_in_line(event)
    if following is None:
        return None
    _hand_seat_to(registration=following, event=event, now=now)
    if not seats.take_event_seat(event.pk):
        raise _NoFreeSeat
    return following


def fill_free_seats(*, event_id: int) -> int:
    """Offer every free seat to the waiting list; returns how many were handed on."""
    handed = 0
    while offer_next_seat(event_id=event_id) is not None:
        handed += 1
    return handed


@transaction.atomic(durable=True)
def promote_from_waiting_list(*, registration_id: int) -> Registration:
    """An organiser confirms someone from the waiting list (or with an open offer) by hand."""
    registration = (
        Registration.objects.select_for_update().select_related("event").get(pk=registration_id)
    )
    if registration.status not in Registration.PROMOTABLE_STATUSES:
        raise RegistrationError(_("Only someone on the waiting list can be promoted."))
    if not registration.can_be_promoted(timezone.now()):
        raise EventUnavailable(_("This event is cancelled or over."))
    needs_seat = registration.status == Status.WAITLISTED
    registration.status = Status.CONFIRMED
    registration.offer_expires_at = None
    registration.save(update_fields=["status", "offer_expires_at", "updated_at"])
    queue_message(message=emails.confirmation(registration=registration))
    if needs_seat and not seats.take_event_seat(registration.event_id):
        raise EventFull(_("There is no free seat. Raise the capacity first."))
    return registration


@transaction.atomic(durable=True)
def accept_offer(*, registration_id: int) -> Registration:
    """The first in line takes the seat held for them."""
    now = timezone.now()
    registration = (
        Registration.objects.select_for_update().select_related("event").get(pk=registration_id)
    )
    if registration.status == Status.CONFIRMED:
        return registration
    if registration.status != Status.OFFERED:
        raise NotChangeable(_("There is no seat offer for this registration."))
    if not registration.event.can_give_seats(now):
        raise EventUnavailable(_("This event is cancelled or over."))
    if registration.offer_expires_at is not None and registration.offer_expires_at <= now:
        raise OfferExpired(_("The offer has expired, and the seat has passed to the next in line."))
    registration.status = Status.CONFIRMED
    registration.offer_expires_at = None
    registration.save(update_fields=["status", "offer_expires_at", "updated_at"])
    queue_message(message=emails.confirmation(registration=registration))
    return registration


def expire_offers(*, now: dt.datetime | None = None) -> int:
    """Periodic: pass each expired offer on to the next in line; fill seats left free."""
    now = now or timezone.now()
    expired = list(
        Registration.objects.filter(status=Status.OFFERED, offer_expires_at__lte=now)
        .order_by("offer_expires_at", "id")
        .values_list("pk", flat=True)
    )
    count = sum(1 for pk in expired if _expire_offer(registration_id=pk, now=now))
    # A seat can come free while a registrant is joining the waiting list in another
    # transaction that the canceller could not yet see; this sweep hands such seats on.
    for event_id in events_with_free_seats_and_waiting_list().values_list("pk", flat=True):
        fill_free_seats(event_id=event_id)
    return count


@transaction.atomic(durable=True)
def _expire_offer(*, registration_id: int, now: dt.datetime) -> bool:
    registration = (
        Registration.objects.select_for_update()
        .select_related("event")
        .filter(pk=registration_id, status=Status.OFFERED, offer_expires_at__lte=now)
        .first()
    )
    if registration is None:
        return False
    registration.status = Status.CANCELLED
    registration.cancelled_at = now
    registration.save(update_fields=["status", "cancelled_at", "updated_at"])
    queue_message(message=emails.offer_expired(registration=registration))
    seats.move_session_seats(
        take=(), release=registration.session_choices.values_list("session_id", flat=True)
    )
    pass_seat_on(event=registration.event, now=now)
    return True


# Seat counters ---------------------------------------------------------------------------------


def recount_seats(*, fix: bool = False) -> list[SeatDrift]:
    """Compare the seat counters with the rows; with fix, set them to what the rows say."""
    drift = seat_drift()
    if fix and drift:
        _fix_seat_counters(
            event_ids=[d.pk for d in drift if d.kind == "event"],
            session_ids=[d.pk for d in drift if d.kind == "session"],
        )
    return drift


@transaction.atomic(durable=True)
def _fix_seat_counters(*, event_ids: list[int], session_ids: list[int]) -> None:
    seats.lock_seat_counters(event_ids=event_ids, session_ids=session_ids)
    events_actual, sessions_actual = seat_counts_from_rows()
    seats.set_seat_counters(
        events={pk: events_actual.get(pk, 0) for pk in event_ids},
        sessions={pk: sessions_actual.get(pk, 0) for pk in session_ids},
    )
