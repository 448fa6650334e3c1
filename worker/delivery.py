"""The one place that talks SMTP. (Minimal first version; hardened in the messaging issue.)"""

import base64

from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.utils import timezone

from .models import OutgoingMessage


def build_email(row: OutgoingMessage, connection=None) -> EmailMultiAlternatives:
    to = f"{row.to_name} <{row.to_email}>" if row.to_name else row.to_email
    email = EmailMultiAlternatives(
        subject=row.subject,
        body=row.text_body,
        from_email=row.from_email,
        to=[to],
        reply_to=[row.reply_to] if row.reply_to else None,
        headers={"Message-ID": row.message_id, "Auto-Submitted": "auto-generated"},
        connection=connection,
    )
    if row.html_body:
        email.attach_alternative(row.html_body, "text/html")
    if row.calendar:
        method = row.calendar_method or "REQUEST"
        email.attach_alternative(row.calendar, f"text/calendar; method={method}")
        email.attach("invite.ics", row.calendar.encode("utf-8"), "application/ics")
    for attachment in row.attachments:
        email.attach(
            attachment["filename"],
            base64.b64decode(attachment["base64"]),
            attachment["content_type"],
        )
    return email


def deliver(*, message_id: int) -> None:
    with transaction.atomic():
        row = (
            OutgoingMessage.objects.select_for_update()
            .filter(
                pk=message_id,
                state__in=[OutgoingMessage.State.QUEUED, OutgoingMessage.State.RETRYING],
            )
            .first()
        )
        if row is None:
            return
        row.state = OutgoingMessage.State.SENDING
        row.claimed_at = timezone.now()
        row.attempts += 1
        row.save(update_fields=["state", "claimed_at", "attempts"])
    build_email(row, connection=get_connection()).send()
    OutgoingMessage.objects.filter(pk=row.pk).update(
        state=OutgoingMessage.State.SENT, sent_at=timezone.now(), last_response="250"
    )
