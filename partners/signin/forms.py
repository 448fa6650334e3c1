"""The forms of the second factor: a code, and setting up an authenticator."""

from binascii import unhexlify
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.core import signing
from django.utils.translation import gettext_lazy as _
from django_otp.util import random_hex

# How long a set-up page's key may wait for its first code.
SETUP_SECONDS = 30 * 60


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_("Six digits. A new code is shown every 30 seconds."),
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip().replace(" ", "")
        if not code.isdigit() or len(code) != 6:
            raise forms.ValidationError(_("Enter the six digits your authenticator app shows."))
        return code


class EnrolForm(CodeForm):
    """The first code from an authenticator set up with the page's key. The key travels signed
    in the form, so showing the page stores nothing; it is stored once the code is right."""

    setup = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.salt = f"partners.signin.totp:{user.pk}"
        self.key = random_hex(20)
        if self.is_bound:
            key = self._key_from(self.data.get("setup", ""))
            if key is not None:
                self.key = key
        self.fields["setup"].initial = signing.dumps(self.key, salt=self.salt)

    def _key_from(self, value: str) -> str | None:
        try:
            key = signing.loads(value, salt=self.salt, max_age=SETUP_SECONDS)
            unhexlify(str(key).encode())
        except (signing.BadSignature, ValueError, TypeError):
            return None
        return str(key)

    def clean_setup(self) -> str:
        key = self._key_from(self.cleaned_data["setup"])
        if key is None:
            raise forms.ValidationError(
                _("The set-up expired. Add the new key below to your app and enter its code.")
            )
        return key
