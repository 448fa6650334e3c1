"""Registration forms: they parse and check input; the rules live in services/registering.py."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from partners.models import Language, Organisation

from .dates import format_hours
from .models import Event, Question, Registration, Session
from .participants import ParticipantDetails

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _check_ids(values: Any) -> None:
    """A primary key is a short string of digits; anything else never reaches the database."""
    for value in values if isinstance(values, list | tuple) else [values]:
        if not str(value).isdigit() or len(str(value)) > 18:
            raise forms.ValidationError(_("Select a valid choice."), code="invalid_choice")


class OrganisationChoiceField(forms.ModelChoiceField):
    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        _check_ids(value)
        return super().to_python(value)


class SessionChoiceField(forms.ModelMultipleChoiceField):
    def clean(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            _check_ids(value)
        return super().clean(value)

    def label_from_instance(self, obj: Session) -> str:
        label = "%s (%s)" % (obj.title, format_hours(obj))
        if obj.capacity is not None:
            if obj.seats_left:
                label += " – " + str(_("%(count)d seats left") % {"count": obj.seats_left})
            else:
                label += " – " + str(_("full"))
        return label


class ParticipationForm(forms.Form):
    """What a participant may set and later change: sessions, questions and consents."""

    def __init__(
        self,
        *args: Any,
        event: Event,
        sessions: list[Session],
        questions: list[Question],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.event = event
        self.questions = questions
        if event.serves_food:
            self.fields["dietary_consent"] = forms.BooleanField(
                required=False,
                label=_(
                    "I agree that the organisers store my dietary needs to plan the food. "
                    "They are deleted after the event."
                ),
            )
            self.fields["dietary_needs"] = forms.CharField(
                required=False,
                max_length=1000,
                label=_("Allergies or dietary needs"),
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        if event.offers_assistance:
            self.fields["assistance_consent"] = forms.BooleanField(
                required=False,
                label=_(
                    "I agree that the organisers store my need for assistance to make the "
                    "event accessible. It is deleted after the event."
                ),
            )
            self.fields["assistance_needs"] = forms.CharField(
                required=False,
                max_length=1000,
                label=_("Need for assistance or accessibility"),
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        signup = [s for s in sessions if s.requires_signup]
        if signup:
            self.fields["sessions"] = SessionChoiceField(
                queryset=Session.objects.filter(pk__in=[s.pk for s in signup]).order_by(
                    "starts_at", "id"
                ),
                required=False,
                widget=forms.CheckboxSelectMultiple,
                label=_("Sessions"),
                help_text=_("Choose the sessions you want to attend."),
            )
        for question in questions:
            self.fields["q_%d" % question.pk] = self._question_field(question)
        self.fields["list_consent"] = forms.BooleanField(
            required=False,
            label=_("Show my name and organisation on the participant list for this event"),
        )

    @staticmethod
    def _question_field(question: Question) -> forms.Field:
        common: dict[str, Any] = {
            "label": question.label,
            "help_text": question.help_text,
            "required": question.required,
        }
        options = [(str(c), str(c)) for c in question.choices]
        kind = question.kind
        if kind == Question.Kind.LONG_TEXT:
            return forms.CharField(
                max_length=5000, widget=forms.Textarea(attrs={"rows": 3}), **common
            )
        if kind == Question.Kind.SINGLE_CHOICE:
            return forms.ChoiceField(choices=options, widget=forms.RadioSelect, **common)
        if kind == Question.Kind.MULTIPLE_CHOICE:
            return forms.MultipleChoiceField(
                choices=options, widget=forms.CheckboxSelectMultiple, **common
            )
        if kind == Question.Kind.YES_NO:
            return forms.TypedChoiceField(
                choices=YES_NO,
                coerce=lambda v: v == "yes",
                empty_value=None,
                widget=forms.RadioSelect,
                **common,
            )
        return forms.CharField(max_length=500, **common)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for topic in ("dietary", "assistance"):
            needs = (data.get("%s_needs" % topic) or "").strip()
            if needs and not data.get("%s_consent" % topic):
                self.add_error(
                    "%s_consent" % topic,
                    _("Tick the box so that we may store what you wrote, or empty the field."),
                )
        return data

    def question_fields(self) -> list[forms.BoundField]:
        return [self["q_%d" % q.pk] for q in self.questions]

    def answers(self) -> dict[int, Any]:
        answers = {}
        for question in self.questions:
            value = self.cleaned_data.get("q_%d" % question.pk)
            if value not in (None, "", []):
                answers[question.pk] = value
        return answers

    def session_ids(self) -> list[int]:
        return [s.pk for s in self.cleaned_data.get("sessions") or []]

    def participation(self) -> dict[str, Any]:
        """Keyword arguments for the services."""
        data = self.cleaned_data
        return {
            "answers": self.answers(),
            "session_ids": self.session_ids(),
            "list_consent": bool(data.get("list_consent")),
            "dietary_consent": bool(data.get("dietary_consent")),
            "dietary_needs": data.get("dietary_needs") or "",
            "assistance_consent": bool(data.get("assistance_consent")),
            "assistance_needs": data.get("assistance_needs") or "",
        }

    @classmethod
    def initial_for(cls, registration: Registration) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "list_consent": registration.list_consent,
            "dietary_consent": registration.dietary_consent,
            "dietary_needs": registration.dietary_needs,
            "assistance_consent": registration.assistance_consent,
            "assistance_needs": registration.assistance_needs,
            "sessions": [c.session_id for c in registration.session_choices.all()],
        }
        questions = {q.pk: q for q in registration.event.questions.all()}
        for answer in registration.answers.all():
            value = answer.value
            question = questions.get(answer.question_id)
            if question is not None and question.kind == Question.Kind.YES_NO:
                value = "yes" if value else "no"
            initial["q_%d" % answer.question_id] = value
        return initial


class DetailsForm(ParticipationForm):
    """The participation fields and the details a participant may change through their link:
    organisation, title, phone and the language of their emails."""

    field_order = ["organisation", "organisation_name", "title", "phone", "language"]

    organisation = OrganisationChoiceField(
        queryset=Organisation.objects.order_by("name"),
        required=False,
        label=_("Organisation"),
        empty_label=_("Choose your organisation"),
    )
    organisation_name = forms.CharField(
        max_length=200,
        required=False,
        label=_("Not in the list? Type the name of your organisation"),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    title = forms.CharField(
        max_length=200,
        label=_("Job title or role"),
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    phone = forms.CharField(
        max_length=40,
        required=False,
        label=_("Mobile phone (optional)"),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    language = forms.ChoiceField(choices=Language.choices, label=_("Language for emails"))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        organisation = data.get("organisation")
        typed = (data.get("organisation_name") or "").strip()
        if organisation and typed:
            self.add_error(
                "organisation_name",
                _("Choose your organisation in the list or type its name, not both."),
            )
        elif not organisation and not typed and "organisation" not in self.errors:
            self.add_error("organisation", _("Choose your organisation or type its name."))
        # A known organisation typed by hand is linked by the registration service.
        return data

    def identity_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.field_order]

    def details(self) -> dict[str, Any]:
        """Keyword arguments for the services: the details and the participation fields."""
        data = self.cleaned_data
        return {
            "organisation": data.get("organisation"),
            "organisation_name": data.get("organisation_name") or "",
            "title": data.get("title") or "",
            "phone": data.get("phone") or "",
            "language": data["language"],
            **self.participation(),
        }

    @classmethod
    def initial_for(cls, registration: Registration) -> dict[str, Any]:
        return {
            **super().initial_for(registration),
            "organisation": registration.organisation_id,
            "organisation_name": registration.organisation_name,
            "title": registration.title,
            "phone": registration.phone,
            "language": registration.language,
        }


class RegistrationForm(DetailsForm):
    """The public registration form: who you are, then the participation fields."""

    field_order = ["name", "email", *DetailsForm.field_order]

    name = forms.CharField(
        max_length=200, label=_("Name"), widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        max_length=254, label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def participant_details(self) -> ParticipantDetails:
        """What the registrant said: the one argument of register_participant and of
        invitations' register_via_invitation."""
        data = self.cleaned_data
        return ParticipantDetails(name=data["name"], email=data["email"], **self.details())


class ResendLinkForm(forms.Form):
    email = forms.EmailField(max_length=254, label=_("Email"))
