"""Handlers apps register for inbound mail (worker/mailbox.py calls them; worker knows no domain)."""

from collections.abc import Callable
from email.message import EmailMessage

# Called with the parsed message inside the transaction that records it; returns what it did
# (None or "" when the message is not its business). An exception fails the message: nothing
# it wrote is kept and the message goes to the Failed folder with the exception as reason.
InboundHandler = Callable[[EmailMessage], str | None]

_handlers: list[InboundHandler] = []

NO_HANDLER = "no handler"
NOTHING_DONE = "nothing done"


def register_inbound_handler(function: InboundHandler) -> InboundHandler:
    """Register a handler (at import, from AppConfig.ready); registering one twice is a no-op."""
    if function not in _handlers:
        _handlers.append(function)
    return function


def unregister_inbound_handler(function: InboundHandler) -> None:
    if function in _handlers:
        _handlers.remove(function)


def handle(message: EmailMessage) -> str:
    """Run every handler in the order registered; return what they did, in one line."""
    if not _handlers:
        return NO_HANDLER
    done = [str(result) for handler in list(_handlers) if (result := handler(message))]
    return "; ".join(done) or NOTHING_DONE
