"""Who saw or exported participants' data: the audit log of the catering and assistance needs
(special categories, DESIGN rule 8) and of attendee list exports. Written by the views and
endpoints that show them (events/services/access_log.py), read by superusers in the admin,
deleted after DATA_ACCESS_LOG_RETENTION_DAYS."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .core import Event


class DataAccess(models.Model):
    class Kind(models.TextChoices):
        SPECIAL_NEEDS_VIEWED = "special_needs_viewed", _("Viewed catering and assistance needs")
        SPECIAL_NEEDS_EXPORTED = (
            "special_needs_exported",
            _("Exported catering and assistance needs"),
        )
        ATTENDEES_EXPORTED = "attendees_exported", _("Exported the attendee list")
        ATTENDEES_PRINTED = "attendees_printed", _("Printed the door list")
        ATTENDEES_READ_BY_API = "attendees_api", _("Read the attendee list through the API")
        INVITATIONS_EXPORTED = "invitations_exported", _("Exported the invitation list")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The name as it was, should the account be deleted before the record.
    username = models.CharField(_("username"), max_length=150)
    kind = models.CharField(_("what"), max_length=30, choices=Kind.choices)
    event = models.ForeignKey(
        Event, verbose_name=_("event"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    detail = models.CharField(_("detail"), max_length=100, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("access to personal data")
        verbose_name_plural = _("accesses to personal data")

    def __str__(self) -> str:
        return "%s: %s" % (self.username, self.get_kind_display())
