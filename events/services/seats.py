"""The seat counters (DESIGN rule 3) and every hand-written SQL statement of the events services.

Like pretix's `services/locking.py`: a few functions, each saying what its statement replaces
and what it bought (measured on this kind of machine; the commits named give the numbers).
Only table and column names from the models go into a statement's text; every value is a
parameter. The SQL for the calendar's sequences stays with the calendar
(events.calendar.sequences.take_sequences).

`Event.seats_taken` counts confirmed registrations and open offers; `Session.seats_taken` the
active registrations (waiting list included) that chose the session. CheckConstraints hold both
at or under capacity, so the database refuses overbooking whatever the code does.
"""

import contextlib
import datetime as dt
import functools
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import F, Field, Model, Q

from partners.models import Organisation
from worker.models import OutgoingMessage

from ..models import Event, Question, Registration, Session
from ..participants import known_organisations_named

logger = logging.getLogger(__name__)

Status = Registration.Status

# Seats -----------------------------------------------------------------------------------------

_HAS_ROOM = Q(capacity__isnull=True) | Q(seats_taken__lt=F("capacity"))


def take_event_seat(event_id: int, *, revision: int | None = None) -> bool:
    """Take one of the event's seats if one is free (count + 1 where count < capacity); with a
    `revision`, only if the event is still published at that revision (else StaleEvent).

    Replaces `Event.objects.filter(has room, pk=...).update(seats_taken=F(...) + 1)`: it runs on
    every registration that takes a seat, and the ORM took longer to build the UPDATE than
    PostgreSQL took to run it (d19eb4e: the ORM cost 4x the query). The revision guard lets a
    registration be decided on a process's copy of the event (register_in_one_statement says
    what that bought); when no seat was taken, a second statement tells full from changed."""
    with connection.cursor() as cursor:
        cursor.execute(_TAKE_SEAT_SQL, [event_id, revision is not None, _PUBLISHED, revision])
        if cursor.rowcount == 1:
            return True
        if revision is not None:
            cursor.execute(_UNCHANGED_SQL, [event_id, _PUBLISHED, revision])
            if cursor.fetchone() is None:
                raise StaleEvent(event_id)
        return False


class StaleEvent(Exception):  # noqa: N818 (a state, like Event.DoesNotExist)
    """The event is no longer published at the revision the caller read it at; nothing was
    written (the caller's transaction, if any, must roll back)."""


_PUBLISHED = Event.Status.PUBLISHED.value


_TAKE_SEAT_SQL = (
    "UPDATE %s SET seats_taken = seats_taken + 1 "  # noqa: S608 (a table name only)
    "WHERE id = %%s AND (capacity IS NULL OR seats_taken < capacity) "
    "AND (NOT %%s OR (status = %%s AND revision = %%s))" % Event._meta.db_table
)
_UNCHANGED_SQL = (
    "SELECT 1 FROM %s WHERE id = %%s AND status = %%s AND revision = %%s"  # noqa: S608
    % Event._meta.db_table
)


def release_event_seat(event_id: int) -> None:
    """Give one of the event's seats back (never below zero)."""
    if not Event.objects.filter(pk=event_id, seats_taken__gt=0).update(
        seats_taken=F("seats_taken") - 1
    ):
        logger.warning("event %s: seat counter already at zero (run recount_seats)", event_id)


def move_session_seats(*, take: Iterable[Session], release: Iterable[int]) -> Session | None:
    """Take and give back session seats in primary-key order, so concurrent writers never
    deadlock. Returns the first session to take that was full (the caller rolls back), or None."""
    steps = sorted([(s.pk, s) for s in take] + [(pk, None) for pk in release], key=lambda x: x[0])
    for pk, session in steps:
        if session is None:
            if not Session.objects.filter(pk=pk, seats_taken__gt=0).update(
                seats_taken=F("seats_taken") - 1
            ):
                logger.warning("session %s: seat counter already at zero", pk)
        elif not Session.objects.filter(_HAS_ROOM, pk=pk).update(seats_taken=F("seats_taken") + 1):
            return session
    return None


def lock_seat_counters(*, event_ids: Iterable[int], session_ids: Iterable[int]) -> None:
    """Lock the counters' rows (sessions, then events, each in key order) before a recount, so
    no registration slips in between the count and the fix."""
    list(Session.objects.select_for_update().filter(pk__in=list(session_ids)).order_by("pk"))
    list(Event.objects.select_for_update().filter(pk__in=list(event_ids)).order_by("pk"))


def set_seat_counters(*, events: Mapping[int, int], sessions: Mapping[int, int]) -> None:
    """Set the counters to the given counts (the CheckConstraint refuses more than capacity:
    that drift needs an organiser)."""
    for pk, count in sessions.items():
        Session.objects.filter(pk=pk).update(seats_taken=count)
    for pk, count in events.items():
        Event.objects.filter(pk=pk).update(seats_taken=count)


# The one-statement registration ----------------------------------------------------------------


def register_in_one_statement(
    registration: Registration,
    *,
    receipt: OutgoingMessage,
    now: dt.datetime,
    revision: int | None = None,
) -> bool:
    """Save an unsaved registration (no sessions, no answers) and its receipt on PostgreSQL in
    one statement: take the seat if there is one, link a typed known organisation
    (participants.known_organisations_named), insert the registration confirmed or waiting
    (when the event has a waiting list), then its receipt; a waiting one also gets its place in
    line (counted only then, so never while the seat row is locked). Returns False, having
    written nothing, when the event is full and has no waiting list.

    Replaces the transaction path's six statements (organisation lookup, BEGIN, registration
    INSERT, receipt INSERT, seat UPDATE, COMMIT; 99f9a6c): one statement is one transaction
    that PostgreSQL commits without a round trip back to us, so the event row is locked from the
    seat UPDATE at its start until that commit, the shortest hold DESIGN rule 3 asks for, and
    the web server builds and sends one query instead of six (at 50 concurrent clients this was
    most of the cost of a registration). Counting the place in line here made a waiting
    registration one round trip instead of two (5d2a43f: app CPU 0.97-1.51 -> 0.84-1.31 ms,
    PostgreSQL 0.38-0.61 -> 0.34-0.56 ms per waiting registration).

    With a `revision` (the event as the caller read it, perhaps from its process's copy:
    events.selectors.public.cached_public_event) it writes only if the event is still published
    at that revision, and raises StaleEvent otherwise: the seat UPDATE checks it on the row it
    locks, and a registration that took no seat goes ahead only if the statement's snapshot
    saw the event at that revision and full. So a registration need not read the event row
    first: 2 -> 1 queries per API registration; bench.registration, paired runs at load 11-13,
    app CPU per API registration 2.92/3.26/2.76 -> 2.71/3.05/2.44 ms (the ratios: its commit).

    Commits on its own, like the transaction path: never inside a caller's transaction, which
    would hold the event row locked until it ends (a durable block refuses one). Django lets a
    test's transaction through that check; there, the savepoint keeps a refused INSERT from
    aborting the test's transaction."""
    typed = registration.organisation_name
    guarded = revision is not None
    params: list[Any] = [
        *(registration.event_id, _PUBLISHED, revision),
        *(registration.event_id, guarded, _PUBLISHED, revision, guarded),
        typed,
        registration.organisation_id is None and bool(typed),
        Status.CONFIRMED.value,  # plain str values: psycopg adapts enum members slowly (6d9ddeb)
        Status.WAITLISTED.value,
        now,
        registration.organisation_id,
        typed,
        _insert_values(registration, exclude=_REG_EXCLUDE),
        registration.event.waiting_list_mode != Event.WaitingListMode.NONE,
        _insert_values(receipt, exclude=_RECEIPT_EXCLUDE),
    ]
    inside = connection.in_atomic_block
    with (
        transaction.atomic(durable=True) if inside else contextlib.nullcontext(),
        connection.cursor() as cursor,
    ):
        cursor.execute(_one_statement_sql(), params)
        row = cursor.fetchone()
    if not row[6]:
        raise StaleEvent(registration.event_id)
    if row[0] is None:
        return False
    registration.pk, registration.status, organisation_id, registration.organisation_name = row[:4]
    receipt.pk = row[4]
    if organisation_id != registration.organisation_id:
        registration.organisation_id = organisation_id
    registration.waitlisted_at = now if registration.status == Status.WAITLISTED else None
    # The place in line as the statement saw the waiting list (selectors.waitlist_position
    # answers with it instead of counting again).
    registration.waitlist_position_at_save = row[5]
    registration._state.adding = False
    registration._state.db = connection.alias
    return True


# Set by the statement itself, not taken from the JSON row.
_REG_EXCLUDE = ("status", "waitlisted_at", "organisation_id", "organisation_name")
_RECEIPT_EXCLUDE = ("registration_ref",)
# What the known-organisation query is compiled with, to find its one parameter.
_NAME_PLACEHOLDER = "\x00typed organisation name\x00"


@functools.cache
def _one_statement_sql() -> str:
    """The statement's text, built once per process and the same for every registration, so
    that PostgreSQL prepares it (485d4f4: with the row values below, about 5% of the app's CPU
    per API registration)."""
    reg_columns = [f.column for f, _prep in _insert_fields(Registration, _REG_EXCLUDE)]
    receipt_columns = [f.column for f, _prep in _insert_fields(OutgoingMessage, _RECEIPT_EXCLUDE)]
    known = known_organisations_named(_NAME_PLACEHOLDER).values("id")[:1]
    known_sql, known_params = known.query.get_compiler(connection=connection).as_sql()
    if list(known_params) != [_NAME_PLACEHOLDER]:  # one parameter, passed as it is
        raise AssertionError("the known-organisation query changed shape: %r" % (known_params,))
    return _ONE_STATEMENT_SQL.format(
        event=Event._meta.db_table,
        organisation=Organisation._meta.db_table,
        known=known_sql,
        registration=Registration._meta.db_table,
        outbox=OutgoingMessage._meta.db_table,
        reg_columns=", ".join(reg_columns),
        reg_values=", ".join("r.%s" % c for c in reg_columns),
        receipt_columns=", ".join(receipt_columns),
        receipt_values=", ".join("m.%s" % c for c in receipt_columns),
    )


_ONE_STATEMENT_SQL = """
WITH unchanged AS (
    SELECT capacity IS NOT NULL AND seats_taken >= capacity AS is_full
    FROM {event} WHERE id = %s AND status = %s AND revision = %s
), seat AS (
    UPDATE {event} SET seats_taken = seats_taken + 1
    WHERE id = %s AND (capacity IS NULL OR seats_taken < capacity)
        AND (NOT %s OR (status = %s AND revision = %s))
    RETURNING id
), taken AS (
    SELECT EXISTS (SELECT 1 FROM seat) AS yes,
        EXISTS (SELECT 1 FROM seat) OR NOT %s OR EXISTS (SELECT 1 FROM unchanged WHERE is_full)
            AS current
), known AS (
    SELECT k.id FROM ({known}) AS k WHERE %s
), reg AS (
    INSERT INTO {registration}
        ({reg_columns}, status, waitlisted_at, organisation_id, organisation_name)
    SELECT {reg_values},
        CASE WHEN taken.yes THEN %s ELSE %s END,
        CASE WHEN taken.yes THEN NULL ELSE %s::timestamptz END,
        COALESCE(%s, (SELECT id FROM known)),
        CASE WHEN EXISTS (SELECT 1 FROM known) THEN '' ELSE %s END
    FROM taken, jsonb_populate_record(NULL::{registration}, %s::jsonb) AS r
    WHERE taken.current AND (taken.yes OR %s)
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
    ) END,
    taken.current
FROM taken LEFT JOIN (reg CROSS JOIN receipt) ON true
"""


def _insert_values(obj: Model, *, exclude: tuple[str, ...]) -> str:
    """The values for inserting `obj`, as Model.save() would write them, as one JSON object:
    jsonb_populate_record turns it into a row, one parameter instead of thirty, so the
    statement's text stays the same (d676330).

    Django binds client-side by default, so PostgreSQL parsed and planned this CTE anew on every
    registration; with server-side binding and a prepare threshold (config/settings.py)
    PostgreSQL plans it once per connection (8e9c1c2)."""
    values = {}
    for field, prepare in _insert_fields(type(obj), exclude):
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
def _insert_fields(model: type[Model], exclude: tuple[str, ...]) -> list[tuple[Field, bool]]:
    """The fields to insert, each with whether its pre_save does more than read the attribute
    (auto_now and the like), in which case get_prep_value always runs too."""
    return [
        (f, type(f).pre_save is not Field.pre_save)
        for f in model._meta.concrete_fields
        if not f.primary_key and f.attname not in exclude and f.name not in exclude
    ]


# The waiting list ------------------------------------------------------------------------------


def count_waiting_ahead(registration: Registration) -> int:
    """How many of the event's waiting registrations joined before this one (time, then id).

    Replaces the ORM count of WAITLISTED rows with `Q(waitlisted_at__lt=...) |
    Q(waitlisted_at=..., id__lt=...)`: the public API answers every waiting registration with
    its place, and building that query cost more than running it (7c0cf5f: 1,500 API
    registrations to a full event, app CPU 1.39-1.55 -> 0.97-1.12 ms per registration). The
    datetime goes through connection.ops so SQLite compares it as it stores it."""
    with connection.cursor() as cursor:
        cursor.execute(
            _waiting_ahead_sql(),
            [
                registration.event_id,
                Status.WAITLISTED.value,
                connection.ops.adapt_datetimefield_value(registration.waitlisted_at),
                registration.pk,
            ],
        )
        (ahead,) = cursor.fetchone()
    return ahead


@functools.cache
def _waiting_ahead_sql() -> str:
    return (
        "SELECT count(*) FROM %s "  # noqa: S608 (a table name only)
        "WHERE event_id = %%s AND status = %%s AND (waitlisted_at, id) < (%%s, %%s)"
        % Registration._meta.db_table
    )


# The public event row --------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicEvent:
    """A published or cancelled event with its agenda sessions (by start) and its questions
    (by position), as plain lists: what the public page and a registration read."""

    event: Event
    sessions: list[Session]
    questions: list[Question]


def read_public_event(pk: int) -> PublicEvent | None:
    """The event row if it is public (Event.PUBLIC_STATUSES) and whether it has sessions and questions in one query;
    sessions and questions are fetched only when there are some (most meetings have neither).

    Replaces `Event.objects.filter(status__in=PUBLIC_STATUSES).prefetch_related(...)`: it runs on every
    registration, and the ORM took four times as long to build the query as PostgreSQL took to
    answer it (d19eb4e); the text is built once per process and the row made into an Event
    directly (485d4f4)."""
    with connection.cursor() as cursor:
        # .value: a plain str; psycopg looks a str subclass (the enum member) up the slow way.
        cursor.execute(_public_event_sql(), [pk, *(s.value for s in Event.PUBLIC_STATUSES)])
        row = cursor.fetchone()
    if row is None:
        return None
    fields = Event._meta.concrete_fields
    values = list(row[: len(fields)])
    for index, expression, converters in _event_converters(connection.vendor):
        for converter in converters:
            values[index] = converter(values[index], expression, connection)
    event = Event.from_db(connection.alias, [f.attname for f in fields], values)
    sessions: list[Session] = []
    questions: list[Question] = []
    if row[-2]:
        sessions = list(Session.objects.filter(event_id=pk).order_by("starts_at", "id"))
        for session in sessions:
            session.event = event
    if row[-1]:
        questions = list(Question.objects.filter(event_id=pk).order_by("position", "id"))
        for question in questions:
            question.event = event
    return PublicEvent(event=event, sessions=sessions, questions=questions)


@functools.cache
def _public_event_sql() -> str:
    event, session, question = (m._meta.db_table for m in (Event, Session, Question))
    columns = ", ".join("e.%s" % f.column for f in Event._meta.concrete_fields)
    statuses = ", ".join(["%s"] * len(Event.PUBLIC_STATUSES))
    return (
        f"SELECT {columns}, "  # noqa: S608
        f"EXISTS (SELECT 1 FROM {session} s WHERE s.event_id = e.id) AS has_sessions, "
        f"EXISTS (SELECT 1 FROM {question} q WHERE q.event_id = e.id) AS has_questions "
        f"FROM {event} e WHERE e.id = %s AND e.status IN ({statuses})"
    )


@functools.cache
def _event_converters(vendor: str) -> list[tuple[int, Any, list[Any]]]:
    """What the ORM would do to each column of Event as it comes from this kind of database
    (on PostgreSQL: nothing; on SQLite: dates, times and booleans)."""
    table = Event._meta.db_table
    found = []
    for index, field in enumerate(Event._meta.concrete_fields):
        expression = field.get_col(table)
        converters = connection.ops.get_db_converters(expression) + expression.get_db_converters(
            connection
        )
        if converters:
            found.append((index, expression, converters))
    return found
