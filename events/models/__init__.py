"""What and when, one module per concept: `core` (events, sessions, questions, registrations,
seats and the waiting list, the calendar's per-address records), `access` (the audit log of who
saw or exported participants' data). Everything is named here, so callers import from
`events.models`."""

from .access import DataAccess
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

__all__ = [
    "TICKET_ALPHABET",
    "Answer",
    "CalendarSequence",
    "DataAccess",
    "Event",
    "Question",
    "Registration",
    "ReplyToken",
    "Session",
    "SessionChoice",
    "email_key",
    "new_ticket_code",
    "new_token",
]
