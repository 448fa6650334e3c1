"""Reads the public pages, the API and the services share: each a fixed number of queries."""

import datetime as dt

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from .models import Answer, AnswerAttachment, AnswerText, Call, CallInvitation

PUBLISHED = Call.Status.PUBLISHED


def public_calls(*, now: dt.datetime | None = None) -> QuerySet[Call]:
    """Published calls: open ones first (the nearest deadline first), then the archive (the
    latest deadline first). Calls that have not opened yet are listed among the open ones."""
    now = now or timezone.now()
    return (
        Call.objects.filter(status=PUBLISHED)
        .select_related("host", "network")
        .annotate(
            closed=Case(
                When(closes_at__lte=now, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("closed", Case(When(closes_at__gt=now, then="closes_at")), "-closes_at", "id")
    )


def open_calls(
    *, network_slug: str = "", limit: int = 5, now: dt.datetime | None = None
) -> list[Call]:
    now = now or timezone.now()
    calls = Call.objects.filter(status=PUBLISHED, opens_at__lte=now, closes_at__gt=now)
    if network_slug:
        calls = calls.filter(network__slug=network_slug)
    return list(calls.select_related("host", "network").order_by("closes_at", "id")[:limit])


def public_call(*, slug: str) -> Call | None:
    return (
        Call.objects.filter(status=PUBLISHED, slug=slug)
        .select_related("host", "network")
        .prefetch_related("questions")
        .first()
    )


def published_answers(call: Call) -> list[Answer]:
    """What the public may read: answers an organiser published, when the call publishes,
    each with its texts and only its published attachments."""
    if not call.publishes_answers:
        return []
    return list(
        Answer.objects.filter(
            call=call, published=True, consent_to_publish=True, withdrawn_at__isnull=True
        )
        .select_related("organisation")
        .prefetch_related(
            Prefetch("texts", queryset=AnswerText.objects.select_related("question")),
            Prefetch(
                "attachments",
                queryset=AnswerAttachment.objects.filter(published=True),
                to_attr="public_attachments",
            ),
        )
        .order_by("submitted_at", "id")
    )


def public_attachment(*, slug: str, answer_id: int, attachment_id: int) -> AnswerAttachment | None:
    """A file the public may download: of a published answer, itself published."""
    return (
        AnswerAttachment.objects.filter(
            Q(pk=attachment_id, answer_id=answer_id, published=True),
            answer__call__slug=slug,
            answer__call__status=PUBLISHED,
            answer__call__publishes_answers=True,
            answer__published=True,
            answer__withdrawn_at__isnull=True,
        )
        .select_related("answer")
        .first()
    )


def answer_by_token(*, token: str) -> Answer | None:
    if not token or len(token) > 64:
        return None
    return (
        Answer.objects.filter(token=token)
        .select_related("call__host", "organisation")
        .prefetch_related("texts", "attachments", "call__questions")
        .first()
    )


def invitation_by_token(*, token: str) -> CallInvitation | None:
    if not token or len(token) > 64:
        return None
    return (
        CallInvitation.objects.filter(token=token, call__status=PUBLISHED)
        .select_related("call__host", "call__network", "organisation")
        .first()
    )


def invitation_for_opt_out(*, token: str) -> CallInvitation | None:
    """An invitation by token whatever its call's state: its holder may stop the network's
    invitations after the deadline, or after the call was taken down, too."""
    if not token or len(token) > 64:
        return None
    return CallInvitation.objects.filter(token=token).select_related("call__network").first()


def live_answer_for_invitation(invitation: CallInvitation) -> Answer | None:
    return Answer.objects.filter(invitation=invitation, withdrawn_at__isnull=True).first()
