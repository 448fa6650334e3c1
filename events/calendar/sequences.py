"""The SEQUENCE record per event and address: take_sequences, one rule for every message.

A client ignores a REQUEST or CANCEL whose SEQUENCE is not above the one it holds (RFC 5546
2.1.5), and one address may be sent more than the event's own ``sequence`` (a cancellation,
then registering again; an invitation, then the confirmation). Every calendar message to a
person takes its number from ``take_sequences`` (one function, one table: ``CalendarSequence``,
per event and lower-cased address), at the moment it is composed:

    sequence = take_sequence(event=event, email=registration.email)
    calendar = itip_request(event=event, attendee=..., sequence=sequence)  # or itip_cancel(...)

The organiser side bumps ``event.sequence`` whenever time, place or status changes, before
calling events.emails (notify_event_changed, notify_event_cancelled).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from ..models import CalendarSequence, Event, email_key

# Rows per statement: three parameters each, under SQLite's old limit of 999.
_SEQUENCE_BATCH = 300


def take_sequences(*, event: Event, emails: Iterable[str]) -> dict[str, int]:
    """The SEQUENCE for the next calendar message to each address, taken and recorded at once.

    The one rule for every REQUEST and CANCEL sent to a person: the event's own sequence, or one
    above the highest ever taken for that address and event, whichever is higher. Returns
    {address stripped and lower-cased: sequence}. Call it when the calendar is composed, in the
    transaction that queues the message if there is one (a rolled-back message gives its
    number back; a message that is then never sent only leaves a gap, which clients accept).

    Hand-written SQL: one INSERT ... ON CONFLICT DO UPDATE ... RETURNING per batch (PostgreSQL
    and SQLite 3.35+), so two messages composed at the same moment for one address (a worker
    composing a receipt while an organiser moves the event) can never take the same number,
    and telling a thousand participants costs a few statements, not a thousand. The event's
    sequence is read by the statement itself, so a stale Event object cannot hold it back.
    """
    # Sorted: two statements for overlapping addresses lock their rows in the same order, so
    # they wait for each other instead of deadlocking.
    keys = sorted({email_key(email) for email in emails})
    table = CalendarSequence._meta.db_table
    taken: dict[str, int] = {}
    for start in range(0, len(keys), _SEQUENCE_BATCH):
        batch = keys[start : start + _SEQUENCE_BATCH]
        # Table names only; every value is a parameter.
        row = "(%%s, %%s, (SELECT sequence FROM %s WHERE id = %%s))" % Event._meta.db_table  # noqa: S608
        sql = (  # noqa: S608
            "INSERT INTO {t} (event_id, email_key, sequence) VALUES {rows} "
            "ON CONFLICT (event_id, email_key) DO UPDATE SET sequence = CASE "
            "WHEN {t}.sequence + 1 > excluded.sequence THEN {t}.sequence + 1 "
            "ELSE excluded.sequence END "
            "RETURNING email_key, sequence"
        ).format(t=table, rows=", ".join([row] * len(batch)))
        params: list[int | str] = []
        for key in batch:
            params += [event.pk, key, event.pk]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            taken.update(cursor.fetchall())
    return taken


def take_sequence(*, event: Event, email: str) -> int:
    """take_sequences() for one address."""
    return next(iter(take_sequences(event=event, emails=[email]).values()))


def sequence_sent(*, event: Event, emails: Iterable[str]) -> set[str]:
    """The addresses (lower-cased) that have been sent a calendar for the event."""
    keys = {email_key(email) for email in emails}
    return set(
        CalendarSequence.objects.filter(event=event, email_key__in=keys).values_list(
            "email_key", flat=True
        )
    )


def highest_sequence(*, event: Event, email: str) -> int | None:
    """The highest SEQUENCE taken so far for the address and event, None if none was."""
    return (
        CalendarSequence.objects.filter(event=event, email_key=email_key(email))
        .values_list("sequence", flat=True)
        .first()
    )
