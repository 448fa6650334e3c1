"""The participant's side of an event: register, change, cancel (the personal link again:
events.services.personal_link).

A registration takes its seat last (events.services.seats); a seat that frees up while someone
waits is handed on without ever being given back (events.services.waiting_list), so a newcomer
cannot take it ahead of the waiting list.
"""

import datetime as dt
import logging
import random
import time
from collections.abc import Iterable, Mapping, Sequence
from functools import partial
from typing import Any

from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.models import Language, Organisation, Person
from worker.services import (
    References,
    new_row_for_composing,
    nudge_delivery,
    queue_for_composing,
    queue_message,
)

from .. import emails
from ..models import Answer, Event, Question, Registration, Session, SessionChoice, email_key
from ..participants import (
    ParticipantDetails,
    chosen_sessions,
    clean_answers,
    known_organisations_named,
)
from ..selectors.public import (
    STATE_CANCELLED,
    STATE_CLOSED,
    STATE_DRAFT,
    STATE_INVITATION_ONLY,
    STATE_NOT_OPEN,
    STATE_PAST,
    forget_public_event,
    registration_state,
)
from . import seats, walk_ins
from .errors import (
    DuplicateRegistration,
    EventChanged,
    EventFull,
    EventUnavailable,
    InvitationOnly,
    NotChangeable,
    RegistrationClosed,
    RegistrationError,
    RegistrationNotOpen,
    SessionFull,
)
from .waiting_list import HELD_SEAT, pass_seat_on
from .walk_ins import AtTheDoor

logger = logging.getLogger(__name__)

Status = Registration.Status
DEADLOCK_DETECTED = "40P01"
DEADLOCK_ATTEMPTS = 5


# Checks ----------------------------------------------------------------------------------------


def _check_registration_open(
    event: Event, *, now: dt.datetime, invitation_allowed: bool, at_the_door: bool = False
) -> None:
    state = registration_state(event, now=now)
    if at_the_door and state in (STATE_NOT_OPEN, STATE_CLOSED, STATE_INVITATION_ONLY):
        return  # an organiser at the door registers people while the event is on
    if state in (STATE_DRAFT,):
        raise EventUnavailable(_("This event is not open for registration."))
    if state == STATE_CANCELLED:
        raise EventUnavailable(_("This event has been cancelled."))
    if state == STATE_PAST:
        raise RegistrationClosed(_("This event is over."))
    if state == STATE_NOT_OPEN:
        raise RegistrationNotOpen(_("Registration has not opened yet."))
    if state == STATE_CLOSED:
        raise RegistrationClosed(_("Registration for this event is closed."))
    if state == STATE_INVITATION_ONLY and not invitation_allowed:
        raise InvitationOnly(
            _("This event is by invitation only. Use the link in your invitation to register.")
        )


def active_registration_for(event_id: int, email: str) -> Registration | None:
    # The same expression and condition as the unique index, so the index answers this.
    return (
        Registration.objects.alias(email_key=Lower("email"))
        .filter(
            event_id=event_id,
            email_key=email_key(email),
            status__in=Registration.ACTIVE_STATUSES,
        )
        .first()
    )


def _link_known_organisation(registration: Registration) -> None:
    """A known organisation typed by hand is the known one (the one-statement path runs the
    same query inside its SQL)."""
    if registration.organisation_id is None and registration.organisation_name:
        known = known_organisations_named(registration.organisation_name).first()
        if known is not None:
            registration.organisation = known
            registration.organisation_name = ""


# Registering -----------------------------------------------------------------------------------


def register_participant(
    *,
    event: Event,
    details: ParticipantDetails,
    person: Person | None = None,
    invitation_allowed: bool = False,
    sessions: Sequence[Session] | None = None,
    questions: Sequence[Question] | None = None,
    revision: int | None = None,
    door: AtTheDoor | None = None,
) -> Registration:
    """Register someone: confirmed while seats last, then the waiting list (or refused).

    `invitation_allowed` lets the invitations app register people for invitation-only events.
    `sessions` and `questions` are the event's as the caller read them with it (as
    events.selectors.public_event does); left out, they are read when needed. With the
    `revision` they were read at, nothing is saved unless the event is still published at it
    (EventChanged). Raises a RegistrationError subclass with a message to show.
    `door`: registered and checked in at the door by an organiser (events.services.walk_ins).
    """
    now = timezone.now()
    _check_registration_open(
        event, now=now, invitation_allowed=invitation_allowed, at_the_door=door is not None
    )
    if details.session_ids and sessions is None:
        sessions = list(event.sessions.all())
    chosen = chosen_sessions(sessions or (), details.session_ids)
    answer_rows = clean_answers(
        event.questions.all() if questions is None else questions, details.answers
    )
    registration = _new_registration(event, details, person=person)
    # No duplicate check before writing: the unique index refuses the INSERT, and that
    # becomes DuplicateRegistration below.
    for attempt in range(1, DEADLOCK_ATTEMPTS + 1):
        try:
            if connection.vendor == "postgresql" and not (chosen or answer_rows or door):
                _save_in_one_statement(registration, now=now, revision=revision)
            else:
                _link_known_organisation(registration)
                _save_in_transaction(
                    registration,
                    sessions=chosen,
                    answers=answer_rows,
                    now=now,
                    revision=revision,
                    door=door,
                )
            return registration
        except seats.StaleEvent as exc:
            forget_public_event(event.pk)
            raise EventChanged() from exc
        except IntegrityError as exc:
            # Two registrations for one address raced past each other; the index refused one.
            duplicate = "one_active_registration_per_email" in str(exc)
            if duplicate or active_registration_for(event.pk, details.email):
                raise DuplicateRegistration(_duplicate_message(), field="email") from exc
            raise
        except OperationalError as exc:
            # The two ways of saving (and a cancellation) take the event row and the email's
            # index entry in opposite orders. Only a race on one address can deadlock, and
            # PostgreSQL breaks it by refusing one side, which runs again (and then usually
            # finds the other registration: DuplicateRegistration).
            deadlock = getattr(exc.__cause__, "sqlstate", None) == DEADLOCK_DETECTED
            if attempt == DEADLOCK_ATTEMPTS or not deadlock:
                raise
            logger.info("registration for event %s: deadlock, trying again", event.pk)
            time.sleep(random.uniform(0, 0.05 * attempt))
            registration.pk = None
            registration._state.adding = True
            registration.status = Status.CONFIRMED
            registration.waitlisted_at = None
            for answer in answer_rows:
                answer.pk = None
                answer._state.adding = True
    raise AssertionError("unreachable")


def _new_registration(
    event: Event, details: ParticipantDetails, *, person: Person | None
) -> Registration:
    """The unsaved registration, confirmed; special categories only where the event needs
    them, and only with their own consent (DESIGN rule 8)."""
    d = details
    language = d.language if d.language in Language.values else Language.BOKMAL
    keep_dietary = event.serves_food and d.dietary_consent and bool(d.dietary_needs.strip())
    keep_assistance = (
        event.offers_assistance and d.assistance_consent and bool(d.assistance_needs.strip())
    )
    return Registration(
        event=event,
        status=Status.CONFIRMED,
        person=person,
        name=d.name.strip(),
        email=d.email.strip(),
        organisation=d.organisation,
        organisation_name="" if d.organisation else d.organisation_name.strip(),
        title=d.title.strip(),
        phone=d.phone.strip(),
        language=language,
        list_consent=d.list_consent,
        dietary_consent=keep_dietary,
        dietary_needs=d.dietary_needs.strip() if keep_dietary else "",
        assistance_consent=keep_assistance,
        assistance_needs=d.assistance_needs.strip() if keep_assistance else "",
    )


def _duplicate_message() -> Any:
    return _("This email address is already registered for this event.")


def _receipt(registration: Registration) -> dict[str, Any]:
    """The registration receipt's row (events.emails composes it when it is sent)."""
    return {
        "kind": emails.REGISTRATION_RECEIPT,
        "to_email": registration.email,
        "to_name": registration.name,
        "language": registration.language,
        "refs": References(
            event=registration.event_id,
            registration=registration.pk,
            person=registration.person_id,
        ),
    }


@transaction.atomic(durable=True)
def _save_in_transaction(
    registration: Registration,
    *,
    sessions: list[Session],
    answers: list[Answer],
    now: dt.datetime,
    revision: int | None,
    door: AtTheDoor | None = None,
) -> None:
    """The general case (sessions, answers, at the door, or a database other than PostgreSQL):
    the rows, then the seat UPDATEs as the last statements, so the event row stays locked only
    until COMMIT."""
    event = registration.event
    registration.save(force_insert=True)
    if door is not None:
        walk_ins.record_walk_in(registration, door)
    for answer in answers:
        answer.registration = registration
    Answer.objects.bulk_create(answers)
    SessionChoice.objects.bulk_create(
        [SessionChoice(registration=registration, session=s) for s in sessions]
    )
    queue_for_composing(**_receipt(registration))

    _take_session_seats(sessions)
    if seats.take_event_seat(event.pk, revision=revision):
        return
    if walk_ins.take_extra_seat(registration, door):
        return

    # Full. The UPDATE matched no row, so no lock is held on the event from here on.
    if not walk_ins.waits_when_full(event, door):
        raise EventFull(_("This event is full."))
    registration.status = Status.WAITLISTED
    registration.waitlisted_at = now
    Registration.objects.filter(pk=registration.pk).update(
        status=Status.WAITLISTED, waitlisted_at=now, updated_at=now
    )
    walk_ins.waiting_not_checked_in(registration, door)


def _save_in_one_statement(
    registration: Registration, *, now: dt.datetime, revision: int | None
) -> None:
    """The common case on PostgreSQL (no sessions, no answers): seats.register_in_one_statement."""
    receipt = new_row_for_composing(**_receipt(registration))
    if not seats.register_in_one_statement(
        registration, receipt=receipt, now=now, revision=revision
    ):
        raise EventFull(_("This event is full."))
    transaction.on_commit(partial(nudge_delivery, message_ids=[receipt.pk]))


def _take_session_seats(sessions: Iterable[Session], release: Iterable[int] = ()) -> None:
    full = seats.move_session_seats(take=sessions, release=release)
    if full is not None:
        raise SessionFull(
            _("The session “%(session)s” is full. Choose another session or none.")
            % {"session": full.title},
            session=full,
        )


# Changing and cancelling -----------------------------------------------------------------------


@transaction.atomic(durable=True)
def change_registration(
    *,
    registration_id: int,
    answers: Mapping[int, Any],
    session_ids: Sequence[int],
    list_consent: bool,
    dietary_consent: bool = False,
    dietary_needs: str = "",
    assistance_consent: bool = False,
    assistance_needs: str = "",
    organisation: Organisation | None = None,
    organisation_name: str | None = None,
    title: str | None = None,
    phone: str | None = None,
    language: str | None = None,
) -> Registration:
    """The holder of the personal link changes answers, sessions, consents and their details.

    A detail left as None stays as it is; `organisation` and `organisation_name` change
    together (one of them), the way registering sets them.
    """
    now = timezone.now()
    registration = (
        Registration.objects.select_for_update().select_related("event").get(pk=registration_id)
    )
    event = registration.event
    refusal = registration.change_refusal(now)
    if refusal is not None:
        raise NotChangeable(refusal)
    if organisation is not None or organisation_name is not None:
        typed = (organisation_name or "").strip()
        if organisation is None and not typed:
            raise RegistrationError(
                _("Choose your organisation or type its name."), field="organisation"
            )
        registration.organisation = organisation
        registration.organisation_name = "" if organisation else typed
        _link_known_organisation(registration)
    if title is not None:
        if not title.strip():
            raise RegistrationError(_("This field is required."), field="title")
        registration.title = title.strip()
    if phone is not None:
        registration.phone = phone.strip()
    if language is not None:
        if language not in Language.values:
            raise RegistrationError(_("Select a valid choice."), field="language")
        registration.language = language
    sessions = chosen_sessions(event.sessions.all(), session_ids)
    answer_rows = clean_answers(event.questions.all(), answers)
    keep_dietary = event.serves_food and dietary_consent and bool(dietary_needs.strip())
    keep_assistance = (
        event.offers_assistance and assistance_consent and bool(assistance_needs.strip())
    )
    registration.list_consent = list_consent
    registration.dietary_consent = keep_dietary
    registration.dietary_needs = dietary_needs.strip() if keep_dietary else ""
    registration.assistance_consent = keep_assistance
    registration.assistance_needs = assistance_needs.strip() if keep_assistance else ""
    registration.save()

    registration.answers.all().delete()
    for answer in answer_rows:
        answer.registration = registration
    Answer.objects.bulk_create(answer_rows)

    before = set(registration.session_choices.values_list("session_id", flat=True))
    after = {s.pk for s in sessions}
    SessionChoice.objects.filter(registration=registration, session_id__in=before - after).delete()
    added = [s for s in sessions if s.pk not in before]
    SessionChoice.objects.bulk_create(
        [SessionChoice(registration=registration, session=s) for s in added]
    )
    _take_session_seats(added, release=before - after)
    return registration


@transaction.atomic(durable=True)
def cancel_registration(*, registration_id: int) -> Registration:
    """Cancel a registration; a seat it held goes to the next in line in this same transaction."""
    now = timezone.now()
    registration = (
        Registration.objects.select_for_update().select_related("event").get(pk=registration_id)
    )
    event = registration.event
    if registration.status == Status.CANCELLED:
        return registration
    if not registration.can_be_cancelled(now):
        raise NotChangeable(_("This event is over."))
    held_seat = registration.status in HELD_SEAT
    had_calendar = emails.holds_calendar(registration)
    registration.status = Status.CANCELLED
    registration.cancelled_at = now
    registration.offer_expires_at = None
    registration.save(update_fields=["status", "cancelled_at", "offer_expires_at", "updated_at"])
    queue_message(
        message=emails.cancellation_receipt(registration=registration, with_calendar=had_calendar)
    )
    chosen = list(registration.session_choices.values_list("session_id", flat=True))
    seats.move_session_seats(take=(), release=chosen)
    if held_seat:
        pass_seat_on(event=event, now=now)
    return registration
