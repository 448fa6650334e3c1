"""Name badges printed for an event: which registrations each print held, so the next print
can hold only those who have no badge yet (events.services.badges)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .core import Event, Registration


class BadgePrint(models.Model):
    class Layout(models.TextChoices):
        SHEET = "sheet", _("A4 label sheets, 80 × 50 mm, 10 per sheet (Avery L4785)")
        A6 = "a6", _("A6, one badge per page")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="badge_prints")
    layout = models.CharField(_("layout"), max_length=5, choices=Layout.choices)
    printed_at = models.DateTimeField(_("printed"), auto_now_add=True)
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    registrations = models.ManyToManyField(Registration, related_name="badge_prints")

    class Meta:
        ordering = ["-printed_at", "-id"]
        verbose_name = _("badge print")
        verbose_name_plural = _("badge prints")

    def __str__(self) -> str:
        return "%s: %s" % (self.event, self.printed_at)
