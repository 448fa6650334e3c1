"""The data link mailed to a person, and the record that an erasure happened."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


def new_token() -> str:
    return secrets.token_urlsafe(32)  # 256 random bits


class AccessGrant(models.Model):
    """A link to everything held about an address, mailed to that address: opening it shows
    that its holder reads the address's mail. A registration's personal link does not (anyone
    may register any address and is shown the link), so it only asks for this one."""

    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    email = models.EmailField(_("email"))
    language = models.CharField(_("language"), max_length=5)
    # A plain reference for the emails' layout (the host of the page it was asked from).
    host_ref = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("personal data link")
        verbose_name_plural = _("personal data links")

    def __str__(self) -> str:
        return str(_("personal data link %(id)s")) % {"id": self.pk}


class ErasureRecord(models.Model):
    """That an erasure was done, and how many rows of each kind it changed. Nothing that leads
    back to the person: no address, no hash of it (a hash of an address is found again by
    hashing a guess), and only the day, not the time the outbox's rows could be matched to."""

    erased_on = models.DateField(_("erased on"))
    counts = models.JSONField(_("counts"), default=dict)

    class Meta:
        ordering = ["-erased_on", "-id"]
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")

    def __str__(self) -> str:
        return str(self.erased_on)
