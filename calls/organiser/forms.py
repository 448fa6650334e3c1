"""The organiser's forms for calls: they parse input only; calls.services.organising decides.

Plain forms, not ModelForms, so a call is never half-changed by validation and the service's
messages reach the organiser.
"""

from typing import Any

from django import forms
from django.contrib.auth.models import AnonymousUser, User
from django.forms.models import fields_for_model, model_to_dict
from django.utils.translation import gettext_lazy as _

from partners.models import Language, Organisation, OrganisationMembership

from ..models import Answer, Call
from ..selectors_organiser import STATUS_FILTERS, WITHDRAWN, hosts_for_choice, networks_for_choice
from ..services.organising import CALL_FIELDS, MAX_REMINDER_DAYS, QuestionValues

DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M"]


class LocalDateTimeInput(forms.DateTimeInput):
    """A `datetime-local` input, shown and read in the current time zone (Europe/Oslo)."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class CallForm(forms.Form):
    def __init__(
        self, *args: Any, user: User | AnonymousUser, instance: Call | None = None, **kwargs: Any
    ) -> None:
        kwargs.setdefault("label_suffix", "")
        if instance is not None:
            kwargs.setdefault("initial", model_to_dict(instance, fields=list(CALL_FIELDS)))
        super().__init__(*args, **kwargs)
        self.fields.update(
            fields_for_model(
                Call,
                fields=list(CALL_FIELDS),
                widgets={"introduction": forms.Textarea(attrs={"rows": 8})},
            )
        )
        for name in ("opens_at", "closes_at"):
            self.fields[name] = forms.DateTimeField(
                label=Call._meta.get_field(name).verbose_name.capitalize(),  # type: ignore[union-attr]
                widget=LocalDateTimeInput(),
                input_formats=DATETIME_INPUT_FORMATS,
                help_text=_("Norwegian time."),
            )
        self.fields["introduction"].help_text = _(
            "Plain text: a blank line starts a new paragraph, and web addresses become links."
        )
        self.fields["reminder_days"] = forms.IntegerField(
            label=_("Reminder, days before the deadline"),
            required=False,
            min_value=0,
            max_value=MAX_REMINDER_DAYS,
            help_text=_("Invitees who have not answered get one reminder. Empty: no reminder."),
        )
        host_field = self.fields["host"]
        network_field = self.fields["network"]
        assert isinstance(host_field, forms.ModelChoiceField)
        assert isinstance(network_field, forms.ModelChoiceField)
        host_field.queryset = hosts_for_choice(user)
        network_field.queryset = networks_for_choice(user)
        network_field.empty_label = _("No network (the host's own call)")
        hosts = list(host_field.queryset)
        if len(hosts) == 1 and not self.is_bound and not self.initial.get("host"):
            self.initial["host"] = hosts[0].pk
        self.fields = {name: self.fields[name] for name in CALL_FIELDS}


class QuestionForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Question"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    help_text = forms.CharField(label=_("Help text"), required=False)
    order = forms.IntegerField(label=_("Order"), required=False, min_value=0, max_value=1000)
    required = forms.BooleanField(label=_("An answer is required"), required=False)


QuestionFormSet = forms.formset_factory(QuestionForm, extra=2, max_num=30, validate_max=True)


def question_initial(call: Call | None) -> list[dict[str, Any]]:
    if call is None:
        return []
    return [
        {
            "id": q.pk,
            "text": q.text,
            "help_text": q.help_text,
            "order": q.order,
            "required": q.required,
        }
        for q in call.questions.all()
    ]


def question_values(formset: Any) -> list[QuestionValues]:
    """The rows with a text, in the order given (ties: as shown); an emptied row is removed."""
    rows = []
    for position, form in enumerate(formset.forms):
        data = form.cleaned_data
        if not (data.get("text") or "").strip():
            continue
        order = data.get("order")
        rows.append(
            QuestionValues(
                id=data.get("id"),
                text=data["text"],
                help_text=data.get("help_text") or "",
                order=order if order is not None else position + 1,
                required=bool(data.get("required")),
            )
        )
    return rows


class HandleAnswerForm(forms.Form):
    label_suffix = ""
    status = forms.ChoiceField(label=_("Status"), choices=Answer.Status.choices)
    internal_note = forms.CharField(
        label=_("Internal note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only organisers see it; it is not sent to the person."),
    )


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class AnswerFilterForm(forms.Form):
    """The answer list's filters (GET); unknown values read as no filter."""

    label_suffix = ""
    q = forms.CharField(label=_("Search"), required=False)
    organisation = forms.TypedChoiceField(
        label=_("Organisation"), required=False, coerce=int, empty_value=None
    )
    sector = forms.ChoiceField(
        label=_("Sector"),
        required=False,
        choices=[("", _("All sectors")), *Organisation.Sector.choices],
    )
    role = forms.ChoiceField(
        label=_("Member or observer"),
        required=False,
        choices=[("", _("All")), *OrganisationMembership.Role.choices],
    )
    network = forms.TypedChoiceField(
        label=_("Network"), required=False, coerce=int, empty_value=None
    )
    on_behalf = forms.ChoiceField(
        label=_("On behalf or personal"),
        required=False,
        choices=[
            ("", _("All")),
            ("yes", _("On behalf of the organisation")),
            ("no", _("Personal")),
        ],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All, not withdrawn")),
            *Answer.Status.choices,
            (WITHDRAWN, _("Withdrawn")),
        ],
    )

    def __init__(self, *args: Any, organisations: Any, networks: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org_field = self.fields["organisation"]
        net_field = self.fields["network"]
        assert isinstance(org_field, forms.ChoiceField)
        assert isinstance(net_field, forms.ChoiceField)
        org_field.choices = [("", _("All organisations")), *((o.pk, o.name) for o in organisations)]
        net_field.choices = [("", _("All networks")), *((n.pk, n.name) for n in networks)]

    def filter_values(self) -> dict[str, Any]:
        """The filters for selectors_organiser.AnswerFilters; invalid ones are dropped."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        status = data.get("status") or ""
        return {
            "search": data.get("q") or "",
            "organisation": data.get("organisation"),
            "sector": data.get("sector") or "",
            "role": data.get("role") or "",
            "network": data.get("network"),
            "on_behalf": _yes_no(data.get("on_behalf") or ""),
            "status": status if status in STATUS_FILTERS else "",
        }


class InviteForm(forms.Form):
    label_suffix = ""
    networks = forms.ModelMultipleChoiceField(
        label=_("Everyone in these networks"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("The contacts of these organisations"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    addresses = forms.CharField(
        label=_("Email addresses"),
        help_text=_('One per line: "address", "Name <address>" or "address;name".'),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    language = forms.ChoiceField(
        label=_("Language for addresses not in the registry"),
        choices=Language.choices,
        initial=Language.BOKMAL,
        help_text=_("People in the registry get the invitation in their own language."),
    )
    note = forms.CharField(
        label=_("Personal message"),
        help_text=_("Shown at the top of every invitation."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, user: User | AnonymousUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["networks"].queryset = networks_for_choice(user)  # type: ignore[attr-defined]
