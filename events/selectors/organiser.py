"""Reads for the organiser area: which events a user organises, attendee lists and their counts."""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Lower
from django.http import Http404
from django.utils import timezone

from partners.models import Host, Network
from partners.selectors import organised_hosts, organised_networks

from ..models import Event, Registration, SessionChoice


def organised_events(user: User | AnonymousUser) -> QuerySet[Event]:
    """Events of the networks and hosts the user's roles cover. Superusers: all."""
    events = Event.objects.select_related("host", "network")
    if not user.is_authenticated:
        return events.none()
    if user.is_superuser:
        return events
    return events.filter(
        Q(network__in=organised_networks(user)) | Q(host__in=organised_hosts(user))
    )


def get_organised_event(user: User | AnonymousUser, pk: int) -> Event:
    """The event if the user organises it; 404 otherwise, so others cannot tell it exists."""
    event = organised_events(user).filter(pk=pk).first()
    if event is None:
        raise Http404
    return event


def can_organise(user: User | AnonymousUser, *, host: Host, network: Network | None) -> bool:
    """May the user own an event with this host and network?"""
    if user.is_superuser:
        return True
    if network is not None and organised_networks(user).filter(pk=network.pk).exists():
        return True
    return organised_hosts(user).filter(pk=host.pk).exists()


class EventFilter:
    UPCOMING = "upcoming"
    PAST = "past"
    DRAFT = "draft"
    CANCELLED = "cancelled"
    ALL = "all"


def filter_events(
    events: QuerySet[Event], *, when: str = EventFilter.UPCOMING, network_id: int | None = None
) -> QuerySet[Event]:
    now = timezone.now()
    events = events.order_by("starts_at", "id")
    if when == EventFilter.UPCOMING:
        events = events.filter(ends_at__gt=now).exclude(status=Event.Status.CANCELLED)
    elif when == EventFilter.PAST:
        events = events.filter(ends_at__lte=now).exclude(status=Event.Status.CANCELLED)
        events = events.order_by("-starts_at", "-id")
    elif when == EventFilter.DRAFT:
        events = events.filter(status=Event.Status.DRAFT)
    elif when == EventFilter.CANCELLED:
        events = events.filter(status=Event.Status.CANCELLED).order_by("-starts_at", "-id")
    elif when == EventFilter.ALL:
        events = events.order_by("-starts_at", "-id")
    if network_id is not None:
        events = events.filter(network_id=network_id)
    return events


def with_registration_counts(events: QuerySet[Event]) -> QuerySet[Event]:
    return events.annotate(
        confirmed_count=Count(
            "registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED)
        ),
        waiting_count=Count(
            "registrations", filter=Q(registrations__status=Registration.Status.WAITLISTED)
        ),
    )


# Attendee list ------------------------------------------------------------------------------

ATTENDEE_SORTS: dict[str, tuple[str, ...]] = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "organisation": ("organisation_sort", "name", "id"),
    "-organisation": ("-organisation_sort", "-name", "-id"),
    "registered": ("created_at", "id"),
    "-registered": ("-created_at", "-id"),
    "status": ("status_sort", "name", "id"),
    "-status": ("-status_sort", "-name", "-id"),
}
DEFAULT_SORT = "name"


@dataclass(frozen=True)
class AttendeeCounts:
    confirmed: int
    waitlisted: int
    offered: int
    cancelled: int
    checked_in: int


def attendee_counts(event: Event) -> AttendeeCounts:
    """All five counts in one query."""
    S = Registration.Status
    row = Registration.objects.filter(event=event).aggregate(
        confirmed=Count("id", filter=Q(status=S.CONFIRMED)),
        waitlisted=Count("id", filter=Q(status=S.WAITLISTED)),
        offered=Count("id", filter=Q(status=S.OFFERED)),
        cancelled=Count("id", filter=Q(status=S.CANCELLED)),
        checked_in=Count("id", filter=Q(status=S.CONFIRMED, checked_in_at__isnull=False)),
    )
    return AttendeeCounts(**row)


def attendees(
    event: Event,
    *,
    search: str = "",
    status: str = "",
    sort: str = DEFAULT_SORT,
    with_details: bool = False,
) -> QuerySet[Registration]:
    """The event's registrations, searched, filtered and sorted: the organiser pages, their
    exports and the API's registration list all read them here.

    Every word of the search must match the name, the email, the organisation typed or linked,
    or (whole word) the linked organisation's short name.

    with_details prefetches session choices and answers for the exports (two extra queries,
    however many rows).
    """
    registrations = Registration.objects.filter(event=event).select_related("organisation")
    search = search.strip()
    if search:
        for word in search.split():
            registrations = registrations.filter(
                Q(name__icontains=word)
                | Q(email__icontains=word)
                | Q(organisation_name__icontains=word)
                | Q(organisation__name__icontains=word)
                | Q(organisation__short_name__iexact=word)
            )
    if status in Registration.Status.values:
        registrations = registrations.filter(status=status)
    elif status == "checked_in":
        registrations = registrations.filter(
            status=Registration.Status.CONFIRMED, checked_in_at__isnull=False
        )
    elif status == "not_checked_in":
        registrations = registrations.filter(
            status=Registration.Status.CONFIRMED, checked_in_at__isnull=True
        )
    registrations = registrations.annotate(
        organisation_sort=Lower(
            Case(
                When(organisation__isnull=False, then=F("organisation__name")),
                default=Coalesce(F("organisation_name"), Value("")),
                output_field=CharField(),
            )
        )
    )
    S = Registration.Status
    registrations = registrations.annotate(
        status_sort=Case(
            When(status=S.CONFIRMED, then=Value(0)),
            When(status=S.OFFERED, then=Value(1)),
            When(status=S.WAITLISTED, then=Value(2)),
            default=Value(3),
            output_field=IntegerField(),
        )
    )
    registrations = registrations.order_by(*ATTENDEE_SORTS.get(sort, ATTENDEE_SORTS[DEFAULT_SORT]))
    if with_details:
        registrations = registrations.prefetch_related(
            Prefetch(
                "session_choices",
                queryset=SessionChoice.objects.select_related("session").order_by(
                    "session__starts_at", "session__id"
                ),
            ),
            "answers",
        )
    return registrations


def special_needs(event: Event) -> QuerySet[Registration]:
    """Active registrations with dietary or assistance needs given with consent (DESIGN rule 8)."""
    consented = Q(dietary_consent=True) & ~Q(dietary_needs="")
    consented |= Q(assistance_consent=True) & ~Q(assistance_needs="")
    return (
        Registration.objects.filter(
            consented,
            event=event,
            status__in=[Registration.Status.CONFIRMED, Registration.Status.OFFERED],
            special_needs_deleted_at__isnull=True,
        )
        .select_related("organisation")
        .order_by("name", "id")
    )
