"""The demo's building blocks: fixed UIDs, Oslo times, and idempotent rows for one event."""

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.utils import timezone

from partners.models import Person

from ..models import Answer, Event, Question, Registration, Session, SessionChoice

OSLO = ZoneInfo("Europe/Oslo")
DEMO_NAMESPACE = uuid.UUID("6f1c2b0e-7d4a-4b8e-9a51-3c2d1e0f9a77")


def demo_uid(key: str) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, "partnerskap-demo:" + key)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=OSLO)


def next_weekday(day: date, weekday: int) -> date:
    """The first day on or after `day` that falls on `weekday` (Monday = 0)."""
    return day + timedelta(days=(weekday - day.weekday()) % 7)


@dataclass
class DemoSession:
    title: str
    start: tuple[int, int]
    end: tuple[int, int]
    room: str = ""
    speakers: str = ""
    description: str = ""
    capacity: int | None = None


@dataclass
class DemoQuestion:
    label: str
    kind: str
    choices: list[str] = field(default_factory=list)
    required: bool = False
    help_text: str = ""


@dataclass
class DemoRegistration:
    email: str
    status: str = Registration.Status.CONFIRMED
    checked_in: bool = False
    dietary_needs: str = ""
    assistance_needs: str = ""
    sessions: list[str] = field(default_factory=list)
    answers: dict[str, object] = field(default_factory=dict)


def demo_person(email: str) -> Person:
    return Person.objects.select_related("organisation").get(email__iexact=email)


def demo_event(key: str, **values: object) -> Event:
    event, _ = Event.objects.get_or_create(uid=demo_uid(key), defaults=values)
    return event


def add_sessions(event: Event, day: date, sessions: list[DemoSession]) -> None:
    for item in sessions:
        Session.objects.get_or_create(
            event=event,
            title=item.title,
            defaults={
                "starts_at": at(day, *item.start),
                "ends_at": at(day, *item.end),
                "room": item.room,
                "speakers": item.speakers,
                "description": item.description,
                "requires_signup": item.capacity is not None,
                "capacity": item.capacity,
            },
        )


def add_questions(event: Event, questions: list[DemoQuestion]) -> None:
    for position, item in enumerate(questions):
        Question.objects.get_or_create(
            event=event,
            label=item.label,
            defaults={
                "kind": item.kind,
                "choices": item.choices,
                "required": item.required,
                "help_text": item.help_text,
                "position": position,
            },
        )


def add_registrations(event: Event, rows: list[DemoRegistration]) -> None:
    sessions = {s.title: s for s in event.sessions.all()}
    questions = {q.label: q for q in event.questions.all()}
    for offset, row in enumerate(rows):
        person = demo_person(row.email)
        registered_at = min(event.starts_at, timezone.now()) - timedelta(hours=20 - offset)
        registration, created = Registration.objects.get_or_create(
            event=event,
            email=person.email,
            defaults={
                "person": person,
                "name": person.name,
                "organisation": person.organisation,
                "title": person.title,
                "language": person.language,
                "status": row.status,
                "dietary_consent": bool(row.dietary_needs),
                "dietary_needs": row.dietary_needs,
                "assistance_consent": bool(row.assistance_needs),
                "assistance_needs": row.assistance_needs,
                "list_consent": True,
                "waitlisted_at": registered_at
                if row.status == Registration.Status.WAITLISTED
                else None,
                "checked_in_at": event.starts_at - timedelta(minutes=20 - offset)
                if row.checked_in
                else None,
            },
        )
        if not created:
            continue
        # auto_now_add ignores defaults; spread the demo sign-ups over the hours before.
        Registration.objects.filter(pk=registration.pk).update(created_at=registered_at)
        for title in row.sessions:
            SessionChoice.objects.get_or_create(registration=registration, session=sessions[title])
        for label, value in row.answers.items():
            Answer.objects.get_or_create(
                registration=registration, question=questions[label], defaults={"value": value}
            )


def recount(event: Event) -> None:
    """Seat counters from the rows, so the demo never starts with drift."""
    holding = [Registration.Status.CONFIRMED, Registration.Status.OFFERED]
    taken = event.registrations.filter(status__in=holding).count()
    Event.objects.filter(pk=event.pk).update(seats_taken=taken)
    for session in event.sessions.annotate(
        taken=Count("choices", filter=Q(choices__registration__status__in=holding))
    ):
        if session.seats_taken != session.taken:
            Session.objects.filter(pk=session.pk).update(seats_taken=session.taken)
