"""At the door: people registered by an organiser on the day (walk-ins), and check-in per
agenda session (events.services.walk_ins, events.services.check_in)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .core import Registration, SessionChoice


class WalkIn(models.Model):
    """A registration an organiser made at the door. `capacity_raised` records the seat the
    organiser confirmed beyond capacity: the event's capacity was raised by one for it, in the
    registration's transaction (the CheckConstraint allows no other way)."""

    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="walk_in"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    capacity_raised = models.BooleanField(_("capacity raised by one"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("walk-in")
        verbose_name_plural = _("walk-ins")

    def __str__(self) -> str:
        return str(self.registration)


class SessionCheckIn(models.Model):
    """A participant who chose a session with its own sign-up was there: one row, once."""

    choice = models.OneToOneField(SessionChoice, on_delete=models.CASCADE, related_name="check_in")
    checked_in_at = models.DateTimeField(_("checked in"))
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("session check-in")
        verbose_name_plural = _("session check-ins")

    def __str__(self) -> str:
        return str(self.choice)
