"""Claim outbox rows, send them through a transport (worker.transports), record each answer.

At most once, as far as a mail client can make it so:

* A row is claimed by one conditional UPDATE (queued, or retrying and due -> sending) that
  stamps a fresh claim token; results are written only WHERE claim_token matches. A sent row
  is never claimed again; a sending row only after OUTBOX_SENDING_TIMEOUT_SECONDS, which is
  how a row whose worker died mid-send (SIGKILL, OOM, power) gets delivered at all.
* The result is recorded by an autocommit UPDATE immediately after the server's answer.

The window that remains: the process dies (or the connection drops) after the server has
taken the final "." of DATA and before that UPDATE reaches PostgreSQL, a few hundred
microseconds per message. The row then stays in "sending", and after the timeout it is sent
again with the same Message-ID (which lets mail clients fold the two). SMTP itself cannot
close this window (RFC 1047); we choose "delayed, possibly twice" over "lost" for it.
"""

from __future__ import annotations

import contextlib
import logging
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ObjectDoesNotExist
from django.db import connection
from django.db.models import Field, Q
from django.utils import timezone

from .bounces import undeliverable_among
from .composers import ComposeError, ComposeSkipped, compose, envelope_sender_for, fill
from .conf import outbox_setting
from .erasure import ON_THE_WAY, forget_if_asked
from .mime import ascii_address, envelope_sender, render_message
from .models import OutgoingMessage
from .transports import DeliveryError, get_transport

logger = logging.getLogger(__name__)

State = OutgoingMessage.State


@dataclass(frozen=True)
class Retry:
    message_id: int
    countdown: float


def retry_delay(attempts: int) -> float:
    """Exponential backoff with jitter for the retry after `attempts` failed attempts."""
    base = float(outbox_setting("OUTBOX_RETRY_BASE_SECONDS"))
    cap = float(outbox_setting("OUTBOX_RETRY_CAP_SECONDS"))
    delay = min(cap, base * 2 ** max(0, attempts - 1))
    return random.uniform(delay / 2, delay)


def _claimable(now) -> Q:
    timeout = timedelta(seconds=float(outbox_setting("OUTBOX_SENDING_TIMEOUT_SECONDS")))
    # A second of slack: the retry task's ETA and next_attempt_at come from the same instant.
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now + timedelta(seconds=1))
    return Q(state__in=[State.QUEUED, State.RETRYING]) & due | Q(
        state=State.SENDING, claimed_at__lt=now - timeout
    )


def claim_messages(*, message_ids: list[int]) -> tuple[uuid.UUID, list[OutgoingMessage]]:
    """Claim the claimable rows among `message_ids`; the others are skipped silently."""
    token = uuid.uuid4()
    now = timezone.now()
    OutgoingMessage.objects.filter(pk__in=message_ids).filter(_claimable(now)).update(
        state=State.SENDING, claimed_at=now, claim_token=token
    )
    rows = list(
        OutgoingMessage.objects.filter(pk__in=message_ids, claim_token=token).order_by("pk")
    )
    return token, rows


@contextlib.contextmanager
def _results_without_wal_flush_wait() -> Iterator[None]:
    """Commit result rows without waiting for PostgreSQL's WAL flush (3-5 ms per commit here,
    which capped a worker near 250 messages a second). A killed worker loses nothing by this:
    each commit is PostgreSQL's once sent. Only a crash of PostgreSQL itself within ~0.6 s
    (3 x wal_writer_delay) could forget a "sent"; that row is then sent again after the
    sending timeout, with the same Message-ID. Claims stay synchronous (one per batch)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        if connection.is_usable():
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")


def _record(
    row: OutgoingMessage,
    token: uuid.UUID,
    *,
    state: str,
    last_response: str,
    sent_at=None,
    next_attempt_at=None,
) -> None:
    """Write one attempt's result, if this claim still holds the row. One prepared statement
    instead of an ORM update: the ORM's query building cost more than the SMTP client."""
    meta = OutgoingMessage._meta
    prep = {
        name: _concrete_field(name).get_db_prep_value(value, connection)
        for name, value in (
            ("sent_at", sent_at),
            ("next_attempt_at", next_attempt_at),
            ("claim_token", token),
        )
    }
    with connection.cursor() as cursor:
        cursor.execute(
            _RECORD_SQL % meta.db_table,
            [
                state,
                last_response,
                prep["sent_at"],
                prep["next_attempt_at"],
                row.pk,
                prep["claim_token"],
                State.SENDING,
            ],
        )
        # RETURNING (PostgreSQL, SQLite 3.35+): whether the row is to be emptied now, without
        # a second statement for the rows that are not (all but an erased person's).
        updated = cursor.fetchone()
    if updated and updated[0] and state not in ON_THE_WAY:
        forget_if_asked(message_id=row.pk)
    if not updated:
        logger.error(
            "outbox row %s: claim %s was taken over before its result (%s) was recorded",
            row.pk,
            token,
            state,
        )


def _concrete_field(name: str) -> Field:
    field = OutgoingMessage._meta.get_field(name)
    assert isinstance(field, Field)
    return field


_RECORD_SQL = (
    "UPDATE %s SET state = %%s, attempts = attempts + 1, last_response = %%s, sent_at = %%s, "
    "next_attempt_at = %%s WHERE id = %%s AND claim_token = %%s AND state = %%s "
    "RETURNING forget_after_send"
)


def _record_failure(row: OutgoingMessage, token: uuid.UUID, error: DeliveryError) -> Retry | None:
    attempts = row.attempts + 1
    max_attempts = int(outbox_setting("OUTBOX_MAX_ATTEMPTS"))
    if error.temporary and attempts < max_attempts:
        delay = retry_delay(attempts)
        _record(
            row,
            token,
            state=State.RETRYING,
            last_response=error.answer,
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
        )
        return Retry(message_id=row.pk, countdown=delay)
    answer = error.answer
    if error.temporary:
        answer = "%s (gave up after %d attempts)" % (answer, attempts)
    _record(row, token, state=State.FAILED, last_response=answer, next_attempt_at=None)
    return None


def deliver_messages(*, message_ids: list[int]) -> list[Retry]:
    """Claim, send and record each row; return the retries the caller should schedule."""
    token, rows = claim_messages(message_ids=message_ids)
    transport = get_transport()
    retries: list[Retry] = []
    if rows:
        with _results_without_wal_flush_wait():
            _deliver_claimed(rows, token, transport, retries)
    return retries


def _compose(row: OutgoingMessage, token: uuid.UUID) -> None:
    """Have the app compose a row written for composing, and keep the result in the row."""
    fields = fill(row, compose(row))
    OutgoingMessage.objects.filter(pk=row.pk, claim_token=token).update(
        **{name: getattr(row, name) for name in fields}
    )


def _deliver_claimed(rows, token, transport, retries: list[Retry]) -> None:
    # Addresses a permanent bounce marked (worker.bounces): nothing more goes to them.
    undeliverable = undeliverable_among(row.to_email for row in rows)
    for index, row in enumerate(rows):
        if row.to_email.strip().lower() in undeliverable:
            _record(
                row,
                token,
                state=State.SKIPPED,
                last_response="not sent: the address is marked undeliverable",
                next_attempt_at=None,
            )
            continue
        if not row.composed:
            try:
                _compose(row, token)
            except ComposeSkipped as skipped:
                _record(
                    row,
                    token,
                    state=State.SKIPPED,
                    last_response="not sent: %s" % skipped,
                    next_attempt_at=None,
                )
                continue
            except Exception as exc:
                # What the row refers to is gone, or nobody composes its kind: final. Anything
                # else (the database, a bug fixed by a deploy) is worth the retries.
                final = isinstance(exc, ComposeError | ObjectDoesNotExist)
                logger.exception("outbox row %s cannot be composed", row.pk)
                error = DeliveryError("cannot compose: %s" % exc, temporary=not final)
                retry = _record_failure(row, token, error)
                if retry is not None:
                    retries.append(retry)
                continue
        try:
            data = render_message(row)
            sender = envelope_sender_for(row) or envelope_sender(row)
        except Exception as exc:
            logger.exception("outbox row %s cannot be rendered", row.pk)
            _record_failure(row, token, DeliveryError("cannot render: %s" % exc, temporary=False))
            continue
        try:
            answer = transport.send(sender=sender, recipient=ascii_address(row.to_email), data=data)
        except DeliveryError as error:
            failed = rows[index:] if error.unreachable else [row]
            for failed_row in failed:
                retry = _record_failure(failed_row, token, error)
                if retry is not None:
                    retries.append(retry)
            if error.unreachable:
                break
            continue
        _record(
            row,
            token,
            state=State.SENT,
            sent_at=timezone.now(),
            last_response=answer,
            next_attempt_at=None,
        )


def deliver_queued(*, max_batches: int = 40) -> tuple[list[Retry], bool]:
    """Send queued rows that are due, oldest first, batch by batch, until none is left or
    `max_batches` are done. Returns the retries and whether rows may be left."""
    retries: list[Retry] = []
    size = int(outbox_setting("OUTBOX_BATCH_SIZE"))
    for _ in range(max_batches):
        # Queued rows are due by definition; next_attempt_at comes from another host's clock.
        ids = list(
            OutgoingMessage.objects.filter(state=State.QUEUED)
            .order_by("pk")
            .values_list("pk", flat=True)[:size]
        )
        if not ids:
            return retries, False
        retries += deliver_messages(message_ids=ids)
    return retries, True


def deliver(*, message_id: int) -> list[Retry]:
    return deliver_messages(message_ids=[message_id])
