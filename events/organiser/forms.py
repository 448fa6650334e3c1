"""Organiser forms: they parse input only; the services in events.services.organising decide.

They are plain forms, not ModelForms, so a model instance is never half-changed by validation
and the service's messages (not the database constraint names) reach the organiser.
"""

import copy
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator
from django.db import models
from django.forms.models import fields_for_model, model_to_dict
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from partners.models import Host, Language, Network
from partners.selectors import organised_hosts, organised_networks

from ..models import BadgePrint, Event, Question, Registration, Session
from ..services.organising import EVENT_FIELDS, QUESTION_FIELDS, SESSION_FIELDS
from ..services.walk_ins import WhenFull

MAX_INTEGER = 2_147_483_647
MAX_CAPACITY = 100_000
MAX_OFFER_HOURS = 24 * 30

DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M"]


class LocalDateTimeInput(forms.DateTimeInput):
    """A `datetime-local` input; values are shown and read in the current time zone (Oslo)."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _formfield(db_field: models.Field, **kwargs: Any) -> forms.Field:
    if isinstance(db_field, models.DateTimeField):
        return forms.DateTimeField(
            label=capfirst(db_field.verbose_name),
            required=not db_field.blank,
            widget=LocalDateTimeInput(),
            input_formats=DATETIME_INPUT_FORMATS,
            help_text=db_field.help_text,
        )
    if isinstance(db_field, models.PositiveIntegerField):
        # The database column is a 32-bit integer; larger input is a form error, not a crash.
        kwargs.setdefault("max_value", MAX_INTEGER)
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    field = db_field.formfield(**kwargs)
    assert field is not None
    return field


class _ModelFieldsForm(forms.Form):
    """A plain form whose fields come from a model, with initial values from an instance."""

    model: type[models.Model]
    field_names: list[str]
    widgets: dict[str, type[forms.Widget] | forms.Widget] = {}
    help_texts: dict[str, Any] = {}

    def __init__(self, *args: Any, instance: models.Model | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        if instance is not None:
            kwargs.setdefault("initial", model_to_dict(instance, fields=self.field_names))
        super().__init__(*args, **kwargs)
        self.fields.update(
            fields_for_model(
                self.model,
                fields=self.field_names,
                widgets=self.widgets,
                help_texts=self.help_texts,
                formfield_callback=_formfield,
            )
        )
        # Keep declared overrides (the model's own fields are only the defaults).
        for name, field in self.declared_fields.items():
            self.fields[name] = copy.deepcopy(field)
        self.fields = {name: self.fields[name] for name in self.field_names}


class EventForm(_ModelFieldsForm):
    model = Event
    # all_day has no field here: the seed and the services set it, organisers do not (yet).
    field_names = [name for name in EVENT_FIELDS if name != "all_day"]
    widgets = {"description": forms.Textarea(attrs={"rows": 6})}
    help_texts = {
        "starts_at": _("Norwegian time."),
        "venue_name": _("Leave empty for a digital meeting."),
        "meeting_url": _(
            "Shown only to confirmed participants. Leave empty for a physical meeting."
        ),
        "registration_opens_at": _("Empty: open as soon as the event is published."),
        "registration_closes_at": _("Empty: open until the event starts."),
        "serves_food": _("Participants may then state dietary needs, with their consent."),
        "offers_assistance": _("Participants may then state assistance needs, with their consent."),
    }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        host_field = self.fields["host"]
        network_field = self.fields["network"]
        assert isinstance(host_field, forms.ModelChoiceField)
        assert isinstance(network_field, forms.ModelChoiceField)
        networks = organised_networks(user)
        # Hosts: those the user organises directly, and those running a network they organise.
        host_ids = set(organised_hosts(user).values_list("pk", flat=True))
        host_ids |= set(
            Host.objects.filter(networks__in=networks).values_list("pk", flat=True).distinct()
        )
        host_field.queryset = Host.objects.filter(pk__in=host_ids)
        network_field.queryset = Network.objects.filter(pk__in=networks.values("pk"))
        network_field.empty_label = _("No network (the host's own event)")
        self.fields["capacity"].validators.append(MaxValueValidator(MAX_CAPACITY))
        self.fields["capacity"].widget.attrs["max"] = MAX_CAPACITY
        self.fields["offer_hours"].validators.append(MaxValueValidator(MAX_OFFER_HOURS))
        self.fields["offer_hours"].widget.attrs["max"] = MAX_OFFER_HOURS
        if len(host_ids) == 1 and not self.is_bound and not self.initial.get("host"):
            self.initial["host"] = next(iter(host_ids))


class CancelEventForm(forms.Form):
    label_suffix = ""
    message = forms.CharField(
        label=_("Message to the participants"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Sent by email with the calendar cancellation to everyone registered."),
    )


class SessionForm(_ModelFieldsForm):
    model = Session
    field_names = list(SESSION_FIELDS)
    widgets = {"description": forms.Textarea(attrs={"rows": 3})}
    help_texts = {
        "capacity": _("Empty: no limit. A capacity needs sign-up."),
        "requires_signup": _(
            "For parallel sessions: participants choose this one when they register."
        ),
    }


class ChoicesField(forms.CharField):
    """One choice per line in a textarea; a list in Python."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(str(v) for v in value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class QuestionForm(_ModelFieldsForm):
    model = Question
    field_names = list(QUESTION_FIELDS)
    choices = ChoicesField(
        label=_("Choices"),
        required=False,
        help_text=_("For single and multiple choice: one choice per line."),
    )


class TicketCodeForm(forms.Form):
    label_suffix = ""
    ticket_code = forms.CharField(
        label=_("Ticket code"),
        max_length=64,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )


ATTENDEE_STATUS_CHOICES = [
    ("", _("All")),
    *Registration.Status.choices,
    ("checked_in", _("Checked in")),
    ("not_checked_in", _("Confirmed, not checked in")),
]


# At the door ----------------------------------------------------------------------------------


class WalkInForm(forms.Form):
    """Someone registered and checked in at the door. The buttons of a full event send
    `when_full` (the waiting list, or an extra seat with its box ticked)."""

    label_suffix = ""
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("Email"), max_length=254)
    organisation_name = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    # The receipt's language; the form opens on the organiser's own.
    language = forms.ChoiceField(
        label=_("Language for emails"), choices=Language.choices, required=False
    )
    when_full = forms.ChoiceField(
        choices=[(w.value, w.value) for w in WhenFull],
        required=False,
        widget=forms.HiddenInput,
    )
    confirm_extra_seat = forms.BooleanField(
        label=_("I confirm a seat beyond the capacity: the capacity rises by one."),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = translation.get_language()
        self.fields["language"].initial = (
            language if language in Language.values else Language.BOKMAL
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["when_full"] = WhenFull(data.get("when_full") or WhenFull.REFUSE)
        data["language"] = data.get("language") or self.fields["language"].initial
        if data["when_full"] == WhenFull.EXTRA_SEAT and not data.get("confirm_extra_seat"):
            self.add_error(
                "confirm_extra_seat", _("Tick the box to confirm a seat beyond the capacity.")
            )
        return data


class BadgeForm(forms.Form):
    label_suffix = ""
    layout = forms.ChoiceField(
        label=_("Layout"),
        choices=BadgePrint.Layout.choices,
        initial=BadgePrint.Layout.SHEET,
        widget=forms.RadioSelect,
    )
    who = forms.ChoiceField(
        label=_("Whose badges"),
        choices=[
            ("all", _("Everyone confirmed")),
            ("new", _("Only those without a badge yet (new since the last print)")),
        ],
        initial="all",
        widget=forms.RadioSelect,
    )
