"""Retention of the invitations' personal data (DESIGN rule 8)."""

import datetime as dt

from django.db import transaction
from django.db.models import CharField, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from partners.models import Host

from ..models import Invitation

ANONYMISED_DOMAIN = "@invalid.invalid"


@transaction.atomic(durable=True)
def anonymise_invitations(*, now: dt.datetime | None = None) -> int:
    """Invitations to events past their host's retention period lose name, address and reason;
    the rows (and so the answers per organisation) stay."""
    now = now or timezone.now()
    total = 0
    for host in Host.objects.all():
        cutoff = now - dt.timedelta(days=host.retention_days)
        total += anonymise_invitation_rows(
            Invitation.objects.filter(event__host=host, event__ends_at__lt=cutoff).exclude(
                email__endswith=ANONYMISED_DOMAIN
            )
        )
    return total


def anonymise_invitation_rows(invitations: QuerySet[Invitation]) -> int:
    """The invitations lose name, address, reason and person (retention, and a person's
    erasure); their rows and states stay. Returns how many."""
    return invitations.update(
        name="–",
        email=Concat(
            Value("anonymised-invitation-"),
            Cast("pk", output_field=CharField()),
            Value(ANONYMISED_DOMAIN),
        ),
        decline_reason="",
        person=None,
    )
