"""Change and cancellation notices to participants.

STUB (events-org branch): the calendar/notifications colleague owns this module and its real
version queues outbox messages to confirmed participants. This placeholder keeps the same
interface and does nothing, so the organiser services can call it inside their transaction.
The integrator takes the colleague's version.
"""

from .models import Event


def notify_event_changed(*, event: Event, changes: list[str]) -> None:
    """Queue a change notice (iTIP REQUEST, higher SEQUENCE) to confirmed participants. STUB."""


def notify_event_cancelled(*, event: Event, message: str) -> None:
    """Queue a cancellation (iTIP CANCEL) to confirmed participants. STUB."""
