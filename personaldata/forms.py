from django import forms
from django.utils.translation import gettext_lazy as _


class ErasureForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, delete the data you hold about me"),
        error_messages={"required": _("Tick the box to confirm that you want your data deleted.")},
    )
