"""An event's record: documents and links (agenda, presentations, minutes), each seen by the
public, by participants through their personal link, or by organisers only; and the report
organisers write once the event is over. Both go with the event; a document's file is removed
from the private storage when its row goes (events.signals)."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from events.uploads import private_storage, random_name

from .core import Event


def document_path(instance: Any, filename: str) -> str:
    """A random name under the event's folder; the name the organiser gave is kept in a column."""
    return random_name(f"events/{instance.event_id}", filename)


class EventDocument(models.Model):
    """A file (in the private storage) or a link, never both."""

    class Kind(models.TextChoices):
        AGENDA = "agenda", _("Agenda")
        PRESENTATION = "presentation", _("Presentation")
        MINUTES = "minutes", _("Minutes")
        OTHER = "other", _("Other")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        PARTICIPANTS = "participants", _("Participants only")
        ORGANISERS = "organisers", _("Organisers only")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    visibility = models.CharField(
        _("who may see it"),
        max_length=20,
        choices=Visibility.choices,
        default=Visibility.PUBLIC,
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(
        upload_to=document_path, storage=private_storage, max_length=200, blank=True
    )
    url = models.URLField(_("link"), max_length=500, blank=True)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size"), null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.CheckConstraint(
                condition=(Q(file="") & ~Q(url="")) | (~Q(file="") & Q(url="")),
                name="event_document_file_or_link",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_link(self) -> bool:
        return not self.file


class EventReport(models.Model):
    """What was discussed and decided, as organisers write it after the event."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="report")
    text = models.TextField(_("report"))
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return str(self.event)
