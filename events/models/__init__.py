"""What and when, one module per concept: `core` (events, sessions, questions, registrations,
seats and the waiting list, the calendar's per-address records), `badges` (what was printed),
`door` (walk-ins, check-in per session), `access` (the audit log of who saw or exported
participants' data), `documents` (documents, links and the report of an event). Everything is
named here, so callers import from `events.models`."""

from .access import DataAccess
from .badges import BadgePrint
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
from .door import SessionCheckIn, WalkIn

__all__ = [
    "TICKET_ALPHABET",
    "Answer",
    "BadgePrint",
    "CalendarSequence",
    "DataAccess",
    "Event",
    "EventDocument",
    "EventReport",
    "Question",
    "Registration",
    "ReplyToken",
    "Session",
    "SessionCheckIn",
    "SessionChoice",
    "WalkIn",
    "email_key",
    "new_ticket_code",
    "new_token",
]
