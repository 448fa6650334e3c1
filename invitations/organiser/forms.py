"""The organiser's invitation forms: parsing and labels only; the rules live in services."""

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from partners.models import Network, Organisation
from partners.services import ImportSource

from ..models import EventReminderSettings, GroupMessage

MAX_CSV_BYTES = 2 * 1024 * 1024


class SendOutForm(forms.Form):
    networks = forms.ModelMultipleChoiceField(
        label=_("Everyone in these networks"),
        queryset=Network.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    member_organisations_of = forms.ModelMultipleChoiceField(
        label=_("The contacts of all member organisations of"),
        queryset=Network.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    observer_organisations_of = forms.ModelMultipleChoiceField(
        label=_("The contacts of all observers of"),
        queryset=Network.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("The contacts of these organisations"),
        queryset=Organisation.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    people = forms.CharField(
        label=_("Single people"),
        help_text=_("Email addresses of people already registered, one per line."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    new_people = forms.CharField(
        label=_("New people, pasted as CSV"),
        help_text=_(
            "The first row names the columns, for example: name;email;organisation;language. "
            "They are added to the event's network."
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    new_people_file = forms.FileField(
        label=_("New people, as a CSV file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    message = forms.CharField(
        label=_("Personal message"),
        help_text=_("Shown at the top of every invitation."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args: Any, networks: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("networks", "member_organisations_of", "observer_organisations_of"):
            self.fields[name].queryset = networks  # type: ignore[attr-defined]

    def clean_people(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["people"].splitlines() if line.strip()]

    def clean_new_people_file(self) -> Any:
        upload = self.cleaned_data.get("new_people_file")
        if upload is not None and upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError(_("The file is too large."))
        return upload

    def csv_sources(self) -> list[ImportSource]:
        """The pasted list and the uploaded file, both: the import reads them together, all or
        nothing, and names the source of every row problem."""
        sources = []
        pasted = self.cleaned_data.get("new_people", "").strip()
        if pasted:
            sources.append(
                ImportSource(data=pasted.encode("utf-8"), label=str(_("the pasted list")))
            )
        upload = self.cleaned_data.get("new_people_file")
        if upload is not None:
            sources.append(
                ImportSource(
                    data=upload.read(),
                    label=str(_("the file %(name)s") % {"name": upload.name}),
                )
            )
        return sources


class ScheduleForm(forms.Form):
    send_at = forms.DateTimeField(
        label=_("Send at"),
        help_text=_("Leave empty and choose “Send now”, or pick a time and choose “Schedule”."),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


class GroupMessageForm(forms.Form):
    audiences = forms.MultipleChoiceField(
        label=_("Recipients"),
        choices=GroupMessage.Audience.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 8}))


class ReminderSettingsForm(forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.max_value = 60  # type: ignore[attr-defined]
            field.widget.attrs["max"] = 60
            field.validators.append(MaxValueValidator(60))

    class Meta:
        model = EventReminderSettings
        fields = ["remind_invitees_days_before_close", "remind_participants_days_before"]
        help_texts = {
            "remind_invitees_days_before_close": _("Empty: no reminder."),
            "remind_participants_days_before": _("Empty: no reminder."),
        }


class CorrectAddressForm(forms.Form):
    email = forms.EmailField(label=_("Corrected address"), max_length=254)
    old_works_again = forms.BooleanField(
        label=_("The old address works again: mail may go to it too"), required=False
    )
