"""Organiser writes: events, agenda sessions, questions, publishing and cancelling.

Every public function here is the outermost transaction of its change (durable). Views, the API
and management commands call these; none of them writes events directly.
"""

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any, Literal

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from events import emails
from events.models import Event, Question, Session
from events.selectors.organiser import can_organise
from events.services.waiting_list import fill_free_seats
from events.signals import bump_event_revision

# Only organisers get this far (the views and the API check), but request.user is typed as either.
Organiser = User | AnonymousUser

# What an organiser may set, in the order the organiser's form shows it: the one list the form
# (events/organiser/forms.py), the API's EventIn/EventPatch (events/schemas.py, a test holds
# them to it) and the check below read. A place that leaves a field out says which and why.
EVENT_FIELDS = (
    "title",
    "kind",
    "host",
    "network",
    "description",
    "starts_at",
    "ends_at",
    "venue_name",
    "venue_address",
    "meeting_url",
    "capacity",
    "registration_opens_at",
    "registration_closes_at",
    "waiting_list_mode",
    "offer_hours",
    "invitation_only",
    "serves_food",
    "offers_assistance",
    "organiser_name",
    "organiser_email",
    "all_day",
)
# A change to any of these reaches participants' calendars (DESIGN rule 7).
CALENDAR_FIELDS = (
    "starts_at",
    "ends_at",
    "all_day",
    "venue_name",
    "venue_address",
    "meeting_url",
)
SESSION_FIELDS = (
    "title",
    "description",
    "starts_at",
    "ends_at",
    "room",
    "speakers",
    "requires_signup",
    "capacity",
)
QUESTION_FIELDS = ("label", "help_text", "kind", "choices", "required")
CHOICE_KINDS = (Question.Kind.SINGLE_CHOICE, Question.Kind.MULTIPLE_CHOICE)


def _check_fields(values: Mapping[str, Any], allowed: Collection[str]) -> None:
    unknown = set(values).difference(allowed)
    if unknown:
        raise TypeError("unknown fields: %s" % ", ".join(sorted(unknown)))


# Events ---------------------------------------------------------------------------------------


def validate_event(*, event: Event, by_user: Organiser) -> None:
    """Raise a ValidationError keyed by field if the (unsaved) event breaks a rule."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
        value = getattr(event, name)
        if value is not None and not 2000 <= value.year <= 2100:
            add(name, _("Choose a date between the years 2000 and 2100."))
    if errors:
        raise ValidationError(errors)
    starts_at: datetime | None = event.starts_at
    ends_at: datetime | None = event.ends_at
    if starts_at and ends_at and ends_at <= starts_at:
        add("ends_at", _("The event must end after it starts."))
    opens, closes = event.registration_opens_at, event.registration_closes_at
    if opens and closes and closes <= opens:
        add("registration_closes_at", _("Registration must close after it opens."))
    if closes and ends_at and closes > ends_at:
        add("registration_closes_at", _("Registration cannot close after the event has ended."))
    if opens and ends_at and opens >= ends_at:
        add("registration_opens_at", _("Registration must open before the event ends."))
    if event.capacity is not None and event.capacity < event.seats_taken:
        add(
            "capacity",
            _(
                "%(count)s seats are already taken by confirmed registrations and open offers; "
                "the capacity cannot be lower."
            )
            % {"count": event.seats_taken},
        )
    host_id = getattr(event, "host_id", None)
    if host_id is None:
        add("host", _("Choose a host."))
    else:
        network = event.network if event.network_id is not None else None
        if network is not None and not network.hosts.filter(pk=host_id).exists():
            add("network", _("This network is not run by the chosen host."))
        elif not can_organise(by_user, host=event.host, network=event.network):
            add("network", _("You can only create events for networks and hosts you organise."))
    if event.meeting_url and not event.meeting_url.lower().startswith(("https://", "http://")):
        add("meeting_url", _("The meeting link must start with https://."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic(durable=True)
def create_event(*, by_user: Organiser, values: Mapping[str, Any]) -> Event:
    """A new event, as a draft."""
    _check_fields(values, EVENT_FIELDS)
    event = Event(status=Event.Status.DRAFT, **values)
    validate_event(event=event, by_user=by_user)
    event.save()
    return event


@transaction.atomic(durable=True)
def update_event(*, event: Event, by_user: Organiser, values: Mapping[str, Any]) -> list[str]:
    """Change an event; returns the calendar-relevant fields that changed.

    On a published event a change of time, place or meeting link bumps SEQUENCE and notifies
    confirmed participants in the same transaction.
    """
    _check_fields(values, EVENT_FIELDS)
    # The lock keeps a registration from taking a seat between the capacity check and the save.
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if locked.status == Event.Status.CANCELLED:
        raise ValidationError(_("A cancelled event cannot be changed."))
    changed = [name for name, value in values.items() if getattr(locked, name) != value]
    for name, value in values.items():
        setattr(locked, name, value)
    validate_event(event=locked, by_user=by_user)
    calendar_changes = [name for name in CALENDAR_FIELDS if name in changed]
    update_fields = [*changed, "updated_at"]
    if calendar_changes and locked.status == Event.Status.PUBLISHED:
        locked.sequence += 1
        update_fields.append("sequence")
    locked.save(update_fields=update_fields)
    if calendar_changes and locked.status == Event.Status.PUBLISHED:
        emails.notify_event_changed(event=locked, changes=calendar_changes)
    _copy_into(event, locked)
    return calendar_changes


def change_event(*, event: Event, by_user: Organiser, values: Mapping[str, Any]) -> list[str]:
    """Save an organiser's edit, then let the waiting list move up into any seats it freed
    (a raised capacity). Two transactions: the seat offers follow the committed change, and the
    periodic offer sweep fills any seat a crash in between would leave."""
    changes = update_event(event=event, by_user=by_user, values=values)
    if event.status == Event.Status.PUBLISHED:
        fill_free_seats(event_id=event.pk)
    return changes


@transaction.atomic(durable=True)
def publish_event(*, event: Event, by_user: Organiser) -> Event:
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if locked.status != Event.Status.DRAFT:
        raise ValidationError(_("Only a draft can be published."))
    if locked.ends_at <= timezone.now():
        raise ValidationError(_("This event has already ended and cannot be published."))
    validate_event(event=locked, by_user=by_user)
    locked.status = Event.Status.PUBLISHED
    locked.save(update_fields=["status", "updated_at"])
    _copy_into(event, locked)
    return event


@transaction.atomic(durable=True)
def cancel_event(*, event: Event, by_user: Organiser, message: str) -> Event:
    """Cancel the event and tell its participants why (iTIP CANCEL with a higher SEQUENCE)."""
    message = message.strip()
    if not message:
        raise ValidationError({"message": [_("Write a message to the participants.")]})
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if locked.status == Event.Status.CANCELLED:
        raise ValidationError(_("This event is already cancelled."))
    locked.status = Event.Status.CANCELLED
    locked.cancellation_message = message
    locked.sequence += 1
    locked.save(update_fields=["status", "cancellation_message", "sequence", "updated_at"])
    emails.notify_event_cancelled(event=locked, message=message)
    _copy_into(event, locked)
    return event


def _copy_into(target: Event, source: Event) -> None:
    for field in Event._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


# Agenda sessions ------------------------------------------------------------------------------


def _validate_session(session: Session) -> None:
    errors: dict[str, list[str]] = {}
    event = session.event
    if session.starts_at and session.ends_at and session.ends_at <= session.starts_at:
        errors.setdefault("ends_at", []).append(_("The session must end after it starts."))
    if session.starts_at and session.starts_at < event.starts_at:
        errors.setdefault("starts_at", []).append(
            _("The session cannot start before the event starts.")
        )
    if session.ends_at and session.ends_at > event.ends_at:
        errors.setdefault("ends_at", []).append(_("The session cannot end after the event ends."))
    if session.capacity is not None:
        if not session.requires_signup:
            errors.setdefault("capacity", []).append(
                _("A session with a capacity needs sign-up; tick “participants sign up”.")
            )
        elif session.capacity < session.seats_taken:
            errors.setdefault("capacity", []).append(
                _("%(count)s participants have already signed up; the capacity cannot be lower.")
                % {"count": session.seats_taken}
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic(durable=True)
def add_session(*, event: Event, values: Mapping[str, Any]) -> Session:
    _check_fields(values, SESSION_FIELDS)
    session = Session(event=event, **values)
    _validate_session(session)
    session.save()
    return session


@transaction.atomic(durable=True)
def update_session(*, session: Session, values: Mapping[str, Any]) -> Session:
    _check_fields(values, SESSION_FIELDS)
    locked = Session.objects.select_for_update().select_related("event").get(pk=session.pk)
    for name, value in values.items():
        setattr(locked, name, value)
    _validate_session(locked)
    locked.save(update_fields=list(values))
    return locked


@transaction.atomic(durable=True)
def delete_session(*, session: Session) -> None:
    """Delete a session and the participants' sign-ups for it."""
    session.delete()


# Questions ------------------------------------------------------------------------------------


def _clean_question_values(values: Mapping[str, Any]) -> dict[str, Any]:
    _check_fields(values, QUESTION_FIELDS)
    cleaned = dict(values)
    kind = cleaned.get("kind")
    choices = [str(c).strip() for c in cleaned.get("choices") or [] if str(c).strip()]
    # Keep the organiser's order, drop repeats.
    choices = list(dict.fromkeys(choices))
    if kind in CHOICE_KINDS:
        if len(choices) < 2:
            raise ValidationError({"choices": [_("Give at least two choices, one per line.")]})
    else:
        choices = []
    cleaned["choices"] = choices
    return cleaned


@transaction.atomic(durable=True)
def add_question(*, event: Event, values: Mapping[str, Any]) -> Question:
    cleaned = _clean_question_values(values)
    # The event row serialises concurrent edits of its question order.
    Event.objects.select_for_update().filter(pk=event.pk).first()
    last = Question.objects.filter(event=event).aggregate(last=Max("position"))["last"]
    return Question.objects.create(event=event, position=0 if last is None else last + 1, **cleaned)


@transaction.atomic(durable=True)
def update_question(*, question: Question, values: Mapping[str, Any]) -> Question:
    cleaned = _clean_question_values(values)
    for name, value in cleaned.items():
        setattr(question, name, value)
    question.save(update_fields=list(cleaned))
    return question


@transaction.atomic(durable=True)
def delete_question(*, question: Question) -> None:
    """Delete a question and the answers given to it."""
    question.delete()


@transaction.atomic(durable=True)
def move_question(*, question: Question, direction: Literal["up", "down"]) -> None:
    """Swap the question with its neighbour; positions are renumbered 0..n on the way."""
    Event.objects.select_for_update().filter(pk=question.event_id).first()
    ordered = list(Question.objects.filter(event_id=question.event_id).order_by("position", "id"))
    index = next(i for i, q in enumerate(ordered) if q.pk == question.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered):
        if item.position != position:
            item.position = position
    Question.objects.bulk_update(ordered, ["position"])
    bump_event_revision(question.event_id)  # bulk_update sends no signals
