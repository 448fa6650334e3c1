"""Messages an app composes when they are sent, not when they are caused.

Most outbox rows hold a finished message. For the busiest path (a registration) rendering the
email in the web request cost more than everything else the request did, so an app may instead
write a row that holds only its recipient, kind, language and references (still in the
transaction that causes it) and register a composer for that kind. The worker calls the
composer when it claims the row, stores what it returns in the row (so organisers see the
message as sent, and a retry or a resend sends the same text), then sends it.

The worker still never interprets references: the composer, which belongs to the app that
wrote the row, does.
"""

from collections.abc import Callable

from .models import OutgoingMessage
from .services import Message, row_content

Composer = Callable[[OutgoingMessage], Message]

_composers: dict[str, Composer] = {}


class ComposeError(Exception):
    """The row cannot be composed (no composer, or what it refers to is gone)."""


class ComposeSkipped(Exception):  # noqa: N818 (not an error: the row is not to be sent)
    """The message has nothing left to say (what it was about has changed since); the row is
    recorded as not sent, with this reason."""


def composer(kind: str) -> Callable[[Composer], Composer]:
    """Register the function that composes rows of `kind` (at import, from AppConfig.ready)."""

    def register(function: Composer) -> Composer:
        existing = _composers.get(kind)
        if existing is not None and existing is not function:
            raise ValueError("a composer for %r is registered already" % kind)
        _composers[kind] = function
        return function

    return register


# A calendar copied into a resent row must go above every calendar sent to that address since
# (RFC 5546: clients ignore one that does not), and only the app that wrote it knows what was.
CalendarForResend = Callable[[OutgoingMessage], str]
_calendar_for_resend: list[CalendarForResend] = []


def calendar_on_resend(function: CalendarForResend) -> CalendarForResend:
    """Register the function that gives a resent row its calendar (the row's, with a new
    SEQUENCE), or raises MessageNotResendable with a reason. One for all kinds."""
    if _calendar_for_resend and _calendar_for_resend[0] is not function:
        raise ValueError("a calendar-on-resend function is registered already")
    _calendar_for_resend[:] = [function]
    return function


def calendar_for_resend(row: OutgoingMessage) -> str:
    return _calendar_for_resend[0](row) if _calendar_for_resend else row.calendar


# The envelope sender (MAIL FROM, where bounces go) may name the recipient, so that a bounce
# says whom it is about; only the app that wrote the row knows how.
EnvelopeSender = Callable[[OutgoingMessage], str]
_envelope_sender: list[EnvelopeSender] = []


def envelope_on_send(function: EnvelopeSender) -> EnvelopeSender:
    """Register the function that gives a row its envelope sender ("" for the From address).
    One for all kinds."""
    if _envelope_sender and _envelope_sender[0] is not function:
        raise ValueError("an envelope-sender function is registered already")
    _envelope_sender[:] = [function]
    return function


def envelope_sender_for(row: OutgoingMessage) -> str:
    return _envelope_sender[0](row) if _envelope_sender else ""


def compose(row: OutgoingMessage) -> Message:
    try:
        function = _composers[row.kind]
    except KeyError:
        raise ComposeError("no composer for kind %r" % row.kind) from None
    return function(row)


def fill(row: OutgoingMessage, message: Message) -> list[str]:
    """Copy a composed message into the row; return the fields changed, for an UPDATE."""
    content = row_content(message)
    for name, value in content.items():
        setattr(row, name, value)
    row.composed = True
    return [*content, "composed"]
