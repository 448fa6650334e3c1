"""Reads of the feedback app: the personal link's invitation, an event's survey, and the
earlier surveys an organiser may copy questions from or compare with (scoped like every
organiser page: events.selectors.organiser.organised_events)."""

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, QuerySet

from events.models import Event
from events.selectors.organiser import organised_events

from .models import Survey, SurveyInvitation


def invitation_by_token(token: str) -> SurveyInvitation | None:
    return (
        SurveyInvitation.objects.select_related("survey__event__host", "registration")
        .filter(token=token)
        .first()
    )


def survey_of(event: Event) -> Survey | None:
    return Survey.objects.filter(event=event).prefetch_related("questions").first()


def visible_surveys(user: User | AnonymousUser) -> QuerySet[Survey]:
    """Surveys of the events the user organises."""
    return Survey.objects.filter(event__in=organised_events(user)).select_related("event")


def copyable_surveys(user: User | AnonymousUser, *, event: Event) -> QuerySet[Survey]:
    """The user's other surveys that have questions, the latest event first."""
    return (
        visible_surveys(user)
        .exclude(event=event)
        .annotate(question_count=Count("questions"))
        .filter(question_count__gt=0)
        .order_by("-event__starts_at", "-pk")
    )
