"""The event's revision: a number that grows with every change to the event, its agenda
sessions or its questions, so a process can tell whether its copy of the public event row
(events.selectors.public.cached_public_event) is still the database's.

The event's own saves write `revision = revision + 1` in their UPDATE (RevisionField below),
never the number the instance holds, so two saves from copies read at the same revision still
give two numbers; a save with update_fields, and any save or delete of a session or question,
bumps it in the same transaction (events.signals). A queryset .update() or bulk_update() of
those rows bypasses both: it must bump the revision itself (events.signals.bump_event_revision),
as organising.move_question, the bench and the tests of another process's change do.
"""

from typing import Any

from django.db import models
from django.db.models import F


class RevisionField(models.PositiveIntegerField):
    """Written as `column + 1` on every UPDATE of the row by Model.save(); inserted as the
    default. The instance's attribute is left as it was read (not trusted after a save)."""

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        if add:
            return super().pre_save(model_instance, add)
        return F(self.attname) + 1
