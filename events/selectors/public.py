"""Reads shared by the public pages, the API, the personal link, services and the bench."""

import datetime as dt
import re
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from ..models import Event, EventDocument, Question, Registration, Session, SessionChoice
from ..services.seats import PublicEvent, count_waiting_ahead, read_public_event
from .organiser import organised_events

# Where registration stands for an event, as the public page and the services see it.
STATE_DRAFT = "draft"
STATE_CANCELLED = "cancelled"
STATE_PAST = "past"
STATE_NOT_OPEN = "not_open"
STATE_CLOSED = "closed"
STATE_INVITATION_ONLY = "invitation_only"
STATE_OPEN = "open"
STATE_WAITING_LIST = "waiting_list"  # full, new registrants join the waiting list
STATE_FULL = "full"  # full, no waiting list


def registration_deadline(event: Event) -> dt.datetime:
    """Registration closes at the deadline the organiser set, otherwise when the event ends."""
    return event.registration_deadline


def registration_state(event: Event, *, now: dt.datetime | None = None) -> str:
    now = now or timezone.now()
    if event.status == Event.Status.DRAFT:
        return STATE_DRAFT
    if event.status == Event.Status.CANCELLED:
        return STATE_CANCELLED
    if event.ends_at <= now:
        return STATE_PAST
    if event.registration_opens_at and now < event.registration_opens_at:
        return STATE_NOT_OPEN
    if now >= registration_deadline(event):
        return STATE_CLOSED
    if event.invitation_only:
        return STATE_INVITATION_ONLY
    if event.capacity is not None and event.seats_taken >= event.capacity:
        if event.waiting_list_mode == Event.WaitingListMode.NONE:
            return STATE_FULL
        return STATE_WAITING_LIST
    return STATE_OPEN


def upcoming_events(*, network_slug: str = "", limit: int | None = None) -> QuerySet[Event]:
    events = (
        Event.objects.filter(status=Event.Status.PUBLISHED, ends_at__gt=timezone.now())
        .select_related("host", "network")
        .order_by("starts_at", "id")
    )
    if network_slug:
        events = events.filter(network__slug=network_slug)
    if limit is not None:
        events = events[:limit]
    return events


def next_conference() -> Event | None:
    """The next partnership conference that is published and not over: the year's main event."""
    return (
        Event.objects.filter(
            kind=Event.Kind.CONFERENCE, status=Event.Status.PUBLISHED, ends_at__gt=timezone.now()
        )
        .select_related("host", "network")
        .order_by("starts_at", "id")
        .first()
    )


def past_events(*, network_slug: str = "") -> QuerySet[Event]:
    """The archive, each event with its `public_documents` (one query for the whole list)."""
    events = (
        Event.objects.filter(status=Event.Status.PUBLISHED, ends_at__lte=timezone.now())
        .select_related("host", "network")
        .prefetch_related(
            Prefetch(
                "documents",
                queryset=EventDocument.objects.filter(visibility=EventDocument.Visibility.PUBLIC),
                to_attr="public_documents",
            )
        )
        .order_by("-starts_at", "-id")
    )
    if network_slug:
        events = events.filter(network__slug=network_slug)
    return events


PUBLIC = Q(status__in=Event.PUBLIC_STATUSES)


def public_events() -> QuerySet[Event]:
    """Events anyone may open by id: published and cancelled ones."""
    return Event.objects.filter(PUBLIC)


def visible_events(user: User | AnonymousUser) -> QuerySet[Event]:
    """Published events for everyone; an organiser also sees drafts and cancelled events of theirs.

    Each row carries `api_organised`: whether the user organises it (meeting link, drafts).
    """
    return _visible(user, Q(status=Event.Status.PUBLISHED))


def visible_event(user: User | AnonymousUser, pk: int) -> Event | None:
    """One event by id, with its agenda and questions: any public event (cancelled ones too, as
    on the public page) and the user's own drafts."""
    return (
        _visible(user, PUBLIC)
        .prefetch_related(
            Prefetch("questions", queryset=Question.objects.order_by("position", "id"))
        )
        .filter(pk=pk)
        .first()
    )


def _visible(user: User | AnonymousUser, public: Q) -> QuerySet[Event]:
    events = Event.objects.select_related("host", "network").prefetch_related(
        Prefetch("sessions", queryset=Session.objects.order_by("starts_at", "id"))
    )
    if not user.is_authenticated:
        return events.filter(public).annotate(
            api_organised=Value(False, output_field=BooleanField())
        )
    organised = organised_events(user).values("pk")
    return events.filter(public | Q(pk__in=organised)).annotate(
        api_organised=Case(
            When(pk__in=organised, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def public_event(*, pk: int) -> PublicEvent | None:
    """A published or cancelled event with its agenda and questions; drafts are not public.

    One written-out query (events.services.seats) reads the event and tells whether it has
    sessions and questions, fetched only if so. What it reads becomes this process's copy."""
    public = read_public_event(pk)
    if public is not None:
        if len(_COPIES) >= COPIES_KEPT:
            _COPIES.clear()
        _COPIES[pk] = public
    return public


# This process's copies of public events, by id, for registering: a registration decided on one
# is saved only if the event's revision is still the copy's (events.services.seats), and a
# refusal is decided again on the row as it is now. Dropped here by events.signals; another
# process's change is seen through the revision.
_COPIES: dict[int, PublicEvent] = {}
COPIES_KEPT = 500


def cached_public_event(*, pk: int) -> PublicEvent | None:
    """The public event as this process last read it (None: not read, or dropped since): one
    query less per registration (the figures: events.services.seats.register_in_one_statement)."""
    return _COPIES.get(pk)


def forget_public_event(pk: int) -> None:
    _COPIES.pop(pk, None)


TOKEN = re.compile(r"[-A-Za-z0-9_]{16,64}")


def registration_by_token(*, token: str) -> Registration | None:
    if not TOKEN.fullmatch(token):
        return None
    return (
        Registration.objects.select_related(
            "event", "event__host", "event__network", "organisation"
        )
        .prefetch_related(
            Prefetch("event__sessions", queryset=Session.objects.order_by("starts_at", "id")),
            Prefetch("event__questions", queryset=Question.objects.order_by("position", "id")),
            Prefetch("session_choices", queryset=SessionChoice.objects.select_related("session")),
            "answers",
        )
        .filter(token=token)
        .first()
    )


def waitlist_position(registration: Registration) -> int | None:
    """1-based place in line among those still waiting, by the time they joined."""
    if registration.status != Registration.Status.WAITLISTED or registration.waitlisted_at is None:
        return None
    # Counted by the statement that saved it (events.services.seats), if it just was.
    if registration.waitlist_position_at_save is not None:
        return registration.waitlist_position_at_save
    return count_waiting_ahead(registration) + 1


@dataclass(frozen=True)
class SeatDrift:
    kind: str  # "event" or "session"
    pk: int
    title: str
    stored: int
    actual: int


def seat_counts_from_rows() -> tuple[dict[int, int], dict[int, int]]:
    """What the seat counters should say, computed from the registration rows."""
    held = (Registration.Status.CONFIRMED, Registration.Status.OFFERED)
    events = dict(
        Event.objects.annotate(
            actual=Count("registrations", filter=Q(registrations__status__in=held))
        ).values_list("pk", "actual")
    )
    sessions = dict(
        Session.objects.annotate(
            actual=Count(
                "choices", filter=Q(choices__registration__status__in=Registration.ACTIVE_STATUSES)
            )
        ).values_list("pk", "actual")
    )
    return events, sessions


def seat_drift() -> list[SeatDrift]:
    events_actual, sessions_actual = seat_counts_from_rows()
    drift = [
        SeatDrift("event", pk, title, stored, events_actual.get(pk, 0))
        for pk, title, stored in Event.objects.values_list("pk", "title", "seats_taken")
        if stored != events_actual.get(pk, 0)
    ]
    drift += [
        SeatDrift("session", pk, title, stored, sessions_actual.get(pk, 0))
        for pk, title, stored in Session.objects.values_list("pk", "title", "seats_taken")
        if stored != sessions_actual.get(pk, 0)
    ]
    return drift


def events_with_free_seats_and_waiting_list() -> QuerySet[Event]:
    return Event.objects.filter(
        status=Event.Status.PUBLISHED,
        capacity__isnull=False,
        seats_taken__lt=F("capacity"),
        ends_at__gt=timezone.now(),
        registrations__status=Registration.Status.WAITLISTED,
    ).distinct()
