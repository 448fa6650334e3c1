"""The organiser's forms for an event's documents and report: they parse input only;
events.services.documents checks the file and decides."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import EventDocument


class DocumentChangeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=EventDocument.Kind.choices)
    visibility = forms.ChoiceField(
        label=_("Who may see it"),
        choices=EventDocument.Visibility.choices,
        help_text=_(
            "Participants see their documents through the personal link of a confirmed "
            "registration."
        ),
    )


class DocumentForm(DocumentChangeForm):
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("PDF, Word, PowerPoint, Excel, OpenDocument, PNG or JPEG."),
    )
    url = forms.CharField(
        label=_("Or a link"),
        required=False,
        max_length=500,
        help_text=_("Instead of a file: a web address, e.g. a recording or a page elsewhere."),
        widget=forms.URLInput,
    )


class ReportForm(forms.Form):
    text = forms.CharField(
        label=_("Report"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "What was discussed and what was decided, in a few paragraphs. Shown on the "
            "event's public page once the event is over. Leave empty to remove it."
        ),
    )
