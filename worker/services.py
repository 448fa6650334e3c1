"""Queue finished messages in the outbox and deliver them. Knows no domain."""

from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.db import transaction

from .models import OutgoingMessage, new_message_id


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes


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


def queue_messages(*, messages: list[Message]) -> list[OutgoingMessage]:
    """Write the rows in the caller's transaction; enqueue delivery only after it commits."""
    import base64

    rows = [
        OutgoingMessage(
            message_id=new_message_id(_domain()),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to_email=m.to_email,
            to_name=m.to_name,
            reply_to=m.reply_to,
            subject=m.subject,
            text_body=m.text_body,
            html_body=m.html_body,
            calendar=m.calendar,
            calendar_method=m.calendar_method,
            attachments=[
                {
                    "filename": a.filename,
                    "content_type": a.content_type,
                    "base64": base64.b64encode(a.content).decode("ascii"),
                }
                for a in m.attachments
            ],
            language=m.language,
            kind=m.kind,
            event_ref=m.refs.event,
            registration_ref=m.refs.registration,
            invitation_ref=m.refs.invitation,
            person_ref=m.refs.person,
            sendout_ref=m.refs.sendout,
        )
        for m in messages
    ]
    created = OutgoingMessage.objects.bulk_create(rows)
    ids = [row.pk for row in created]
    transaction.on_commit(partial(enqueue_delivery, message_ids=ids))
    return created


def queue_message(*, message: Message) -> OutgoingMessage:
    return queue_messages(messages=[message])[0]


def enqueue_delivery(*, message_ids: list[int]) -> None:
    from .tasks import send_message

    for message_id in message_ids:
        send_message.apply_async(kwargs={"message_id": message_id}, queue="mail")
