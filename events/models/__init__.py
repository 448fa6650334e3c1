"""What and when, one module per concept: `core` (events, sessions, questions, registrations,
seats and the waiting list, the calendar's per-address records), `documents` (documents, links
and the report of an event). Everything is named here, so callers import from `events.models`."""

from .core import (
    TICKET_ALPHABET,
    Answer,
    CalendarSequence,
    Event,
    Question,
    Registration,
    ReplyToken,
    Session,
    SessionChoice,
    email_key,
    new_ticket_code,
    new_token,
)
from .documents import EventDocument, EventReport

__all__ = [
    "TICKET_ALPHABET",
    "Answer",
    "CalendarSequence",
    "Event",
    "EventDocument",
    "EventReport",
    "Question",
    "Registration",
    "ReplyToken",
    "Session",
    "SessionChoice",
    "email_key",
    "new_ticket_code",
    "new_token",
]
