"""Keeping the copies of public event rows honest (events.selectors.public.cached_public_event):
every save or delete of an event, a session or a question bumps the event's revision
(events.revisions) and drops this process's copy.

Dropping the copy reaches only the process that saved; the others learn of the change from the
revision, which the registering statement compares (events.services.seats). The bump runs in
the transaction of the change (the organiser's services are each one transaction), so the new
rows and the new revision are seen together.

A document's file leaves the private storage once its row is gone, however it went (deleted by
an organiser, or with its event), after the commit: a rolled-back delete keeps its file.
"""

from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save

from .models import Event, EventDocument, Question, Session
from .selectors.public import forget_public_event
from .uploads import remove_files


def bump_event_revision(event_id: int) -> None:
    """For writes that bypass Model.save() and the signals (a queryset update, bulk_update)."""
    Event.objects.filter(pk=event_id).update(revision=F("revision") + 1)
    forget_public_event(event_id)


def _event_saved(
    *, instance: Event, created: bool, raw: bool, update_fields: Any, **kwargs: Any
) -> None:
    # A full save wrote revision + 1 itself (RevisionField); a save of some fields did not.
    if not created and not raw and update_fields is not None and "revision" not in update_fields:
        bump_event_revision(instance.pk)
    else:
        forget_public_event(instance.pk)


def _event_deleted(*, instance: Event, **kwargs: Any) -> None:
    forget_public_event(instance.pk)


def _part_changed(*, instance: Session | Question, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        forget_public_event(instance.event_id)
    else:
        bump_event_revision(instance.event_id)


def _document_deleted(*, instance: EventDocument, **kwargs: Any) -> None:
    if instance.file:
        transaction.on_commit(partial(remove_files, [instance.file.name]))


def connect() -> None:
    post_delete.connect(_document_deleted, sender=EventDocument, dispatch_uid="events.document")
    post_save.connect(_event_saved, sender=Event, dispatch_uid="events.revision.event")
    post_delete.connect(_event_deleted, sender=Event, dispatch_uid="events.revision.event")
    for model in (Session, Question):
        uid = "events.revision.%s" % model.__name__
        post_save.connect(_part_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(_part_changed, sender=model, dispatch_uid=uid)
