"""The beat sends a survey N hours after its event ends, once, to the audience chosen, each
email in the participant's language; one reminder to those who have not answered."""

import datetime as dt

import pytest
from django.utils import timezone

from feedback.models import Survey, SurveyInvitation
from feedback.services.sending import send_due_surveys, send_survey_reminders
from worker.models import OutgoingMessage

from .conftest import invitation_of


def test_not_sent_before_the_hours_after_the_end(feedback):
    feedback.survey.send_after_hours = 4  # the event ended 3 hours ago
    feedback.survey.save()
    assert send_due_surveys() == 0
    assert send_due_surveys(now=timezone.now() + dt.timedelta(hours=1, minutes=1)) == 2


def test_sent_once_to_those_who_checked_in_in_their_language(
    feedback, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        assert send_due_surveys() == 2
    assert callbacks, "the emails are enqueued after the commit"
    assert send_due_surveys() == 0  # claimed: a second run mails nobody
    rows = {m.to_email: m for m in OutgoingMessage.objects.all()}
    assert set(rows) == {"kari@example.org", "nils@example.org"}
    nils = rows["nils@example.org"]
    assert nils.language == "nn"
    assert nils.subject == "Korleis var Klimasamling?"
    token = invitation_of(feedback.nils).token
    assert "/tilbakemelding/%s/" % token in nils.text_body
    assert len(token) >= 43  # 256 random bits, URL-safe
    assert rows["kari@example.org"].subject == "Hvordan var Klimasamling?"


def test_all_confirmed_when_the_organiser_chose_so(feedback):
    feedback.survey.audience = Survey.Audience.CONFIRMED
    feedback.survey.save()
    assert send_due_surveys() == 3
    emma = OutgoingMessage.objects.get(to_email="emma@example.org")
    assert emma.subject == "How was Klimasamling?"
    assert not OutgoingMessage.objects.filter(to_email="gone@example.org").exists()


@pytest.mark.parametrize("status", ["draft", "cancelled"])
def test_not_sent_for_an_event_not_held(feedback, status):
    type(feedback.event).objects.filter(pk=feedback.event.pk).update(status=status)
    assert send_due_surveys() == 0


def test_not_sent_without_questions(feedback):
    feedback.survey.questions.all().delete()
    assert send_due_surveys() == 0


def test_one_reminder_to_those_who_have_not_answered(sent):
    kari = invitation_of(sent.kari)
    kari.answered_at = timezone.now()
    kari.save()
    sent_at = sent.survey.sent_at
    assert send_survey_reminders(now=sent_at + dt.timedelta(hours=71)) == 0
    later = sent_at + dt.timedelta(hours=73)
    assert send_survey_reminders(now=later) == 1
    assert send_survey_reminders(now=later + dt.timedelta(hours=1)) == 0
    reminders = OutgoingMessage.objects.filter(kind="feedback_survey_reminder")
    assert [(m.to_email, m.subject) for m in reminders] == [
        ("nils@example.org", "Påminning: korleis var Klimasamling?")
    ]


def test_no_reminder_once_closed(sent):
    assert send_survey_reminders(now=sent.survey.sent_at + dt.timedelta(days=15)) == 0
    assert SurveyInvitation.objects.filter(reminded_at__isnull=False).count() == 0
