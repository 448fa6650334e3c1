"""Who is asked: send-outs, invitations with personal links, opt-outs and reminders."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from events.models import Event, Registration
from partners.models import Language, Network, Organisation, Person


def new_token() -> str:
    """A personal-link token: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


class SendOut(models.Model):
    """One batch of invitations to an event. The selection is expanded by a Celery task."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        DONE = "done", _("Done")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="sendouts"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    message = models.TextField(_("personal message"), blank=True)
    # {"networks": [id], "organisations": [id], "organisation_roles": [[network id, role]],
    #  "people": [id]}: bounded by what the organiser picked, never by the number of people.
    selection = models.JSONField(default=dict, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    scheduled_at = models.DateTimeField(_("send at"), null=True, blank=True)
    # Expansion progress: people are processed in primary-key order, so a rerun resumes here.
    cursor = models.BigIntegerField(default=0, editable=False)
    invited_count = models.PositiveIntegerField(_("invited"), default=0)
    skipped_existing_count = models.PositiveIntegerField(
        _("left out: already invited or registered"), default=0
    )
    skipped_opted_out_count = models.PositiveIntegerField(
        _("left out: opted out of the network"), default=0
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    progressed_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("send-out")
        verbose_name_plural = _("send-outs")
        indexes = [models.Index(fields=["state", "scheduled_at"])]

    def __str__(self) -> str:
        return f"{self.event} – {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_running(self) -> bool:
        return self.state in (self.State.SCHEDULED, self.State.SENDING)


class Invitation(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("No answer yet")
        REGISTERED = "registered", _("Registered")
        DECLINED = "declined", _("Declined")
        # Accepted in a calendar, but the event asks what only the form can: the person has
        # been sent the link to finish, and reminders go on until they do.
        ACCEPTED = "accepted", _("Accepted in calendar, registration not complete")
        TENTATIVE = "tentative", _("Tentative")

    # Still to answer for good: reminders to answer go to these.
    OPEN_STATES = (State.PENDING, State.ACCEPTED, State.TENTATIVE)

    class Channel(models.TextChoices):
        WEB = "web", _("Web")
        CALENDAR = "calendar", _("Calendar")
        ORGANISER = "organiser", _("Organiser")

    sendout = models.ForeignKey(
        SendOut,
        verbose_name=_("send-out"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations",
    )
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="invitations"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations",
    )
    # The organisation the person belonged to when invited: the organiser's counts use it.
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations",
    )
    email = models.EmailField(_("email"))
    name = models.CharField(_("name"), max_length=200)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.BOKMAL
    )
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    state = models.CharField(
        _("answer"), max_length=10, choices=State.choices, default=State.PENDING
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    # How the answer came: the personal link, a calendar's Accept/Decline, or an organiser.
    channel = models.CharField(
        _("answered through"), max_length=10, choices=Channel.choices, blank=True
    )
    registration = models.ForeignKey(
        Registration,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations",
    )
    created_at = models.DateTimeField(_("invited"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint("event", Lower("email"), name="one_invitation_per_email"),
        ]
        indexes = [models.Index(fields=["event", "state"])]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}> – {self.event}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("invitations:answer", kwargs={"token": self.token})


class NetworkOptOut(models.Model):
    """Someone asked to get no more invitations from a network."""

    network = models.ForeignKey(
        Network, verbose_name=_("network"), on_delete=models.CASCADE, related_name="opt_outs"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="opt_outs"
    )
    email = models.EmailField(_("email"))
    # Lets its holder undo the opt-out without logging in.
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(_("opted out"), auto_now_add=True)

    class Meta:
        verbose_name = _("opt-out")
        verbose_name_plural = _("opt-outs")
        constraints = [
            models.UniqueConstraint("network", Lower("email"), name="one_opt_out_per_email"),
        ]

    def __str__(self) -> str:
        return f"{self.email} – {self.network}"


class EventReminderSettings(models.Model):
    """When this event's reminders go out. Empty: no such reminder."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="reminder_settings")
    remind_invitees_days_before_close = models.PositiveSmallIntegerField(
        _("remind invitees who have not answered, days before registration closes"),
        null=True,
        blank=True,
        default=3,
    )
    remind_participants_days_before = models.PositiveSmallIntegerField(
        _("remind participants, days before the event"), null=True, blank=True, default=2
    )

    class Meta:
        verbose_name = _("reminder settings")
        verbose_name_plural = _("reminder settings")

    def __str__(self) -> str:
        return str(self.event)


class ReminderDelivery(models.Model):
    """One reminder to one invitee or participant; the unique constraints make it at most once."""

    class Kind(models.TextChoices):
        INVITEE = "invitee", _("Reminder to answer")
        PARTICIPANT = "participant", _("Reminder before the event")
        # Accepted in a calendar, but the event asks what only the form can: the link to finish.
        FINISH = "finish", _("Link to finish the registration")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    invitation = models.ForeignKey(
        Invitation, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    registration = models.ForeignKey(
        Registration, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "invitation"],
                condition=Q(invitation__isnull=False),
                name="one_reminder_per_invitation",
            ),
            models.UniqueConstraint(
                fields=["kind", "registration"],
                condition=Q(registration__isnull=False),
                name="one_reminder_per_registration",
            ),
            models.CheckConstraint(
                condition=Q(invitation__isnull=False, registration__isnull=True)
                | Q(invitation__isnull=True, registration__isnull=False),
                name="reminder_invitation_xor_registration",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.invitation_id or self.registration_id}"


class GroupMessage(models.Model):
    """An organiser's message to a filtered group of an event's invitees or participants."""

    class Audience(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed participants")
        WAITLISTED = "waitlisted", _("On the waiting list")
        OFFERED = "offered", _("Offered a seat")
        NO_ANSWER = "no_answer", _("Invitees who have not answered")
        DECLINED = "declined", _("Invitees who declined")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="group_messages")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    audiences = models.JSONField(_("recipients"), default=list)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    recipient_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("message to participants")
        verbose_name_plural = _("messages to participants")

    def __str__(self) -> str:
        return self.subject


class InboundReply(models.Model):
    """What came back from the mailbox about an event (invitations.services.inbound): a
    calendar answer, a bounce, an auto-reply, a person writing back, or something that
    matched nothing. Organisers see these; each can be marked handled."""

    class Kind(models.TextChoices):
        CALENDAR_REPLY = "calendar_reply", _("Calendar answer")
        CALENDAR_COUNTER = "calendar_counter", _("Proposed new time")
        BOUNCE = "bounce", _("Bounced")
        DELAY = "delay", _("Delivery delayed")
        AUTO_REPLY = "auto_reply", _("Automatic reply")
        HUMAN = "human", _("Reply from a person")
        UNMATCHED = "unmatched", _("Matched nothing")

    class Applying(models.TextChoices):
        NONE = "", _("Nothing to do")
        PENDING = "pending", _("To be applied")
        # Claimed by one applier (claimed_at says when; another may take it over after a while).
        APPLYING = "applying", _("Being applied")
        APPLIED = "applied", _("Applied")
        REFUSED = "refused", _("Not applied")

    class Outcome(models.TextChoices):
        # Matched nothing (kind unmatched), or could not be matched to an answer.
        NO_TOKEN = "no_token", _("Not sent to a reply address")
        UNKNOWN_TOKEN = "unknown_token", _("Unknown reply address")
        WRONG_UID = "wrong_uid", _("About another event")
        ATTENDEE_MISMATCH = "attendee_mismatch", _("Answers for another address")
        SENDER_MISMATCH = "sender_mismatch", _("Sent from another address")
        STALE = "stale", _("Older than the last message sent")
        NOT_INVITED = "not_invited", _("Neither invited nor registered")
        UNKNOWN_ANSWER = "unknown_answer", _("Answer not understood")
        # A calendar answer applied (or found to change nothing).
        REGISTERED = "registered", _("Registered")
        WAITLISTED = "waitlisted", _("Registered on the waiting list")
        FINISH_SENT = "finish_sent", _("Sent the link to finish the registration")
        ACCEPTED = "accepted", _("Accepted, registration not complete")
        TENTATIVE = "tentative", _("Recorded as tentative")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Registration cancelled")
        RECORDED = "recorded", _("Recorded; nothing to change")
        UNCHANGED = "unchanged", _("Answered so already; nothing changed")
        REFUSED = "refused", _("Could not be applied")
        # Everything else.
        BOUNCED = "bounced", _("Marked as bounced")
        BOUNCE_UNMATCHED = "bounce_unmatched", _("Bounce of a message not found")
        DELAYED = "delayed", _("Delivery delayed; nothing changed")
        COUNTED = "counted", _("Counted; nothing changed")
        LISTED = "listed", _("For the organisers")

    inbound = models.ForeignKey(
        "worker.InboundMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.CASCADE, related_name="inbound_replies"
    )
    invitation = models.ForeignKey(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_replies"
    )
    registration = models.ForeignKey(
        Registration, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sendout = models.ForeignKey(
        SendOut, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_replies"
    )
    outgoing = models.ForeignKey(
        "worker.OutgoingMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sender = models.CharField(_("from"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    excerpt = models.TextField(_("text"), blank=True)
    # A calendar answer: ACCEPTED, DECLINED, TENTATIVE (or the COUNTER's proposed times).
    partstat = models.CharField(_("answer"), max_length=20, blank=True)
    proposed_start = models.DateTimeField(_("proposed start"), null=True, blank=True)
    proposed_end = models.DateTimeField(_("proposed end"), null=True, blank=True)
    # What was done, or why nothing was (a code; the note says more where there is more).
    outcome = models.CharField(_("outcome"), max_length=40, choices=Outcome.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    applying = models.CharField(max_length=10, choices=Applying.choices, blank=True, default="")
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    needs_attention = models.BooleanField(_("needs attention"), default=False)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("reply from the mailbox")
        verbose_name_plural = _("replies from the mailbox")
        indexes = [
            models.Index(fields=["event", "kind"]),
            models.Index(
                fields=["applying"],
                condition=Q(applying__in=["pending", "applying"]),
                name="inbound_reply_to_apply",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.sender}"
