"""Organiser forms. They parse and validate input; the services in services/ do the writing."""

from typing import TYPE_CHECKING, Any

from django import forms
from django.db import models
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from .models import Language, Network, Organisation, Person, PersonMembership
from .services.networks import PAGE_FIELDS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MAX_IMPORT_FILE_SIZE = 2 * 1024 * 1024


def _search_field(*, label: "StrOrPromise", help_text: "StrOrPromise") -> forms.CharField:
    """The q field of a list page's search form."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=200,
        help_text=help_text,
        widget=forms.TextInput(attrs={"type": "search"}),
    )


class PersonSearchForm(forms.Form):
    q = _search_field(label=_("Search people"), help_text=_("Name, email, title or organisation."))


class NetworkPersonForm(forms.Form):
    """A person's details and their role in one network."""

    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.all(),
        required=False,
        empty_label=_("(none)"),
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    language = forms.ChoiceField(
        label=_("Preferred language"),
        choices=Language.choices,
        initial=Language.BOKMAL,
        help_text=_("Emails to this person are written in this language."),
    )
    role = forms.ChoiceField(
        label=_("Role in the network"),
        choices=PersonMembership.Role.choices,
        initial=PersonMembership.Role.MEMBER,
    )

    @classmethod
    def initial_for(cls, membership: PersonMembership) -> dict[str, object]:
        person: Person = membership.person
        return {
            "name": person.name,
            "email": person.email,
            "organisation": person.organisation_id,
            "title": person.title,
            "phone": person.phone,
            "language": person.language,
            "role": membership.role,
        }


class AddNetworkPersonForm(NetworkPersonForm):
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        help_text=_(
            "If someone is already registered with this address, they are added to the "
            "network and their details are updated."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


class ImportPeopleForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8, with commas or semicolons between the columns (Excel: “CSV UTF-8”). "
            "At most 2 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    dry_run = forms.BooleanField(
        label=_("Only check the file, do not import"),
        required=False,
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded.size > MAX_IMPORT_FILE_SIZE:
            raise forms.ValidationError(
                _("The file is larger than 2 MB. Split it into smaller files."), code="too_big"
            )
        return uploaded


class OrganisationSearchForm(forms.Form):
    q = _search_field(
        label=_("Search organisations"), help_text=_("Name, short name or organisation number.")
    )


class OrganisationForm(forms.Form):
    """A new organisation in the registry; the rules (checksum, uniqueness) are the service's."""

    name = forms.CharField(label=_("Name"), max_length=200)
    short_name = forms.CharField(
        label=_("Short name"),
        max_length=50,
        required=False,
        help_text=_("For example VTFK. An import may name the organisation by it."),
    )
    organisation_number = forms.CharField(
        label=_("Organisation number"),
        max_length=20,
        required=False,
        help_text=_("Optional. Nine digits, from the Brønnøysund Register Centre."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    sector = forms.ChoiceField(
        label=_("Sector"), choices=[("", "---------"), *Organisation.Sector.choices]
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")


class NewOrganisationsForm(forms.Form):
    """A sector for each organisation an import would add; the names come from the preview
    the server kept, never from the submitted form."""

    def __init__(self, *args: object, names: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.names = names
        for index, name in enumerate(names):
            self.fields["sector_%d" % index] = forms.ChoiceField(
                label=name,
                choices=[("", _("Choose a sector")), *Organisation.Sector.choices],
            )

    def sectors(self) -> dict[str, str]:
        return {name: self.cleaned_data["sector_%d" % i] for i, name in enumerate(self.names)}

    def rows_of(self, report: Any) -> list[tuple[forms.BoundField, list[str]]]:
        """Each organisation's sector field beside the rows of `report` (an ImportReport) that
        name it, for the preview table."""
        rows = {
            o.name.casefold(): [
                _("%(source)s, row %(row)s") % {"source": source, "row": row}
                if source
                else str(row)
                for source, row in o.rows
            ]
            for o in report.new_organisations
        }
        return [
            (self["sector_%d" % index], rows.get(name.casefold(), []))
            for index, name in enumerate(self.names)
        ]


def https_formfield(db_field: Any, **kwargs: Any) -> Any:
    """A model field's form field, links assumed https (Django 6's default, without warning)."""
    if isinstance(db_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return db_field.formfield(**kwargs)


class NetworkPageForm(forms.Form):
    """What the network's public page says about it; the fields are the service's list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(
            fields_for_model(Network, fields=PAGE_FIELDS, formfield_callback=https_formfield)
        )
