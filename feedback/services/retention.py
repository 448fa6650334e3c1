"""Retention of the feedback app's personal data (DESIGN rule 8), and the two steps an erasure
shares with it (feedback/personal_data.py).

Once the host's retention period has passed since the event ended, as for the registrations
(events/services/retention.py): survey invitations are anonymised (a new token kills the
personal link, `anonymised_at` marks them done; the rows and their `reminded_at` and
`answered_at` stay, so the survey's counts of asked and answered hold), and the responses to
surveys that were not anonymous are unlinked from the registration (they stay as counts and
answers; free texts lose the respondent's name where it stands in them). Run before the
events' retention, which removes the names this step looks for.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from events.models import new_token
from partners.models import Host
from personaldata.registry import without_name

from ..models import SurveyAnswer, SurveyInvitation, SurveyResponse

BATCH = 500


@dataclass(frozen=True)
class FeedbackRetentionResult:
    invitations_anonymised: int
    responses_unlinked: int


def unlink_responses(responses: QuerySet[SurveyResponse]) -> int:
    """In the caller's transaction: free texts lose the respondent's name where it stands in
    them, then the responses lose their registration. Returns how many."""
    rows = list(responses.filter(registration__isnull=False).select_related("registration"))
    names = {row.pk: row.registration.name for row in rows if row.registration is not None}
    texts = list(SurveyAnswer.objects.filter(response__in=rows).exclude(text=""))
    for answer in texts:
        answer.text = without_name(answer.text, names.get(answer.response_id, ""))
    SurveyAnswer.objects.bulk_update(texts, ["text"], batch_size=BATCH)
    return SurveyResponse.objects.filter(pk__in=[row.pk for row in rows]).update(registration=None)


def anonymise_invitations(invitations: QuerySet[SurveyInvitation], *, now: dt.datetime) -> int:
    """In the caller's transaction: a new token and `anonymised_at` for each invitation not yet
    anonymised. Returns how many."""
    rows = list(invitations.filter(anonymised_at__isnull=True).only("pk"))
    for row in rows:
        row.token = new_token()
        row.anonymised_at = now
    SurveyInvitation.objects.bulk_update(rows, ["token", "anonymised_at"], batch_size=BATCH)
    return len(rows)


@transaction.atomic(durable=True)
def apply_feedback_retention(*, now: dt.datetime | None = None) -> FeedbackRetentionResult:
    now = now or timezone.now()
    invitations = responses = 0
    for host in Host.objects.all():
        cutoff = now - dt.timedelta(days=host.retention_days)
        past = {"survey__event__host": host, "survey__event__ends_at__lt": cutoff}
        responses += unlink_responses(SurveyResponse.objects.filter(anonymous=False, **past))
        invitations += anonymise_invitations(SurveyInvitation.objects.filter(**past), now=now)
    return FeedbackRetentionResult(invitations_anonymised=invitations, responses_unlinked=responses)
