"""The one error the invitation services raise when a rule refuses a request."""

from typing import Any


class InvitationError(Exception):
    """A rule refused the request; the message is translated and safe to show."""

    def __init__(self, message: Any, *, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field
