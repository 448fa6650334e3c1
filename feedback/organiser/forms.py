"""The organiser's survey forms: they parse input only; feedback.services.organising decides."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from events.dates import format_date
from events.organiser.forms import ChoicesField

from ..models import Survey, SurveyQuestion


class SurveySettingsForm(forms.Form):
    label_suffix = ""
    send_after_hours = forms.IntegerField(
        label=_("Send this many hours after the event ends"), min_value=0, max_value=720
    )
    audience = forms.ChoiceField(label=_("Who is asked"), choices=Survey.Audience.choices)
    anonymous = forms.BooleanField(
        label=_("Anonymous answers"),
        required=False,
        help_text=_("Answers are stored without any link to the participant."),
    )
    reminder_after_hours = forms.IntegerField(
        label=_("Remind those who have not answered after this many hours"),
        min_value=1,
        max_value=2000,
        required=False,
        help_text=_("Empty: no reminder."),
    )
    open_days = forms.IntegerField(label=_("Days the survey is open"), min_value=1, max_value=90)

    def __init__(self, *args: Any, survey: Survey | None = None, **kwargs: Any) -> None:
        source = survey or Survey()
        kwargs.setdefault(
            "initial",
            {
                "send_after_hours": source.send_after_hours,
                "audience": source.audience,
                "anonymous": source.anonymous,
                "reminder_after_hours": source.reminder_after_hours,
                "open_days": source.open_days,
            },
        )
        super().__init__(*args, **kwargs)


class SurveyQuestionForm(forms.Form):
    label_suffix = ""
    text = forms.CharField(label=_("Question"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=SurveyQuestion.Kind.choices)
    choices = ChoicesField(
        label=_("Choices"),
        required=False,
        help_text=_("For single and multiple choice: one choice per line."),
    )
    required = forms.BooleanField(label=_("Required"), required=False)


class CopyQuestionsForm(forms.Form):
    label_suffix = ""
    source = forms.TypedChoiceField(label=_("Earlier survey"), coerce=int)

    def __init__(self, *args: Any, sources: list[Survey], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sources = {survey.pk: survey for survey in sources}
        field = self.fields["source"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            (
                survey.pk,
                "%s (%s)"
                % (survey.event.title, format_date(survey.event.starts_at, weekday=False)),
            )
            for survey in sources
        ]
