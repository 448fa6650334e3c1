"""Retention of answers' personal data (DESIGN rules 8 and 13).

Answers are public records once received and are kept; once the host's retention period has
passed since the call's deadline, the personal data of private persons (answers not sent on
behalf of an organisation) is anonymised: name and address replaced, the personal link killed
with a new token, the attachments deleted with their files, and the receipts in the outbox
emptied. Answers on behalf of an organisation keep the sender, as the organisation's record.
Invitations to answer lose name and address on the same schedule.
"""

import datetime as dt
from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from partners.models import Host
from worker.models import OutgoingMessage

from ..models import Answer, AnswerAttachment, CallInvitation, new_token
from .attachments import remove_files

ANONYMISED_DOMAIN = "@invalid.invalid"
BATCH = 500


@dataclass(frozen=True)
class CallRetentionResult:
    answers_anonymised: int
    attachments_deleted: int
    invitations_anonymised: int


@transaction.atomic(durable=True)
def anonymise_answers(*, now: dt.datetime | None = None) -> CallRetentionResult:
    now = now or timezone.now()
    answers = files = invitations = 0
    for host in Host.objects.all():
        cutoff = now - dt.timedelta(days=host.retention_days)
        due = Answer.objects.filter(
            call__host=host, call__closes_at__lt=cutoff, on_behalf=False, anonymised_at__isnull=True
        )
        rows = list(due.only("pk", "email"))
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            # Receipts to those addresses from before the cutoff: about calls that closed then.
            OutgoingMessage.objects.filter(
                kind__startswith="call_answer",
                to_email__in=[r.email for r in chunk],
                created_at__lt=cutoff,
            ).update(
                to_email="anonymised" + ANONYMISED_DOMAIN,
                to_name="",
                subject="",
                text_body="",
                html_body="",
                attachments=[],
            )
            for row in chunk:
                row.name = "–"
                row.email = "anonymised-%d%s" % (row.pk, ANONYMISED_DOMAIN)
                row.organisation_name = ""
                row.token = new_token()
                row.published = False
                row.anonymised_at = now
            Answer.objects.bulk_update(
                chunk, ["name", "email", "organisation_name", "token", "published", "anonymised_at"]
            )
            attachments = AnswerAttachment.objects.filter(answer__in=chunk)
            names = list(attachments.values_list("file", flat=True))
            files += attachments.delete()[0]
            # The files go once the rows are gone for good.
            transaction.on_commit(partial(remove_files, names))
            answers += len(chunk)
        invitations += (
            CallInvitation.objects.filter(call__host=host, call__closes_at__lt=cutoff)
            .exclude(email__endswith=ANONYMISED_DOMAIN)
            .update(
                name="",
                email=Concat(
                    Value("anonymised-call-invitation-"),
                    Cast("pk", output_field=CharField()),
                    Value(ANONYMISED_DOMAIN),
                ),
                person=None,
            )
        )
    return CallRetentionResult(
        answers_anonymised=answers, attachments_deleted=files, invitations_anonymised=invitations
    )
