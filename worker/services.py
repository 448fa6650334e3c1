"""Queue finished messages in the outbox and deliver them. Knows no domain."""

import base64
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .conf import outbox_setting
from .mime import CALENDAR_METHODS
from .models import OutgoingMessage, new_message_id

logger = logging.getLogger(__name__)
State = OutgoingMessage.State


class MessageNotResendable(ValueError):
    """The row cannot be sent again; `reason`, when the app that wrote it refused, is the
    translated explanation to show."""

    def __init__(self, text: str, *, reason: Any = None) -> None:
        super().__init__(text)
        self.reason = reason


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes
    # Set: an inline part the HTML body refers to as cid:<content_id> (a logo), sent beside
    # the HTML in multipart/related instead of as a file.
    content_id: str = ""


@dataclass
class References:
    event: int | None = None
    registration: int | None = None
    invitation: int | None = None
    person: int | None = None
    sendout: int | None = None


@dataclass
class Message:
    """A finished message handed over by an app: one recipient, rendered bodies, optional calendar."""

    to_email: str
    subject: str
    text_body: str
    to_name: str = ""
    html_body: str = ""
    reply_to: str = ""
    calendar: str = ""
    calendar_method: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    language: str = ""
    kind: str = ""
    refs: References = field(default_factory=References)


def _domain() -> str:
    from_email = settings.DEFAULT_FROM_EMAIL
    address = from_email.split("<")[-1].rstrip(">")
    return address.rsplit("@", 1)[-1] or "localhost"


def row_content(message: Message) -> dict:
    """The outbox columns that hold a finished message."""
    m = message
    if m.calendar_method and m.calendar_method.upper() not in CALENDAR_METHODS:
        raise ValueError("calendar_method must be one of %s" % ", ".join(CALENDAR_METHODS))
    if not m.to_email:
        raise ValueError("a message needs a recipient")
    return {
        "to_email": m.to_email,
        "to_name": m.to_name,
        "reply_to": m.reply_to,
        "subject": m.subject,
        "text_body": m.text_body,
        "html_body": m.html_body,
        "calendar": m.calendar,
        "calendar_method": m.calendar_method.upper(),
        "attachments": [
            {
                "filename": a.filename,
                "content_type": a.content_type,
                "base64": base64.b64encode(a.content).decode("ascii"),
                **({"content_id": a.content_id} if a.content_id else {}),
            }
            for a in m.attachments
        ],
        "language": m.language,
        "kind": m.kind,
    }


def _refs(refs: References) -> dict:
    return {
        "event_ref": refs.event,
        "registration_ref": refs.registration,
        "invitation_ref": refs.invitation,
        "person_ref": refs.person,
        "sendout_ref": refs.sendout,
    }


def queue_messages(
    *, messages: list[Message], forget_after_send: bool = False
) -> list[OutgoingMessage]:
    """Write the rows in the caller's transaction; enqueue delivery only after it commits.
    forget_after_send: the rows lose recipient and bodies once delivered (worker.erasure)."""
    now = timezone.now()
    rows = [
        OutgoingMessage(
            message_id=new_message_id(_domain()),
            from_email=settings.DEFAULT_FROM_EMAIL,
            next_attempt_at=now,
            forget_after_send=forget_after_send,
            **row_content(m),
            **_refs(m.refs),
        )
        for m in messages
    ]
    created = OutgoingMessage.objects.bulk_create(rows)
    ids = [row.pk for row in created]
    transaction.on_commit(partial(enqueue_delivery, message_ids=ids))
    return created


def new_row_for_composing(
    *, kind: str, to_email: str, to_name: str = "", language: str = "", refs: References
) -> OutgoingMessage:
    """An unsaved row that the kind's registered composer fills in when the worker sends it
    (worker.composers). queue_for_composing saves it; an app that inserts it itself, in the
    same statement as its change, calls nudge_delivery after that commits."""
    if not to_email:
        raise ValueError("a message needs a recipient")
    return OutgoingMessage(
        message_id=new_message_id(_domain()),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to_email=to_email,
        to_name=to_name,
        language=language,
        kind=kind,
        composed=False,
        next_attempt_at=timezone.now(),
        **_refs(refs),
    )


def queue_for_composing(
    *, kind: str, to_email: str, to_name: str = "", language: str = "", refs: References
) -> OutgoingMessage:
    """Write a row for composing in the caller's transaction; nudge delivery after commit."""
    row = new_row_for_composing(
        kind=kind, to_email=to_email, to_name=to_name, language=language, refs=refs
    )
    row.save(force_insert=True)
    transaction.on_commit(partial(nudge_delivery, message_ids=[row.pk]))
    return row


def queue_message(*, message: Message) -> OutgoingMessage:
    return queue_messages(messages=[message])[0]


# A failed publish that took longer than this was a broker that hangs (accepts connections,
# never answers), not one that is down and refuses at once: only then does the process rest.
SLOW_FAILURE_SECONDS = 0.5
# Until when (time.monotonic) this process leaves the broker alone after it hung.
_broker_rest = {"until": 0.0}


def _broker_resting() -> bool:
    return time.monotonic() < _broker_rest["until"]


def _broker_failed(app: Any, *, started: float) -> None:
    if app.conf.task_always_eager:  # an eager task that raised is no broker outage
        return
    now = time.monotonic()
    if now - started > SLOW_FAILURE_SECONDS:
        _broker_rest["until"] = now + float(outbox_setting("OUTBOX_BROKER_REST_SECONDS"))


def enqueue_delivery(*, message_ids: list[int]) -> None:
    """Publish send tasks in batches. A broker outage is logged, never raised: the rows are
    committed already, and the sweep enqueues them once the broker is back. After a publish
    that hung until its timeouts, the process publishes nothing for
    OUTBOX_BROKER_REST_SECONDS, so a hung Redis costs one request seconds, not every one."""
    from .tasks import send_messages

    if _broker_resting():
        logger.info("broker hung a moment ago; the sweep enqueues rows %s", message_ids)
        return
    size = int(outbox_setting("OUTBOX_BATCH_SIZE"))
    for start in range(0, len(message_ids), size):
        batch = message_ids[start : start + size]
        started = time.monotonic()
        try:
            send_messages.apply_async(kwargs={"message_ids": batch}, queue="mail")
        except Exception:
            _broker_failed(send_messages.app, started=started)
            logger.warning(
                "could not enqueue %d outbox rows (the sweep will): %s",
                len(message_ids) - start,
                message_ids[start:],
                exc_info=True,
            )
            return


NUDGE_KEY = "partnerskap:outbox:nudge"
# Until when (time.monotonic) a send_queued task this process enqueued is still to run.
_nudged = {"until": 0.0}
_redis_clients = threading.local()


def _redis() -> Any:
    """One client per thread. A client shared by gunicorn's threads failed once in a bench run
    of 4,000 registrations inside redis-py 8.1's connection handshake ('NoneType' object has
    no attribute 'readline'); the nudge fell back to enqueueing directly, as it should."""
    url = settings.REDIS_URL
    client = getattr(_redis_clients, "client", None)
    if client is None or getattr(_redis_clients, "url", None) != url:
        import redis

        # Short timeouts: a hung Redis must not hold the request (the rows are committed).
        client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        _redis_clients.client, _redis_clients.url = client, url
    return client


def nudge_delivery(*, message_ids: list[int]) -> None:
    """After commit: make sure a task sends the queued rows within OUTBOX_COALESCE_SECONDS.

    Publishing one Celery task per registration cost as much as the rest of the request's
    writes. Instead the first commit in a window sets a key that expires with the window and
    enqueues one send_queued task due just after it; later commits find the key and do
    nothing. No row is left behind: a commit that finds the key happened before the key
    expired, so before that task looks for queued rows. Without Redis (the embedded set-up),
    or if Redis fails, the rows are enqueued directly; the sweep is the last resort. If Redis
    hung (failed only after its timeouts), this process leaves it alone for
    OUTBOX_BROKER_REST_SECONDS and the sweep enqueues the rows."""
    from .tasks import send_queued

    if not settings.REDIS_URL or send_queued.app.conf.task_always_eager:
        # Eager tasks ignore the countdown: the window would close before later commits.
        enqueue_delivery(message_ids=message_ids)
        return

    if _broker_resting():
        return  # Redis hung a moment ago; the sweep enqueues these rows
    window = float(outbox_setting("OUTBOX_COALESCE_SECONDS"))
    now = time.monotonic()
    if now < _nudged["until"]:
        # The key was there, with a task due after it expires, less than its lifetime ago:
        # that task runs after this commit. No need to ask Redis.
        return
    started = now
    try:
        pipe = _redis().pipeline(transaction=False)
        pipe.set(NUDGE_KEY, 1, nx=True, px=max(1, int(window * 1000)))
        pipe.pttl(NUDGE_KEY)
        was_set, left_ms = pipe.execute()
        if was_set:
            try:
                # Due a little after the key expires, for clocks that disagree a little.
                send_queued.apply_async(countdown=window + 0.25, queue="mail")
            except Exception:
                _redis().delete(NUDGE_KEY)  # let the next commit enqueue the task
                raise
            _nudged["until"] = now + window
        elif left_ms > 0:
            # Another process set it; it expires no earlier than left_ms from now.
            _nudged["until"] = now + left_ms / 1000
    except Exception:
        _broker_failed(send_queued.app, started=started)
        if _broker_resting():
            logger.warning("Redis hung; the outbox sweep enqueues rows %s", message_ids)
            return
        logger.warning("could not nudge the outbox; enqueueing directly", exc_info=True)
        enqueue_delivery(message_ids=message_ids)


@transaction.atomic
def resend_message(*, message_id: int) -> OutgoingMessage:
    """Queue a copy of a sent or failed row (by primary key) under a new Message-ID."""
    from .composers import calendar_for_resend

    original = OutgoingMessage.objects.get(pk=message_id)
    if original.state not in (State.SENT, State.FAILED):
        raise MessageNotResendable("message %s is still being delivered" % message_id)
    # The copy's calendar needs a SEQUENCE above everything sent since (the app decides).
    calendar = calendar_for_resend(original) if original.calendar else ""
    copy = OutgoingMessage.objects.create(
        message_id=new_message_id(_domain()),
        from_email=original.from_email,
        to_email=original.to_email,
        to_name=original.to_name,
        reply_to=original.reply_to,
        subject=original.subject,
        text_body=original.text_body,
        html_body=original.html_body,
        calendar=calendar,
        calendar_method=original.calendar_method,
        attachments=original.attachments,
        language=original.language,
        kind=original.kind,
        event_ref=original.event_ref,
        registration_ref=original.registration_ref,
        invitation_ref=original.invitation_ref,
        person_ref=original.person_ref,
        sendout_ref=original.sendout_ref,
        composed=original.composed,
        next_attempt_at=timezone.now(),
        resend_of=original,
    )
    transaction.on_commit(partial(enqueue_delivery, message_ids=[copy.pk]))
    return copy


def sweep_outbox() -> list[int]:
    """Enqueue again rows no task has taken: queued or due retrying rows older than the grace
    (a broker outage, a lost ETA task), and rows stuck in sending past the timeout (a killed
    worker). Extra tasks are harmless: a row is claimed once. Returns the row ids enqueued."""
    queued_grace = float(outbox_setting("OUTBOX_QUEUED_GRACE_SECONDS"))
    # The same timeout the claim uses, so every row found here can be claimed.
    sending_timeout = float(outbox_setting("OUTBOX_SENDING_TIMEOUT_SECONDS"))
    now = timezone.now()
    cutoff = now - timedelta(seconds=queued_grace)
    waiting = Q(state__in=[State.QUEUED, State.RETRYING]) & (
        Q(next_attempt_at__lte=cutoff) | Q(next_attempt_at__isnull=True, created_at__lte=cutoff)
    )
    stuck = Q(state=State.SENDING, claimed_at__lt=now - timedelta(seconds=sending_timeout))
    ids = list(
        OutgoingMessage.objects.filter(waiting | stuck)
        .order_by("pk")
        .values_list("pk", flat=True)[: int(outbox_setting("OUTBOX_SWEEP_LIMIT"))]
    )
    if not ids:
        return []
    # Restart the grace period, so a long backlog is not enqueued again on every run.
    OutgoingMessage.objects.filter(pk__in=ids).filter(waiting).update(next_attempt_at=now)
    logger.info("outbox sweep: enqueueing %d rows again", len(ids))
    enqueue_delivery(message_ids=ids)
    return ids
