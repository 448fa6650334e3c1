"""The CallError family: a rule refused an answer, with a translated message, a code and the
field it concerns. The form shows the message at the field; the API maps the code to a status."""

from typing import Any


class CallError(Exception):
    """A rule refused the request. `message` is translated and safe to show to anyone."""

    code = "invalid"

    def __init__(self, message: Any, *, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


class CallUnavailable(CallError):
    code = "unavailable"


class CallNotOpen(CallError):
    code = "not_open"


class CallClosed(CallError):
    code = "closed"


class InvitationOnly(CallError):
    code = "invitation_only"


class AlreadyAnswered(CallError):
    code = "duplicate"


class InvalidAnswer(CallError):
    code = "invalid_answer"


class InvalidAttachment(CallError):
    code = "invalid_attachment"

    def __init__(self, message: Any) -> None:
        super().__init__(message, field="attachments")


class NotChangeable(CallError):
    code = "not_changeable"
