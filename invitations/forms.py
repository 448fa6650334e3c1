"""The invitee's forms: parsing and labels only; the rules live in services."""

from django import forms
from django.utils.translation import gettext_lazy as _


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),  # the form template adds "(optional)"
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
