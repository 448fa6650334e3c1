"""Calls for input (innspill): a host asks its region, people answer, organisers sort the answers."""

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from partners.models import Host, Language, Network, Organisation, Person

from .storage import attachment_path, attachment_storage


def new_token() -> str:
    """A personal-link token: 256 random bits, URL-safe (DESIGN rule 5)."""
    return secrets.token_urlsafe(32)


class Call(models.Model):
    """One call for input. Its texts are in one language, whatever the reader's language is."""

    class Audience(models.TextChoices):
        ANYONE = "anyone", _("Anyone may answer")
        INVITED = "invited", _("Only invited people may answer")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    host = models.ForeignKey(
        Host, verbose_name=_("host"), on_delete=models.PROTECT, related_name="calls"
    )
    network = models.ForeignKey(
        Network,
        verbose_name=_("network"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    # Plain text: blank lines separate paragraphs and web addresses become links when shown
    # (the `call_text` filter); organisers' HTML is never rendered as HTML.
    introduction = models.TextField(_("introduction"), blank=True)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("deadline"))
    audience = models.CharField(
        _("who may answer"), max_length=10, choices=Audience.choices, default=Audience.ANYONE
    )
    publishes_answers = models.BooleanField(_("answers are published"), default=False)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_title = models.CharField(_("contact person's title"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact person's email"), blank=True)
    contact_phone = models.CharField(_("contact person's phone"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # Days before the deadline that invitees who have not answered are reminded; none: never.
    reminder_days = models.PositiveIntegerField(
        _("reminder, days before the deadline"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-closes_at", "id"]
        verbose_name = _("call for input")
        verbose_name_plural = _("calls for input")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="call_closes_after_it_opens"
            ),
        ]
        indexes = [models.Index(fields=["status", "closes_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("calls:detail", kwargs={"slug": self.slug})

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def is_open(self, now: dt.datetime) -> bool:
        """Answers are taken from the opening up to (not including) the deadline."""
        return self.is_public and self.opens_at <= now < self.closes_at

    def has_closed(self, now: dt.datetime) -> bool:
        return now >= self.closes_at

    @property
    def is_invitation_only(self) -> bool:
        return self.audience == self.Audience.INVITED


class CallQuestion(models.Model):
    """A question or topic an answer speaks to; each answer has one text per question."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveIntegerField(_("order"), default=0)
    text = models.TextField(_("question"))
    help_text = models.TextField(_("help text"), blank=True)
    required = models.BooleanField(_("an answer is required"), default=False)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text[:80]


class CallInvitation(models.Model):
    """A person asked to answer, with a personal link to the form (the only way in when the
    call is for invited people only)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Not sent yet")
        SENT = "sent", _("Sent")
        ANSWERED = "answered", _("Answered")
        FAILED = "failed", _("Could not be delivered")

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="call_invitations"
    )
    email = models.EmailField(_("email"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.BOKMAL
    )
    token = models.CharField(max_length=64, default=new_token, editable=False)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="call_invitations",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("invitation to answer")
        verbose_name_plural = _("invitations to answer")
        constraints = [
            models.UniqueConstraint("call", Lower("email"), name="one_call_invitation_per_email"),
            models.UniqueConstraint(fields=["token"], name="call_invitation_token_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.email} – {self.call}"

    def get_absolute_url(self) -> str:
        return reverse("calls:invited", kwargs={"token": self.token})


class CallSendOut(models.Model):
    """One send-out of invitations to answer a call: recorded in the organiser's request, then
    expanded by a Celery task (calls.tasks.expand_sendout) a batch per transaction."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Waiting to start")
        SENDING = "sending", _("Sending")
        DONE = "done", _("Done")
        # The call closed or was unpublished before everyone was invited: the rest are not.
        STOPPED = "stopped", _("Stopped: the call is closed or not published")

    RUNNING_STATES = (State.SCHEDULED, State.SENDING)

    call = models.ForeignKey(
        Call, verbose_name=_("call for input"), on_delete=models.CASCADE, related_name="sendouts"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("personal message"), blank=True)
    # {"networks": [id], "organisations": [id], "scope": [network id] (absent: superuser),
    #  "pasted": [[name, email, language]]}: what the organiser picked, the pasted list checked.
    selection = models.JSONField(default=dict, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.SCHEDULED
    )
    # Progress: the selected people in primary-key order, then the pasted rows in their order;
    # each batch moves these in the transaction that invites its people, so a rerun resumes.
    people_cursor = models.BigIntegerField(default=0, editable=False)
    people_done = models.BooleanField(default=False, editable=False)
    pasted_cursor = models.PositiveIntegerField(default=0, editable=False)
    invited_count = models.PositiveIntegerField(_("invited"), default=0)
    already_invited_count = models.PositiveIntegerField(_("left out: already invited"), default=0)
    opted_out_count = models.PositiveIntegerField(_("left out: opted out"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    progressed_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("send-out")
        verbose_name_plural = _("send-outs")
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return f"{self.call} – {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_running(self) -> bool:
        return self.state in self.RUNNING_STATES


class Answer(models.Model):
    """An answer to a call. A public record once received (offentleglova): it is kept, and
    shown publicly only when the call publishes, the person consented and an organiser chose to."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        UNDER_CONSIDERATION = "under_consideration", _("Under consideration")
        ANSWERED = "answered", _("Answered")

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="answers")
    token = models.CharField(max_length=64, default=new_token, editable=False)
    invitation = models.ForeignKey(
        CallInvitation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="answers",
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"))
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="call_answers",
    )
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    on_behalf = models.BooleanField(_("on behalf of the organisation"), default=False)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.BOKMAL
    )
    consent_to_publish = models.BooleanField(_("may be published"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    internal_note = models.TextField(_("internal note"), blank=True)
    published = models.BooleanField(_("published"), default=False)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["token"], name="call_answer_token_unique"),
            # Publishing needs the person's consent, and a withdrawn answer is never shown.
            models.CheckConstraint(
                condition=Q(published=False)
                | Q(consent_to_publish=True, withdrawn_at__isnull=True),
                name="call_answer_published_with_consent",
            ),
            # One answer per invitation; a second visit to the link changes the first.
            models.UniqueConstraint(
                fields=["invitation"],
                condition=Q(invitation__isnull=False, withdrawn_at__isnull=True),
                name="one_answer_per_call_invitation",
            ),
        ]
        indexes = [models.Index(fields=["call", "published"])]

    def __str__(self) -> str:
        return f"{self.name} – {self.call}"

    def get_absolute_url(self) -> str:
        return reverse("calls:answer", kwargs={"token": self.token})

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def can_be_changed(self, now: dt.datetime) -> bool:
        """Its holder may change or withdraw it until the call's deadline."""
        return not self.is_withdrawn and self.anonymised_at is None and now < self.call.closes_at

    @property
    def organisation_display(self) -> str:
        return self.organisation.name if self.organisation_id else self.organisation_name  # type: ignore[union-attr]


class AnswerText(models.Model):
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="texts")
    question = models.ForeignKey(CallQuestion, on_delete=models.CASCADE, related_name="texts")
    text = models.TextField(_("answer"))

    class Meta:
        ordering = ["question__order", "question_id"]
        verbose_name = _("answer to a question")
        verbose_name_plural = _("answers to questions")
        constraints = [
            models.UniqueConstraint(
                fields=["answer", "question"], name="one_text_per_answer_and_question"
            )
        ]

    def __str__(self) -> str:
        return self.text[:80]


class AnswerAttachment(models.Model):
    """A file sent with an answer, stored under a random name outside the public trees."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, storage=attachment_storage, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    # Shown on the public page only when the answer is published and this file is too.
    published = models.BooleanField(_("published"), default=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name
