"""The participant's side of an event: register, change, cancel, the waiting list and its offers.

Seats (DESIGN rule 3): `Event.seats_taken` counts confirmed registrations and open offers;
`Session.seats_taken` counts the active registrations (waiting list included) that chose the
session. Both are taken with one conditional UPDATE, the last statements before commit, and the
CheckConstraints make the database refuse overbooking whatever the code does. A seat that frees
up while someone waits is handed on without ever being given back, so a newcomer cannot take it
ahead of the waiting list.
"""

import contextlib
import datetime as dt
import functools
import json
import logging
import random
import time
from collections.abc import Iterable, Mapping, Sequence
from functools import partial
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F, Field, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.throttling import count_hit
from partners.models import Language, Organisation, Person
from worker.models import OutgoingMessage
from worker.services import (
    References,
    new_row_for_composing,
    nudge_delivery,
    queue_for_composing,
    queue_message,
)

from .. import emails
from ..calendar import sequence_sent
from ..models import Answer, Event, Question, Registration, Session, SessionChoice
from ..selectors.public import (
    STATE_CANCELLED,
    STATE_CLOSED,
    STATE_DRAFT,
    STATE_INVITATION_ONLY,
    STATE_NOT_OPEN,
    STATE_PAST,
    SeatDrift,
    events_with_free_seats_and_waiting_list,
    registration_deadline,
    registration_state,
    seat_counts_from_rows,
    seat_drift,
)

logger = logging.getLogger(__name__)

Status = Registration.Status
HELD_SEAT = (Status.CONFIRMED, Status.OFFERED)
RESEND_LIMIT_PER_HOUR = 3


# Errors ----------------------------------------------------------------------------------------


class RegistrationError(Exception):
    """A rule refused the request. `message` is translated and safe to show to anyone."""

    code = "invalid"

    def __init__(self, message: Any, *, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


class EventUnavailable(RegistrationError):
    code = "unavailable"


class RegistrationNotOpen(RegistrationError):
    code = "not_open"


class RegistrationClosed(RegistrationError):
    code = "closed"


class InvitationOnly(RegistrationError):
    code = "invitation_only"


class EventFull(RegistrationError):
    code = "full"


class SessionFull(RegistrationError):
    code = "session_full"

    def __init__(self, message: Any, *, session: Session) -> None:
        super().__init__(message, field="sessions")
        self.session = session


class DuplicateRegistration(RegistrationError):
    code = "duplicate"


class InvalidAnswer(RegistrationError):
    code = "invalid_answer"


class NotChangeable(RegistrationError):
    code = "not_changeable"


class OfferExpired(RegistrationError):
    code = "offer_expired"


class _NoFreeSeat(Exception):
    """Internal: roll the transaction back, there was no seat after all."""


# Seats -----------------------------------------------------------------------------------------

_HAS_ROOM = Q(capacity__isnull=True) | Q(seats_taken__lt=F("capacity"))


def _take_event_seat(event_id: int) -> bool:
    """The conditional UPDATE of DESIGN rule 3, written out: it runs on every registration,
    and the ORM took longer to build it than PostgreSQL took to run it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE %s SET seats_taken = seats_taken + 1 "  # noqa: S608 (a table name only)
            "WHERE id = %%s AND (capacity IS NULL OR seats_taken < capacity)"
            % Event._meta.db_table,
            [event_id],
        )
        return cursor.rowcount == 1


def _release_event_seat(event_id: int) -> None:
    if not Event.objects.filter(pk=event_id, seats_taken__gt=0).update(
        seats_taken=F("seats_taken") - 1
    ):
        logger.warning("event %s: seat counter already at zero (run recount_seats)", event_id)


def _move_session_seats(*, take: Iterable[Session], release: Iterable[int]) -> None:
    """Take and give back session seats in primary-key order, so concurrent writers never deadlock."""
    steps = sorted([(s.pk, s) for s in take] + [(pk, None) for pk in release], key=lambda x: x[0])
    for pk, session in steps:
        if session is None:
            if not Session.objects.filter(pk=pk, seats_taken__gt=0).update(
                seats_taken=F("seats_taken") - 1
            ):
                logger.warning("session %s: seat counter already at zero", pk)
        elif not Session.objects.filter(_HAS_ROOM, pk=pk).update(seats_taken=F("seats_taken") + 1):
            raise SessionFull(
                _("The session “%(session)s” is full. Choose another session or none.")
                % {"session": session.title},
                session=session,
            )


# Checks ----------------------------------------------------------------------------------------


def _check_registration_open(event: Event, *, now: dt.datetime, invitation_allowed: bool) -> None:
    state = registration_state(event, now=now)
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


def _chosen_sessions(event: Event, session_ids: Iterable[int]) -> list[Session]:
    wanted = set(session_ids)
    if not wanted:
        return []
    # Capacity is checked by the seat UPDATE, so the (possibly prefetched) rows may be stale.
    sessions = [s for s in event.sessions.all() if s.requires_signup and s.pk in wanted]
    if len(sessions) != len(wanted):
        raise RegistrationError(_("Choose among the sessions listed."), field="sessions")
    ordered = sorted(sessions, key=lambda s: (s.starts_at, s.pk))
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        if later.starts_at < earlier.ends_at:
            raise RegistrationError(
                _("“%(first)s” and “%(second)s” take place at the same time. Choose one of them.")
                % {"first": earlier.title, "second": later.title},
                field="sessions",
            )
    return sessions


def _clean_answers(event: Event, answers: Mapping[int, Any]) -> list[Answer]:
    """Check the answers against the event's questions; the rows are returned unsaved."""
    rows = []
    questions = {q.pk: q for q in event.questions.all()}
    unknown = set(answers) - set(questions)
    if unknown:
        raise InvalidAnswer(_("Answer only the questions asked."))
    for question in sorted(questions.values(), key=lambda q: (q.position, q.pk)):
        field = "q_%d" % question.pk
        value = answers.get(question.pk)
        if value in (None, "", []):
            if question.required:
                raise InvalidAnswer(_("This question needs an answer."), field=field)
            continue
        kind = question.kind
        options = [str(c) for c in question.choices]
        if kind in (Question.Kind.SHORT_TEXT, Question.Kind.LONG_TEXT):
            limit = 500 if kind == Question.Kind.SHORT_TEXT else 5000
            if not isinstance(value, str) or len(value) > limit:
                raise InvalidAnswer(_("This answer is too long."), field=field)
            value = value.strip()
        elif kind == Question.Kind.SINGLE_CHOICE:
            if value not in options:
                raise InvalidAnswer(_("Choose one of the options."), field=field)
        elif kind == Question.Kind.MULTIPLE_CHOICE:
            if not isinstance(value, list | tuple) or any(v not in options for v in value):
                raise InvalidAnswer(_("Choose among the options."), field=field)
            value = [o for o in options if o in value]
        elif kind == Question.Kind.YES_NO:
            if not isinstance(value, bool):
                raise InvalidAnswer(_("Answer yes or no."), field=field)
        rows.append(Answer(question=question, value=value))
    return rows


def _email_key(email: str) -> str:
    return email.strip().lower()


def _active_registration_for(event_id: int, email: str) -> Registration | None:
    # The same expression and condition as the unique index, so the index answers this.
    return (
        Registration.objects.alias(email_key=Lower("email"))
        .filter(
            event_id=event_id, email_key=_email_key(email), status__in=Registration.ACTIVE_STATUSES
        )
        .first()
    )


def _is_duplicate_error(exc: IntegrityError) -> bool:
    return "one_active_registration_per_email" in str(exc)


def _offer_deadline(event: Event, now: dt.datetime) -> dt.datetime:
    return min(now + dt.timedelta(hours=event.offer_hours), registration_deadline(event))


def _can_offer(event: Event, now: dt.datetime) -> bool:
    return (
        event.status == Event.Status.PUBLISHED
        and event.waiting_list_mode != Event.WaitingListMode.NONE
        and now < registration_deadline(event)
        and event.ends_at > now
    )


# Registering -----------------------------------------------------------------------------------


def register_participant(
    *,
    event: Event,
    name: str,
    email: str,
    organisation: Organisation | None = None,
    organisation_name: str = "",
    title: str = "",
    phone: str = "",
    language: str = Language.BOKMAL,
    list_consent: bool = False,
    dietary_consent: bool = False,
    dietary_needs: str = "",
    assistance_consent: bool = False,
    assistance_needs: str = "",
    session_ids: Sequence[int] = (),
    answers: Mapping[int, Any] | None = None,
    person: Person | None = None,
    invitation_allowed: bool = False,
) -> Registration:
    """Register someone: confirmed while seats last, then the waiting list (or refused).

    `invitation_allowed` lets the invitations app register people for invitation-only events.
    The event's sessions and questions are used as prefetched, if they were. Raises a
    RegistrationError subclass with a message to show.
    """
    now = timezone.now()
    _check_registration_open(event, now=now, invitation_allowed=invitation_allowed)
    sessions = _chosen_sessions(event, session_ids)
    answer_rows = _clean_answers(event, answers or {})
    if language not in Language.values:
        language = Language.BOKMAL
    # Special categories only where the event needs them, and only with their own consent.
    keep_dietary = event.serves_food and dietary_consent and bool(dietary_needs.strip())
    keep_assistance = (
        event.offers_assistance and assistance_consent and bool(assistance_needs.strip())
    )
    registration = Registration(
        event=event,
        status=Status.CONFIRMED,
        person=person,
        name=name.strip(),
        email=email.strip(),
        organisation=organisation,
        organisation_name="" if organisation else organisation_name.strip(),
        title=title.strip(),
        phone=phone.strip(),
        language=language,
        list_consent=list_consent,
        dietary_consent=keep_dietary,
        dietary_needs=dietary_needs.strip() if keep_dietary else "",
        assistance_consent=keep_assistance,
        assistance_needs=assistance_needs.strip() if keep_assistance else "",
    )
    # No duplicate check before writing: the unique index refuses the INSERT, and that
    # becomes DuplicateRegistration below.
    for attempt in range(1, DEADLOCK_ATTEMPTS + 1):
        try:
            if connection.vendor == "postgresql" and not sessions and not answer_rows:
                _save_in_one_statement(registration, now=now)
            else:
                _link_known_organisation(registration)
                _save_in_transaction(
                    registration, sessions=sessions, answer_rows=answer_rows, now=now
                )
            return registration
        except IntegrityError as exc:
            # Two registrations for one address raced past each other; the index refused one.
            if _is_duplicate_error(exc) or _active_registration_for(event.pk, email):
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


DEADLOCK_DETECTED = "40P01"
DEADLOCK_ATTEMPTS = 5


def _link_known_organisation(registration: Registration) -> None:
    """A known organisation typed by hand is the known one (the one-statement path does the
    same in its SQL)."""
    if registration.organisation_id is None and registration.organisation_name:
        known = (
            Organisation.objects.filter(name__iexact=registration.organisation_name)
            .order_by("pk")
            .first()
        )
        if known is not None:
            registration.organisation = known
            registration.organisation_name = ""


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
    answer_rows: list[Answer],
    now: dt.datetime,
) -> None:
    """The general case (sessions, answers, or a database other than PostgreSQL): the rows,
    then the seat UPDATEs as the last statements, so the event row stays locked only until
    COMMIT."""
    event = registration.event
    registration.save(force_insert=True)
    for answer in answer_rows:
        answer.registration = registration
    Answer.objects.bulk_create(answer_rows)
    SessionChoice.objects.bulk_create(
        [SessionChoice(registration=registration, session=s) for s in sessions]
    )
    queue_for_composing(**_receipt(registration))

    _move_session_seats(take=sessions, release=())
    if _take_event_seat(event.pk):
        return

    # Full. The UPDATE matched no row, so no lock is held on the event from here on.
    if event.waiting_list_mode == Event.WaitingListMode.NONE:
        raise EventFull(_("This event is full."))
    registration.status = Status.WAITLISTED
    registration.waitlisted_at = now
    Registration.objects.filter(pk=registration.pk).update(
        status=Status.WAITLISTED, waitlisted_at=now, updated_at=now
    )


def _save_in_one_statement(registration: Registration, *, now: dt.datetime) -> None:
    """The common case on PostgreSQL (no sessions, no answers) as one statement: take the seat
    if there is one, insert the registration confirmed or waiting, and its receipt; a waiting
    one also gets its place in line (counted only then, so never while the seat row is locked).

    One statement is one transaction that PostgreSQL commits without a round trip back to us:
    the event row is locked from the seat UPDATE at its start until that commit, the shortest
    hold DESIGN rule 3 asks for, and the web server builds and sends one query instead of six
    (at 50 concurrent clients this was most of the cost of a registration)."""
    event = registration.event
    receipt = new_row_for_composing(**_receipt(registration))
    reg_values = _insert_values(registration, exclude=_REG_EXCLUDE)
    receipt_values = _insert_values(receipt, exclude=_RECEIPT_EXCLUDE)
    sql = _one_statement_sql()
    typed = registration.organisation_name
    params: list[Any] = [
        event.pk,
        registration.organisation_id is None and bool(typed),
        typed,
        Status.CONFIRMED.value,  # plain str values: psycopg adapts enum members slowly
        Status.WAITLISTED.value,
        now,
        registration.organisation_id,
        typed,
        reg_values,
        event.waiting_list_mode != Event.WaitingListMode.NONE,
        receipt_values,
    ]
    # Like the transaction path (durable), this commits on its own: not inside a caller's
    # transaction, which would hold the event row locked until it ends. A test's transaction
    # is the exception; a savepoint keeps a refused INSERT from aborting it.
    if connection.atomic_blocks and not getattr(
        connection.atomic_blocks[-1], "_from_testcase", False
    ):
        raise RuntimeError("register_participant commits on its own; call it outside a transaction")
    inside = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    with inside, connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        raise EventFull(_("This event is full."))
    registration.pk, registration.status, organisation_id, registration.organisation_name = row[:4]
    receipt.pk = row[4]
    if organisation_id != registration.organisation_id:
        registration.organisation_id = organisation_id
    registration.waitlisted_at = now if registration.status == Status.WAITLISTED else None
    # The place in line as the statement saw the waiting list (selectors.waitlist_position
    # answers with it instead of counting again): a waiting registration is one round trip.
    registration.waitlist_position_at_save = row[5]
    registration._state.adding = False
    registration._state.db = connection.alias
    transaction.on_commit(partial(nudge_delivery, message_ids=[receipt.pk]))


# Set by the statement itself, not taken from the JSON row.
_REG_EXCLUDE = ("status", "waitlisted_at", "organisation_id", "organisation_name")
_RECEIPT_EXCLUDE = ("registration_ref",)


@functools.cache
def _one_statement_sql() -> str:
    """The statement's text: the same for every registration (so PostgreSQL prepares it)."""
    reg_columns = [f.column for f, _prep in _insert_fields(Registration, _REG_EXCLUDE)]
    receipt_columns = [f.column for f, _prep in _insert_fields(OutgoingMessage, _RECEIPT_EXCLUDE)]
    return _ONE_STATEMENT_SQL.format(
        event=Event._meta.db_table,
        organisation=Organisation._meta.db_table,
        registration=Registration._meta.db_table,
        outbox=OutgoingMessage._meta.db_table,
        reg_columns=", ".join(reg_columns),
        reg_values=", ".join("r.%s" % c for c in reg_columns),
        receipt_columns=", ".join(receipt_columns),
        receipt_values=", ".join("m.%s" % c for c in receipt_columns),
    )


# Table and column names only; every value is a parameter.
_ONE_STATEMENT_SQL = """
WITH seat AS (
    UPDATE {event} SET seats_taken = seats_taken + 1
    WHERE id = %s AND (capacity IS NULL OR seats_taken < capacity)
    RETURNING id
), taken AS (
    SELECT EXISTS (SELECT 1 FROM seat) AS yes
), known AS (
    SELECT id FROM {organisation}
    WHERE %s AND UPPER(name::text) = UPPER(%s)
    ORDER BY id LIMIT 1
), reg AS (
    INSERT INTO {registration}
        ({reg_columns}, status, waitlisted_at, organisation_id, organisation_name)
    SELECT {reg_values},
        CASE WHEN taken.yes THEN %s ELSE %s END,
        CASE WHEN taken.yes THEN NULL ELSE %s::timestamptz END,
        COALESCE(%s, (SELECT id FROM known)),
        CASE WHEN EXISTS (SELECT 1 FROM known) THEN '' ELSE %s END
    FROM taken, jsonb_populate_record(NULL::{registration}, %s::jsonb) AS r
    WHERE taken.yes OR %s
    RETURNING id, status, organisation_id, organisation_name, event_id, waitlisted_at
), receipt AS (
    INSERT INTO {outbox} ({receipt_columns}, registration_ref)
    SELECT {receipt_values}, reg.id
    FROM reg, jsonb_populate_record(NULL::{outbox}, %s::jsonb) AS m
    RETURNING id
)
SELECT reg.id, reg.status, reg.organisation_id, reg.organisation_name, receipt.id,
    CASE WHEN reg.waitlisted_at IS NOT NULL THEN 1 + (
        SELECT count(*) FROM {registration} AS w
        WHERE w.event_id = reg.event_id AND w.status = reg.status
            AND (w.waitlisted_at, w.id) < (reg.waitlisted_at, reg.id)
    ) END
FROM reg, receipt
"""


def _insert_values(obj: Any, *, exclude: tuple[str, ...]) -> str:
    """The values for inserting `obj`, as Model.save() would write them, as one JSON object
    (jsonb_populate_record turns it into a row: one parameter instead of thirty).

    psycopg does not reuse a parsed statement by itself: Django binds client-side by default,
    so PostgreSQL parsed and planned this CTE anew on every registration. The statement's text
    is the same every time, and with server-side binding and a prepare threshold
    (config/settings.py) PostgreSQL plans it once per connection."""
    values = {}
    for field, prepare in _insert_fields(obj.__class__, exclude):
        value = field.pre_save(obj, True) if prepare else getattr(obj, field.attname)
        # A plain str or None is what get_prep_value returns for it, on any of these fields.
        values[field.column] = (
            value if type(value) in _AS_IS and not prepare else field.get_prep_value(value)
        )
    return json.dumps(values, cls=_Encoder)


_AS_IS = frozenset({str, type(None)})


class _Encoder(DjangoJSONEncoder):
    """Datetimes with their microseconds (DjangoJSONEncoder keeps milliseconds, as ECMA-262
    does; the ORM stores microseconds, and both paths must store the same)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime):
            return o.isoformat()
        return super().default(o)


@functools.cache
def _insert_fields(model: Any, exclude: tuple[str, ...]) -> list[tuple[Any, bool]]:
    """The fields to insert, each with whether its pre_save does more than read the attribute
    (auto_now and the like), in which case get_prep_value always runs too."""
    return [
        (f, type(f).pre_save is not Field.pre_save)
        for f in model._meta.concrete_fields
        if not f.primary_key and f.attname not in exclude and f.name not in exclude
    ]


# Changing and cancelling -----------------------------------------------------------------------


def change_refusal(registration: Registration, *, now: dt.datetime | None = None) -> Any:
    """Why the holder of the link can no longer change this registration (a translated
    message), or None while they can. The change page and the service both ask this."""
    now = now or timezone.now()
    event = registration.event
    if registration.status not in Registration.ACTIVE_STATUSES:
        return _("This registration is cancelled and can no longer be changed.")
    if event.status == Event.Status.CANCELLED:
        return _("This event has been cancelled, so the registration can no longer be changed.")
    if event.status != Event.Status.PUBLISHED or now >= registration_deadline(event):
        return _(
            "Registration has closed, so changes are no longer possible. Contact the organiser."
        )
    return None


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
    refusal = change_refusal(registration, now=now)
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
    sessions = _chosen_sessions(event, session_ids)
    answer_rows = _clean_answers(event, answers)
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
    SessionChoice.objects.bulk_create(
        [
            SessionChoice(registration=registration, session=s)
            for s in sessions
            if s.pk not in before
        ]
    )
    _move_session_seats(take=[s for s in sessions if s.pk not in before], release=before - after)
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
    if event.ends_at <= now:
        raise NotChangeable(_("This event is over."))
    held_seat = registration.status in HELD_SEAT
    # Confirmed, or holding an offer and sent the event when it changed: in their calendar.
    had_calendar = registration.status == Status.CONFIRMED or (
        registration.status == Status.OFFERED
        and bool(sequence_sent(event=event, emails=[registration.email]))
    )
    registration.status = Status.CANCELLED
    registration.cancelled_at = now
    registration.offer_expires_at = None
    registration.save(update_fields=["status", "cancelled_at", "offer_expires_at", "updated_at"])
    queue_message(
        message=emails.cancellation_receipt(registration=registration, with_calendar=had_calendar)
    )
    sessions = list(registration.session_choices.values_list("session_id", flat=True))
    _move_session_seats(take=(), release=sessions)
    if held_seat:
        _pass_seat_on(event=event, now=now)
    return registration


def _pass_seat_on(*, event: Event, now: dt.datetime) -> Registration | None:
    """A held seat came free: offer it to the first in line, or give it back to the event."""
    following = None
    if _can_offer(event, now):
        following = (
            Registration.objects.select_for_update(skip_locked=True)
            .filter(event=event, status=Status.WAITLISTED)
            .order_by("waitlisted_at", "id")
            .first()
        )
    if following is None:
        _release_event_seat(event.pk)
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


# The waiting list ------------------------------------------------------------------------------


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
    following = (
        Registration.objects.select_for_update(skip_locked=True)
        .filter(event=event, status=Status.WAITLISTED)
        .order_by("waitlisted_at", "id")
        .first()
    )
    if following is None:
        return None
    _hand_seat_to(registration=following, event=event, now=now)
    if not _take_event_seat(event.pk):
        raise _NoFreeSeat
    return following


def fill_free_seats(*, event_id: int) -> int:
    """Offer every free seat to the waiting list; returns how many were handed on."""
    handed = 0
    while offer_next_seat(event_id=event_id) is not None:
        handed += 1
    return handed


def _require_open_event(event: Event) -> None:
    """A seat can only be given for a published event that has not ended."""
    if event.status != Event.Status.PUBLISHED or event.ends_at <= timezone.now():
        raise EventUnavailable(_("This event is cancelled or over."))


@transaction.atomic(durable=True)
def promote_from_waiting_list(*, registration_id: int) -> Registration:
    """An organiser confirms someone from the waiting list (or with an open offer) by hand."""
    registration = (
        Registration.objects.select_for_update().select_related("event").get(pk=registration_id)
    )
    if registration.status not in (Status.WAITLISTED, Status.OFFERED):
        raise RegistrationError(_("Only someone on the waiting list can be promoted."))
    _require_open_event(registration.event)
    needs_seat = registration.status == Status.WAITLISTED
    registration.status = Status.CONFIRMED
    registration.offer_expires_at = None
    registration.save(update_fields=["status", "offer_expires_at", "updated_at"])
    queue_message(message=emails.confirmation(registration=registration))
    if needs_seat and not _take_event_seat(registration.event_id):
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
    _require_open_event(registration.event)
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
    _move_session_seats(
        take=(), release=registration.session_choices.values_list("session_id", flat=True)
    )
    _pass_seat_on(event=registration.event, now=now)
    return True


# The personal link -----------------------------------------------------------------------------


@transaction.atomic(durable=True)
def resend_personal_link(*, event_id: int, email: str) -> None:
    """Mail the personal link to the address if it is registered. Says nothing either way."""
    registration = _active_registration_for(event_id, email)
    if registration is None:
        return
    # Without a reachable cache there is no count, and the link is sent (rate_limits.py).
    sent = count_hit("events:resend:%s" % registration.token, timeout=3600)
    if sent is not None and sent > RESEND_LIMIT_PER_HOUR:
        return
    registration = Registration.objects.select_related("event").get(pk=registration.pk)
    queue_message(message=emails.personal_link(registration=registration))


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
    # Lock first, then count, so no registration slips in between.
    list(Session.objects.select_for_update().filter(pk__in=session_ids).order_by("pk"))
    list(Event.objects.select_for_update().filter(pk__in=event_ids).order_by("pk"))
    events_actual, sessions_actual = seat_counts_from_rows()
    for pk in session_ids:
        Session.objects.filter(pk=pk).update(seats_taken=sessions_actual.get(pk, 0))
    for pk in event_ids:
        # The CheckConstraint refuses more than capacity; that drift needs an organiser.
        Event.objects.filter(pk=pk).update(seats_taken=events_actual.get(pk, 0))
