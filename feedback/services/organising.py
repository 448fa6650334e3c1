"""The organiser's side of a survey: its settings, its questions (add, change, delete, move), and
copying questions from an earlier survey. Nothing changes once the survey has been sent: the
answers must mean what the questions said when they were given."""

from collections.abc import Mapping
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from events.models import Event

from ..models import Survey, SurveyQuestion

SETTINGS_FIELDS = ("send_after_hours", "audience", "anonymous", "reminder_after_hours", "open_days")
QUESTION_FIELDS = ("text", "kind", "choices", "required")


def _check_settings(values: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError("not survey settings: %s" % ", ".join(sorted(unknown)))
    cleaned = dict(values)
    open_days = cleaned.get("open_days", 14)
    reminder = cleaned.get("reminder_after_hours")
    if reminder is not None and reminder >= open_days * 24:
        raise ValidationError(
            {"reminder_after_hours": [_("The reminder must go out while the survey is open.")]}
        )
    return cleaned


def _locked_unsent(survey: Survey) -> Survey:
    """The survey's row, locked: it serialises edits with the sending, which claims it."""
    locked = Survey.objects.select_for_update().get(pk=survey.pk)
    if locked.sent_at is not None:
        raise ValidationError(_("The survey has been sent and can no longer be changed."))
    return locked


@transaction.atomic(durable=True)
def save_survey(*, event: Event, values: Mapping[str, Any]) -> Survey:
    """Create the event's survey, or change its settings while it is not sent."""
    cleaned = _check_settings(values)
    if event.status == Event.Status.CANCELLED:
        raise ValidationError(_("A cancelled event cannot have a survey."))
    survey = Survey.objects.filter(event=event).first()
    if survey is None:
        return Survey.objects.create(event=event, **cleaned)
    survey = _locked_unsent(survey)
    for name, value in cleaned.items():
        setattr(survey, name, value)
    survey.save(update_fields=list(cleaned))
    return survey


def _clean_question(values: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(QUESTION_FIELDS)
    if unknown:
        raise ValueError("not question fields: %s" % ", ".join(sorted(unknown)))
    cleaned = dict(values)
    text = str(cleaned.get("text") or "").strip()
    if not text:
        raise ValidationError({"text": [_("This field is required.")]})
    cleaned["text"] = text
    choices = [str(c).strip() for c in cleaned.get("choices") or [] if str(c).strip()]
    choices = list(dict.fromkeys(choices))  # the organiser's order, no repeats
    if cleaned.get("kind") in SurveyQuestion.CHOICE_KINDS:
        if len(choices) < 2:
            raise ValidationError({"choices": [_("Give at least two choices, one per line.")]})
    else:
        choices = []
    cleaned["choices"] = choices
    return cleaned


def _next_position(survey: Survey) -> int:
    last = SurveyQuestion.objects.filter(survey=survey).aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


@transaction.atomic(durable=True)
def add_survey_question(*, survey: Survey, values: Mapping[str, Any]) -> SurveyQuestion:
    cleaned = _clean_question(values)
    _locked_unsent(survey)
    return SurveyQuestion.objects.create(survey=survey, position=_next_position(survey), **cleaned)


@transaction.atomic(durable=True)
def change_survey_question(
    *, question: SurveyQuestion, values: Mapping[str, Any]
) -> SurveyQuestion:
    """Change a question in place (text, kind, choices, required) while the survey is unsent;
    its position stays."""
    cleaned = _clean_question(values)
    _locked_unsent(question.survey)
    for name, value in cleaned.items():
        setattr(question, name, value)
    question.save(update_fields=list(cleaned))
    return question


@transaction.atomic(durable=True)
def delete_survey_question(*, question: SurveyQuestion) -> None:
    _locked_unsent(question.survey)
    question.delete()


@transaction.atomic(durable=True)
def move_survey_question(*, question: SurveyQuestion, direction: Literal["up", "down"]) -> None:
    """Swap the question with its neighbour; positions are renumbered 0..n on the way."""
    _locked_unsent(question.survey)
    ordered = list(SurveyQuestion.objects.filter(survey_id=question.survey_id))
    index = next(i for i, q in enumerate(ordered) if q.pk == question.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered):
        item.position = position
    SurveyQuestion.objects.bulk_update(ordered, ["position"])


@transaction.atomic(durable=True)
def copy_survey_questions(*, survey: Survey, source: Survey) -> int:
    """Append the source survey's questions (text, kind, choices, required), in their order.
    The caller has checked that the organiser may see the source. Returns how many."""
    if source.pk == survey.pk:
        raise ValidationError({"source": [_("Choose another event's survey.")]})
    _locked_unsent(survey)
    position = _next_position(survey)
    copies = [
        SurveyQuestion(
            survey=survey,
            text=question.text,
            kind=question.kind,
            choices=list(question.choices),
            required=question.required,
            position=position + offset,
        )
        for offset, question in enumerate(source.questions.all())
    ]
    if not copies:
        raise ValidationError({"source": [_("That survey has no questions.")]})
    SurveyQuestion.objects.bulk_create(copies)
    return len(copies)
