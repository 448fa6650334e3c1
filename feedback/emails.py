"""The survey's invitation and its reminder: one email per participant, in the language they
registered in, in the one email layout (events/email_layout.py's render_bodies, with the event
card), with the personal link to the survey."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from events.email_layout import render_bodies
from events.models import Registration
from worker.services import Message, References

from .models import Survey, SurveyInvitation


def _message(
    *, template: str, invitation: SurveyInvitation, registration: Registration, survey: Survey
) -> Message:
    event = survey.event
    language = invitation.language or settings.LANGUAGE_CODE
    closes_at = survey.closes_at()
    context = {
        "name": registration.name,
        "title": event.title,
        "button_url": settings.SITE_URL + invitation.get_absolute_url(),
        "answer_by": closes_at,
        "anonymous": survey.anonymous,
    }
    with translation.override(language):
        if template == "survey_reminder":
            subject = gettext("Reminder: how was %(title)s?") % {"title": event.title}
        else:
            subject = gettext("How was %(title)s?") % {"title": event.title}
        bodies = render_bodies("emails/feedback/%s" % template, context, event=event)
    return Message(
        to_email=registration.email,
        to_name=registration.name,
        subject=subject,
        text_body=bodies.text,
        html_body=bodies.html,
        attachments=bodies.inline,
        reply_to=event.organiser_email or event.host.email,
        language=language,
        kind="feedback_%s" % template,
        refs=References(
            event=event.pk, registration=registration.pk, person=registration.person_id
        ),
    )


def survey_message(
    *, invitation: SurveyInvitation, registration: Registration, survey: Survey
) -> Message:
    return _message(
        template="survey", invitation=invitation, registration=registration, survey=survey
    )


def survey_reminder_message(
    *, invitation: SurveyInvitation, registration: Registration, survey: Survey
) -> Message:
    return _message(
        template="survey_reminder", invitation=invitation, registration=registration, survey=survey
    )
