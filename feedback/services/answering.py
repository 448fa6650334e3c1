"""Answering a survey through the personal link: the answers checked against the questions
(one rule, for the page and anything else that takes answers), then stored once.

Once is held by the database: the invitation is claimed by a conditional UPDATE of answered_at
(null -> now) in the transaction that writes the response, so a second POST, a double click
or two tabs store one response. An anonymous survey's response carries no registration (a
CheckConstraint refuses one) and nothing that leads back to the invitation.
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import RATING_VALUES, SurveyAnswer, SurveyInvitation, SurveyQuestion, SurveyResponse
from .errors import SurveyAlreadyAnswered, SurveyClosed, SurveyError

MAX_TEXT = 4000
Kind = SurveyQuestion.Kind


def field_name(question: SurveyQuestion) -> str:
    return "q%d" % question.pk


def _values(data: Mapping[str, Any], name: str) -> list[str]:
    getlist = getattr(data, "getlist", None)
    raw = getlist(name) if getlist else data.get(name, [])
    if isinstance(raw, str | int):
        raw = [raw]
    return [str(value).strip() for value in raw if str(value).strip()]


def clean_answers(
    questions: Sequence[SurveyQuestion], data: Mapping[str, Any]
) -> dict[int, dict[str, Any]]:
    """Each answered question's stored values ({rating}, {chosen} or {text}) by question id;
    a ValidationError keyed by field name (q<id>) for anything wrong, in the active language."""
    cleaned: dict[int, dict[str, Any]] = {}
    errors: dict[str, list[str]] = {}
    for question in questions:
        name = field_name(question)
        values = _values(data, name)
        if not values:
            if question.required:
                errors[name] = [_("Please answer this question.")]
            continue
        if question.kind == Kind.RATING:
            if len(values) != 1 or values[0] not in {str(v) for v in RATING_VALUES}:
                errors[name] = [_("Choose a rating from 1 to 5.")]
            else:
                cleaned[question.pk] = {"rating": int(values[0])}
        elif question.kind in SurveyQuestion.CHOICE_KINDS:
            options = question.options()
            single = question.kind == Kind.SINGLE_CHOICE
            if any(v not in options for v in values) or (single and len(values) > 1):
                errors[name] = [_("Choose one of the options given.")]
            else:
                chosen = [option for option in options if option in values]  # the asked order
                cleaned[question.pk] = {"chosen": chosen}
        else:
            text = "\n".join(values)
            if len(text) > MAX_TEXT:
                errors[name] = [
                    _("Please keep the answer under %(count)s characters.") % {"count": MAX_TEXT}
                ]
            else:
                cleaned[question.pk] = {"text": text}
    if errors:
        raise ValidationError(errors)
    return cleaned


def answer_refusal(invitation: SurveyInvitation, now: dt.datetime) -> SurveyError | None:
    """Why the link takes no answer (a translated refusal), or None while it does."""
    if invitation.answered_at is not None:
        return SurveyAlreadyAnswered(_("This survey has already been answered. Thank you!"))
    if not invitation.survey.is_open(now):
        return SurveyClosed(_("This survey is closed and takes no more answers."))
    return None


@transaction.atomic(durable=True)
def submit_survey_response(
    *, invitation: SurveyInvitation, data: Mapping[str, Any], now: dt.datetime | None = None
) -> SurveyResponse:
    """Check the answers, claim the invitation and store the response. Bad answers raise
    ValidationError and store nothing; a used or closed link raises a SurveyError."""
    now = now or timezone.now()
    survey = invitation.survey
    if refusal := answer_refusal(invitation, now):
        raise refusal
    questions = list(survey.questions.all())
    cleaned = clean_answers(questions, data)
    claimed = SurveyInvitation.objects.filter(pk=invitation.pk, answered_at__isnull=True).update(
        answered_at=now
    )
    if not claimed:
        raise SurveyAlreadyAnswered(_("This survey has already been answered. Thank you!"))
    response = SurveyResponse.objects.create(
        survey=survey,
        anonymous=survey.anonymous,
        registration=None if survey.anonymous else invitation.registration,
    )
    SurveyAnswer.objects.bulk_create(
        [
            SurveyAnswer(response=response, question_id=question_id, **values)
            for question_id, values in cleaned.items()
        ]
    )
    invitation.answered_at = now
    return response
