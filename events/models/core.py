"""What and when: events, agenda sessions, questions, registrations, seats and the waiting list."""

import datetime as dt
import secrets
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from events.revisions import RevisionField
from partners.models import Host, Language, Network, Organisation, Person

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def new_token() -> str:
    """A personal-link token: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


TICKET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def new_ticket_code() -> str:
    # Each random byte picks one of 32 letters without bias (256 = 8 x 32), in one read.
    return "".join([TICKET_ALPHABET[b % 32] for b in secrets.token_bytes(10)])


class Event(models.Model):
    class Kind(models.TextChoices):
        CONFERENCE = "conference", _("Partnership conference")
        NETWORK_MEETING = "network_meeting", _("Network meeting")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", pgettext_lazy("event status", "Cancelled")

    class WaitingListMode(models.TextChoices):
        OFFER = "offer", _("Offer the seat, held for a period")
        AUTOMATIC = "automatic", _("Promote automatically")
        NONE = "none", _("No waiting list")

    # Drafts are not public (DESIGN rule 2): pages, API, feeds and the public-event SQL.
    PUBLIC_STATUSES = (Status.PUBLISHED, Status.CANCELLED)

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.NETWORK_MEETING
    )
    host = models.ForeignKey(
        Host, verbose_name=_("host"), on_delete=models.PROTECT, related_name="events"
    )
    network = models.ForeignKey(
        Network,
        verbose_name=_("network"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    all_day = models.BooleanField(_("all-day event"), default=False)
    venue_name = models.CharField(_("venue"), max_length=200, blank=True)
    venue_address = models.CharField(_("address"), max_length=300, blank=True)
    meeting_url = models.URLField(_("digital meeting link"), blank=True, max_length=500)
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    # Seats held by confirmed registrations and by open waiting-list offers (DESIGN rule 3).
    seats_taken = models.PositiveIntegerField(default=0, editable=False)
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    organiser_name = models.CharField(_("organiser contact name"), max_length=200, blank=True)
    organiser_email = models.EmailField(_("organiser contact email"), blank=True)
    serves_food = models.BooleanField(_("food is served"), default=False)
    offers_assistance = models.BooleanField(_("assistance is offered"), default=False)
    invitation_only = models.BooleanField(_("invitation only"), default=False)
    waiting_list_mode = models.CharField(
        _("waiting list"),
        max_length=10,
        choices=WaitingListMode.choices,
        default=WaitingListMode.OFFER,
    )
    offer_hours = models.PositiveIntegerField(_("hours a seat offer is held"), default=48)
    cancellation_message = models.TextField(_("cancellation message"), blank=True)
    # Calendar identity (DESIGN rule 7): one UID forever, SEQUENCE bumped on time/place/status change.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    revision = RevisionField(default=0, editable=False)  # any change, events.revisions
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(seats_taken__lte=F("capacity")),
                name="event_seats_within_capacity",
            ),
            models.CheckConstraint(
                condition=Q(registration_opens_at__isnull=True)
                | Q(registration_closes_at__isnull=True)
                | Q(registration_closes_at__gt=F("registration_opens_at")),
                name="event_registration_window_ordered",
            ),
        ]
        indexes = [models.Index(fields=["status", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"pk": self.pk})

    @property
    def is_past(self) -> bool:
        return self.ends_at <= timezone.now()

    @property
    def is_public(self) -> bool:
        return self.status in self.PUBLIC_STATUSES

    @property
    def registration_deadline(self) -> dt.datetime:
        """Registration closes at the deadline the organiser set, otherwise when the event ends."""
        return self.registration_closes_at or self.ends_at

    def can_give_seats(self, now: dt.datetime) -> bool:
        """A seat can only be given (promotion, an accepted offer) while published and not over."""
        return self.status == self.Status.PUBLISHED and self.ends_at > now

    @property
    def seats_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.seats_taken, 0)


class Session(models.Model):
    """An agenda item; may have its own capacity and sign-up (parallel workshops)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    room = models.CharField(_("room"), max_length=200, blank=True)
    speakers = models.CharField(_("speakers"), max_length=500, blank=True)
    requires_signup = models.BooleanField(_("participants sign up"), default=False)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    seats_taken = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(seats_taken__lte=F("capacity")),
                name="session_seats_within_capacity",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def seats_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.seats_taken, 0)


class Question(models.Model):
    class Kind(models.TextChoices):
        SHORT_TEXT = "short_text", _("Short text")
        LONG_TEXT = "long_text", _("Long text")
        SINGLE_CHOICE = "single_choice", _("Single choice")
        MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
        YES_NO = "yes_no", _("Yes/no")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="questions")
    label = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.label


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waiting list")
        OFFERED = "offered", _("Seat offered")
        CANCELLED = "cancelled", pgettext_lazy("registration status", "Cancelled")

    ACTIVE_STATUSES = (Status.CONFIRMED, Status.WAITLISTED, Status.OFFERED)
    # Waiting for a seat, or holding one offered: an organiser may confirm them.
    PROMOTABLE_STATUSES = (Status.WAITLISTED, Status.OFFERED)
    # Not a column: the place in line that the statement saving a waiting registration counted
    # (events.services.seats), for the answer to that same request.
    waitlist_position_at_save: int | None = None

    # Indexed by the (event, status, waitlisted_at) index; token and ticket_code unique by
    # constraints below (a unique field also gets a LIKE index on PostgreSQL, which nothing
    # asks). Every index is work on the busiest INSERT.
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="registrations", db_index=False
    )
    token = models.CharField(max_length=64, default=new_token, editable=False)
    ticket_code = models.CharField(
        _("ticket code"), max_length=16, default=new_ticket_code, editable=False
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="registrations"
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"))
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registrations",
    )
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.BOKMAL
    )
    # Special categories (DESIGN rule 8): only where the event needs them, each with its own consent.
    dietary_consent = models.BooleanField(default=False)
    dietary_needs = models.TextField(_("dietary needs"), blank=True)
    assistance_consent = models.BooleanField(default=False)
    assistance_needs = models.TextField(_("assistance needs"), blank=True)
    special_needs_deleted_at = models.DateTimeField(null=True, blank=True)
    list_consent = models.BooleanField(_("appear on the participant list"), default=False)
    # Waiting list: order by waitlisted_at; an offer holds a seat until offer_expires_at.
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked in by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                "event",
                Lower("email"),
                condition=Q(status__in=["confirmed", "waitlisted", "offered"]),
                name="one_active_registration_per_email",
            ),
            models.UniqueConstraint(fields=["token"], name="registration_token_unique"),
            models.UniqueConstraint(fields=["ticket_code"], name="registration_ticket_code_unique"),
        ]
        indexes = [
            models.Index(fields=["event", "status", "waitlisted_at"]),
            models.Index(fields=["status", "offer_expires_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} – {self.event}"

    def get_absolute_url(self) -> str:
        return reverse("events:manage", kwargs={"token": self.token})

    def change_refusal(self, now: dt.datetime) -> "StrOrPromise | None":
        """Why the holder of the link can no longer change this registration (a translated
        message), or None while they can."""
        event = self.event
        if self.status not in self.ACTIVE_STATUSES:
            return _("This registration is cancelled and can no longer be changed.")
        if event.status == Event.Status.CANCELLED:
            return _("This event has been cancelled, so the registration can no longer be changed.")
        if event.status != Event.Status.PUBLISHED or now >= event.registration_deadline:
            return _(
                "Registration has closed, so changes are no longer possible. Contact the organiser."
            )
        return None

    def can_be_changed(self, now: dt.datetime) -> bool:
        """The holder of the link may change answers, sessions, consents and details."""
        return self.change_refusal(now) is None

    def can_be_cancelled(self, now: dt.datetime) -> bool:
        """Active and the event not over (a cancelled event too: the participant may say so)."""
        return self.status in self.ACTIVE_STATUSES and self.event.ends_at > now

    def can_be_promoted(self, now: dt.datetime) -> bool:
        """An organiser may confirm someone waiting or holding an offer, while seats are given."""
        return self.status in self.PROMOTABLE_STATUSES and self.event.can_give_seats(now)

    @property
    def organisation_display(self) -> str:
        organisation = self.organisation if self.organisation_id else None
        return organisation.name if organisation else self.organisation_name


def email_key(email: str) -> str:
    """An address as records key it (sequences, reply tokens, one active registration each)."""
    return email.strip().lower()


class CalendarSequence(models.Model):
    """The highest iTIP SEQUENCE sent to one address for one event (events.calendar.sequences).
    Per address, not per registration: a cancellation and registering again, or an invitation
    and the registration it leads to, are one calendar entry on the recipient's side."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    email_key = models.CharField(max_length=254)  # the address, stripped and lower-cased
    sequence = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "email_key"], name="one_calendar_sequence_per_address"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.email_key}: {self.sequence}"


class ReplyToken(models.Model):  # noqa: DJ008 (never shown to anyone)
    """The token in the ORGANIZER and envelope sender of every message to one address about one
    event (events.calendar.organizer): what brings that person's answers and bounces back."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    email_key = models.CharField(max_length=254)
    token = models.CharField(max_length=32, unique=True)  # lower-case hex, 128 random bits
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "email_key"], name="one_reply_token_per_address"
            )
        ]


class SessionChoice(models.Model):
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="session_choices"
    )
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="choices")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "session"], name="one_choice_per_session"
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration} – {self.session}"


class Answer(models.Model):
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.JSONField(default=str)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "question"], name="one_answer_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.value}"
