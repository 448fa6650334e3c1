"""The outbox: one row per outgoing email, written in the transaction that causes it."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OutgoingMessage(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        RETRYING = "retrying", _("Retrying")
        FAILED = "failed", _("Failed")
        # Composed too late to matter (e.g. a receipt for a registration already cancelled).
        SKIPPED = "skipped", _("Not sent")
        # Sent, then returned by the recipient's server as permanently undeliverable.
        BOUNCED = "bounced", _("Bounced")

    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    # Unique by a constraint (Meta): as a unique field it would also get a varchar_pattern_ops
    # index on PostgreSQL, for LIKE 'abc%', which nothing asks.
    message_id = models.CharField(_("Message-ID"), max_length=255)
    # The finished message, as the app handed it over.
    from_email = models.CharField(max_length=255)
    to_email = models.EmailField(_("recipient"))
    to_name = models.CharField(max_length=200, blank=True)
    reply_to = models.CharField(max_length=255, blank=True)
    subject = models.CharField(_("subject"), max_length=255)
    text_body = models.TextField()
    html_body = models.TextField(blank=True)
    calendar = models.TextField(blank=True, help_text="iCalendar text, sent inline and as .ics")
    calendar_method = models.CharField(max_length=20, blank=True)
    attachments = models.JSONField(
        default=list, blank=True, help_text="[{filename, content_type, base64}]"
    )
    language = models.CharField(max_length=5, blank=True)
    kind = models.CharField(_("kind"), max_length=50, blank=True)
    # False while the row waits for the composer registered for its kind (worker.composers):
    # the worker fills in the message when it sends the row.
    composed = models.BooleanField(_("composed"), default=True)
    # Plain references so each app can list its own messages; never interpreted here.
    event_ref = models.BigIntegerField(null=True, blank=True)
    registration_ref = models.BigIntegerField(null=True, blank=True)
    invitation_ref = models.BigIntegerField(null=True, blank=True)
    person_ref = models.BigIntegerField(null=True, blank=True)
    sendout_ref = models.BigIntegerField(null=True, blank=True)
    # Delivery bookkeeping.
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_response = models.TextField(_("last SMTP answer"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Who holds the claim: results are recorded only by the claim that sent the row.
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    bounced_at = models.DateTimeField(_("bounced"), null=True, blank=True)
    resend_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, db_index=False
    )
    # Emptied of the recipient and the bodies once it is sent or given up (worker.erasure):
    # a message to someone whose data was erased, still on its way to them.
    forget_after_send = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        constraints = [
            models.UniqueConstraint(fields=["message_id"], name="outbox_message_id_unique")
        ]
        # A reference is indexed only where it is set: most rows carry two or three of the
        # five, and every index entry is work on the busiest INSERT (a registration receipt).
        indexes = [
            models.Index(fields=["state", "created_at"]),
            *(
                models.Index(
                    fields=[name], condition=Q(**{name + "__isnull": False}), name="outbox_" + name
                )
                for name in (
                    "event_ref",
                    "registration_ref",
                    "invitation_ref",
                    "person_ref",
                    "sendout_ref",
                    "resend_of",
                )
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_subject} → {self.to_email} ({self.state})"

    @property
    def display_subject(self) -> str:
        if self.composed:
            return self.subject
        return str(_("(written when it is sent)"))


def new_message_id(domain: str) -> str:
    return f"<{uuid.uuid4().hex}@{domain}>"


class InboundMessage(models.Model):
    """One message read from the inbound mailbox, written in the transaction of what its
    handlers did: its row is what makes a second reading change nothing (worker/mailbox.py)."""

    class State(models.TextChoices):
        HANDLED = "handled", _("Handled")
        FAILED = "failed", _("Failed")

    # The mailbox's folder, its UIDVALIDITY and the message's UID name one message for good
    # (RFC 3501 2.3.1.1); the Message-ID finds it again if the server renumbers the folder.
    folder = models.CharField(max_length=255)
    uidvalidity = models.BigIntegerField()
    uid = models.BigIntegerField()
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True, db_index=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    size = models.PositiveIntegerField(_("size"), default=0)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    # What the handlers did, or why the message failed.
    outcome = models.TextField(_("outcome"), blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        constraints = [
            models.UniqueConstraint(
                fields=["folder", "uidvalidity", "uid"], name="inbound_message_uid_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.message_id or self.uid} ({self.state})"


class UndeliverableAddress(models.Model):
    """An address a permanent bounce (5.x.x) came back from: the worker sends it nothing more
    until an organiser corrects or clears it (worker.bounces)."""

    email_key = models.CharField(_("email"), max_length=254, unique=True)  # stripped, lower-case
    status = models.CharField(_("status"), max_length=20, blank=True)  # e.g. 5.1.1
    diagnostic = models.TextField(_("diagnostic"), blank=True)
    message = models.ForeignKey(
        OutgoingMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("marked"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("undeliverable address")
        verbose_name_plural = _("undeliverable addresses")

    def __str__(self) -> str:
        return self.email_key
