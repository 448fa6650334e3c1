"""The answer form: it parses and checks input; the rules live in services/answering.py."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from partners.models import Language, Organisation

from .models import Answer, Call, CallQuestion
from .services.answering import MAX_TEXT, AnswerDetails

ACCEPT = ".pdf,.docx,.odt,.png,.jpg,.jpeg"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Up to MAX_ATTACHMENTS files from one input; the service checks what they are."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(f, initial) for f in files if f]


class OrganisationChoiceField(forms.ModelChoiceField):
    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        if not str(value).isdigit() or len(str(value)) > 18:
            raise forms.ValidationError(_("Select a valid choice."), code="invalid_choice")
        return super().to_python(value)


class AnswerForm(forms.Form):
    """Who answers, an answer per question, files, language and consent.

    `with_identity=False` (changing through the personal link): the email stays as it was."""

    name = forms.CharField(
        max_length=200, label=_("Name"), widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        max_length=254, label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    organisation = OrganisationChoiceField(
        queryset=Organisation.objects.order_by("name"),
        required=False,
        label=_("Organisation (optional)"),
        empty_label=_("Choose your organisation"),
    )
    organisation_name = forms.CharField(
        max_length=200,
        required=False,
        label=_("Not in the list? Type the name of your organisation"),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    on_behalf = forms.BooleanField(
        required=False, label=_("I answer on behalf of the organisation")
    )
    attachments = MultipleFileField(
        required=False,
        label=_("Attachments (optional)"),
        help_text=_(
            "Up to 3 files: PDF, Word (DOCX), OpenDocument text (ODT), PNG or JPEG, at most 10 MB each."
        ),
    )
    language = forms.ChoiceField(choices=Language.choices, label=_("Language for emails"))

    def __init__(
        self,
        *args: Any,
        call: Call,
        questions: list[CallQuestion],
        with_email: bool = True,
        answer: Answer | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.call = call
        self.questions = questions
        if not with_email:
            del self.fields["email"]
        for question in questions:
            self.fields["q_%d" % question.pk] = forms.CharField(
                label=question.text,
                help_text=question.help_text,
                required=question.required,
                max_length=MAX_TEXT,
                strip=True,
                widget=forms.Textarea(attrs={"rows": 8}),
            )
        if answer is not None and answer.pk:
            attachments = list(answer.attachments.all())
            if attachments:
                self.fields["remove_attachments"] = forms.TypedMultipleChoiceField(
                    choices=[(a.pk, a.original_name) for a in attachments],
                    coerce=int,
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                    label=_("Remove attachments"),
                )
        if call.publishes_answers:
            self.fields["consent_to_publish"] = forms.BooleanField(
                required=False,
                label=_("My answer may be published on this page, with my name and organisation."),
                help_text=_("The organisers decide which answers are published."),
            )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("organisation") and (data.get("organisation_name") or "").strip():
            self.add_error(
                "organisation_name",
                _("Choose your organisation in the list or type its name, not both."),
            )
        return data

    def identity_fields(self) -> list[forms.BoundField]:
        names = ["name", "email", "organisation", "organisation_name", "on_behalf"]
        return [self[n] for n in names if n in self.fields]

    def question_fields(self) -> list[forms.BoundField]:
        return [self["q_%d" % q.pk] for q in self.questions]

    def file_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in ("remove_attachments", "attachments") if n in self.fields]

    def final_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in ("language", "consent_to_publish") if n in self.fields]

    def details(self, *, email: str = "") -> AnswerDetails:
        data = self.cleaned_data
        return AnswerDetails(
            name=data["name"],
            email=data.get("email") or email,
            organisation=data.get("organisation"),
            organisation_name=data.get("organisation_name") or "",
            on_behalf=bool(data.get("on_behalf")),
            language=data["language"],
            consent_to_publish=bool(data.get("consent_to_publish")),
            texts={q.pk: data.get("q_%d" % q.pk) or "" for q in self.questions},
        )

    def uploads(self) -> list[Any]:
        return list(self.cleaned_data.get("attachments") or [])

    def removed(self) -> list[int]:
        return list(self.cleaned_data.get("remove_attachments") or [])

    @staticmethod
    def initial_for(answer: Answer) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "name": answer.name,
            "organisation": answer.organisation_id,
            "organisation_name": answer.organisation_name,
            "on_behalf": answer.on_behalf,
            "language": answer.language,
            "consent_to_publish": answer.consent_to_publish,
        }
        for text in answer.texts.all():
            initial["q_%d" % text.question_id] = text.text
        return initial
