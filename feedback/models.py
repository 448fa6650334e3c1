"""Feedback after an event: a short survey, the invitations to answer it, and the answers.

An anonymous survey's response has no link to a registration or an invitation: the invitation
only records that its link was used (answered_at), and the response has a random primary key
and no time of its own, so neither its order nor a timestamp ties it back to a person.
"""

import datetime as dt
import uuid

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from events.models import Event, Registration, new_token
from partners.models import Language

RATING_VALUES = (1, 2, 3, 4, 5)


class Survey(models.Model):
    class Audience(models.TextChoices):
        CHECKED_IN = "checked_in", _("Participants who checked in")
        CONFIRMED = "confirmed", _("Everyone confirmed")

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="survey")
    send_after_hours = models.PositiveSmallIntegerField(
        _("send this many hours after the event ends"), default=2
    )
    audience = models.CharField(
        _("who is asked"), max_length=12, choices=Audience.choices, default=Audience.CHECKED_IN
    )
    anonymous = models.BooleanField(
        _("anonymous answers"),
        default=True,
        help_text=_("Answers are stored without any link to the participant."),
    )
    reminder_after_hours = models.PositiveSmallIntegerField(
        _("remind those who have not answered after this many hours"),
        null=True,
        blank=True,
        default=72,
        help_text=_("Empty: no reminder."),
    )
    open_days = models.PositiveSmallIntegerField(_("days the survey is open"), default=14)
    # Claimed once by a conditional UPDATE (services/sending.py): set, the invitations exist.
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.CheckConstraint(
                condition=Q(send_after_hours__lte=24 * 30), name="survey_sent_within_a_month"
            ),
            models.CheckConstraint(
                condition=Q(reminder_after_hours__isnull=True)
                | Q(reminder_after_hours__gte=1, reminder_after_hours__lt=F("open_days") * 24),
                name="survey_reminder_while_open",
            ),
            models.CheckConstraint(
                condition=Q(open_days__gte=1, open_days__lte=90), name="survey_open_days_range"
            ),
        ]

    def __str__(self) -> str:
        return str(self.event)

    def send_at(self) -> dt.datetime:
        return self.event.ends_at + dt.timedelta(hours=self.send_after_hours)

    def closes_at(self) -> dt.datetime | None:
        """When the links stop taking answers: open_days after the survey was sent."""
        if self.sent_at is None:
            return None
        return self.sent_at + dt.timedelta(days=self.open_days)

    def is_open(self, now: dt.datetime) -> bool:
        closes_at = self.closes_at()
        return closes_at is not None and now < closes_at


class SurveyQuestion(models.Model):
    class Kind(models.TextChoices):
        RATING = "rating", _("Rating 1–5")
        SINGLE_CHOICE = "single_choice", _("Single choice")
        MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
        FREE_TEXT = "free_text", _("Free text")

    CHOICE_KINDS = (Kind.SINGLE_CHOICE, Kind.MULTIPLE_CHOICE)

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(_("question"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")

    def __str__(self) -> str:
        return self.text

    def options(self) -> list[str]:
        """What can be chosen: 1-5 for a rating, the choices for a choice, nothing for text."""
        if self.kind == self.Kind.RATING:
            return [str(value) for value in RATING_VALUES]
        if self.kind in self.CHOICE_KINDS:
            return [str(choice) for choice in self.choices]
        return []


class SurveyInvitation(models.Model):
    """One participant's personal link to the survey (a random 256-bit token)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="survey_invitations"
    )
    token = models.CharField(max_length=64, default=new_token, editable=False)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.BOKMAL)
    created_at = models.DateTimeField(auto_now_add=True)
    # Claimed by conditional UPDATEs: the reminder once, the answer once.
    reminded_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    # Set by the retention or an erasure (services/retention.py): the link is dead, the row
    # stays for the survey's counts.
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [
            models.UniqueConstraint(fields=["token"], name="survey_invitation_token_unique"),
            models.UniqueConstraint(
                fields=["survey", "registration"], name="one_survey_invitation_per_registration"
            ),
        ]

    def __str__(self) -> str:
        return "%s – %s" % (self.survey, self.registration_id)

    def get_absolute_url(self) -> str:
        return reverse("feedback:answer", kwargs={"token": self.token})


class SurveyResponse(models.Model):
    """One filled-in survey. Anonymous: no registration, no time, a random key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    anonymous = models.BooleanField()
    registration = models.ForeignKey(
        Registration,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_responses",
    )

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [
            models.CheckConstraint(
                condition=Q(anonymous=False) | Q(registration__isnull=True),
                name="anonymous_response_has_no_registration",
            ),
            models.UniqueConstraint(
                fields=["survey", "registration"],
                condition=Q(registration__isnull=False),
                name="one_response_per_registration",
            ),
        ]

    def __str__(self) -> str:
        return str(self.pk)


class SurveyAnswer(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="answers")
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    chosen = models.JSONField(default=list, blank=True)  # the choices' texts, as asked
    text = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="one_survey_answer_per_question"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="survey_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return "%s: %s" % (self.question_id, self.rating or self.chosen or self.text)
