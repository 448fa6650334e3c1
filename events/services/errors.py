"""The RegistrationError family: a rule refused a registration change, with a message and a code.

Its own module because registering (register, change, cancel) and waiting_list (offers,
promotion) both raise them, and cancelling hands a freed seat to the waiting list.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _

from ..models import Session


class RegistrationError(Exception):
    """A rule refused the request. `message` is translated and safe to show to anyone."""

    code = "invalid"

    def __init__(self, message: Any, *, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


class EventUnavailable(RegistrationError):
    code = "unavailable"


class RegistrationNotOpen(RegistrationError):
    code = "not_open"


class RegistrationClosed(RegistrationError):
    code = "closed"


class InvitationOnly(RegistrationError):
    code = "invitation_only"


class EventFull(RegistrationError):
    code = "full"


class EventChanged(RegistrationError):
    """The event changed between reading it and saving the registration; nothing was saved."""

    code = "event_changed"

    def __init__(self) -> None:
        super().__init__(
            _(
                "The event changed while we saved your registration (it may have been edited "
                "or filled up). Nothing was saved: check the details and send it again."
            )
        )


class SessionFull(RegistrationError):
    code = "session_full"

    def __init__(self, message: Any, *, session: Session) -> None:
        super().__init__(message, field="sessions")
        self.session = session


class DuplicateRegistration(RegistrationError):
    code = "duplicate"


class InvalidAnswer(RegistrationError):
    code = "invalid_answer"


class NotChangeable(RegistrationError):
    code = "not_changeable"


class OfferExpired(RegistrationError):
    code = "offer_expired"
