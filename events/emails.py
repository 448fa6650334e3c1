"""Participant emails, built as finished outbox messages in the participant's language.

Each builder renders templates/emails/events/<name>.txt and .html in the one email layout
(events/email_layout.py; the subject comes from here) with the registration's language active
and times shown in Europe/Oslo.
"""

import io
import re
from zoneinfo import ZoneInfo

import segno
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from worker.composers import ComposeError, ComposeSkipped, calendar_on_resend, composer
from worker.models import OutgoingMessage
from worker.services import Attachment, Message, MessageNotResendable, References

from .calendar import (
    Attendee,
    highest_sequence,
    itip_cancel,
    itip_request,
    sequence_sent,
    take_sequence,
)
from .email_layout import render_bodies
from .models import Event, Registration
from .selectors.public import waitlist_position

OSLO = ZoneInfo("Europe/Oslo")


def ticket_qr_png(registration: Registration) -> bytes:
    """The ticket code as a QR code, for check-in at the door."""
    buffer = io.BytesIO()
    segno.make(registration.ticket_code, error="m").save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()


def _attendee(registration: Registration, partstat: str = "ACCEPTED") -> Attendee:
    return Attendee(email=registration.email, name=registration.name, partstat=partstat)


def _cancel_calendar(registration: Registration) -> str:
    """METHOD:CANCEL for the registration's own calendar entry, with its next SEQUENCE."""
    event = registration.event
    return itip_cancel(
        event=event,
        attendee=_attendee(registration, "DECLINED"),
        sequence=take_sequence(event=event, email=registration.email),
    )


def _message(
    *,
    registration: Registration,
    template: str,
    subject: str,
    kind: str,
    extra: dict | None = None,
    calendar: str = "",
    calendar_method: str = "",
    attachments: list[Attachment] | None = None,
) -> Message:
    event = registration.event
    confirmed = registration.status == Registration.Status.CONFIRMED
    context = {
        "registration": registration,
        "button_url": settings.SITE_URL + registration.get_absolute_url(),
        "meeting_url": event.meeting_url if confirmed else "",
        **(extra or {}),
    }
    bodies = render_bodies("emails/events/" + template, context, event=event)
    return Message(
        to_email=registration.email,
        to_name=registration.name,
        subject=subject,
        text_body=bodies.text,
        html_body=bodies.html,
        reply_to=event.organiser_email,
        calendar=calendar,
        calendar_method=calendar_method,
        attachments=[*bodies.inline, *(attachments or [])],
        language=registration.language,
        kind=kind,
        refs=References(
            event=event.pk, registration=registration.pk, person=registration.person_id
        ),
    )


def confirmation(*, registration: Registration) -> Message:
    """Registration confirmed: the ticket QR code and a calendar invitation (ACCEPTED)."""
    event = registration.event
    with translation.override(registration.language), timezone.override(OSLO):
        return _message(
            registration=registration,
            template="confirmation",
            subject=gettext("Registration confirmed: %(title)s") % {"title": event.title},
            kind="events.confirmation",
            calendar=itip_request(
                event=event,
                attendee=_attendee(registration),
                sequence=take_sequence(event=event, email=registration.email),
                include_meeting_link=True,
            ),
            calendar_method="REQUEST",
            attachments=[
                Attachment(
                    filename="ticket-%s.png" % registration.ticket_code,
                    content_type="image/png",
                    content=ticket_qr_png(registration),
                )
            ],
        )


# The receipt written when someone registers; what it says is decided when it is sent.
REGISTRATION_RECEIPT = "events.registration"


@composer(REGISTRATION_RECEIPT)
def registration_receipt(row: OutgoingMessage) -> Message:
    """The confirmation, or the waiting-list receipt (with the place in the queue as it is
    now), for the registration as it is when the receipt is sent."""
    if row.registration_ref is None:
        raise ComposeError("a registration receipt without a registration")
    registration = Registration.objects.select_related("event__host").get(pk=row.registration_ref)
    Status = Registration.Status
    if registration.status == Status.CONFIRMED and registration.waitlisted_at is None:
        return confirmation(registration=registration)
    if registration.status == Status.WAITLISTED:
        return waiting_list_receipt(
            registration=registration, position=waitlist_position(registration) or 1
        )
    # Offered a seat, promoted or cancelled before the receipt went out: the message about
    # that (the offer, the confirmation or the cancellation) says what is true; a receipt
    # now would contradict it (a calendar REQUEST after a CANCEL puts the event back).
    raise ComposeSkipped("the registration is %s by now" % registration.status)


_SEQUENCE_LINE = re.compile(r"^SEQUENCE:(\d+)(?=\r?$)", re.MULTILINE)


@calendar_on_resend
def calendar_for_resend(row: OutgoingMessage) -> str:
    """An organiser sends a message again: its calendar with a new SEQUENCE, so that clients
    take it. Refused when a newer calendar has gone to the address since: that one says
    what is true now (this one would move the event back, or put a cancelled one back)."""
    match = _SEQUENCE_LINE.search(row.calendar)
    event = Event.objects.filter(pk=row.event_ref).first() if row.event_ref else None
    if match is None or event is None:
        return row.calendar
    highest = highest_sequence(event=event, email=row.to_email)
    if highest is not None and highest > int(match.group(1)):
        raise MessageNotResendable(
            "a newer calendar went to %s" % row.to_email,
            reason=gettext(
                "A newer calendar update has gone to this address since this message. "
                "Send the newest message again instead."
            ),
        )
    sequence = take_sequence(event=event, email=row.to_email)
    return _SEQUENCE_LINE.sub("SEQUENCE:%d" % sequence, row.calendar, count=1)


def waiting_list_receipt(*, registration: Registration, position: int) -> Message:
    event = registration.event
    with translation.override(registration.language), timezone.override(OSLO):
        return _message(
            registration=registration,
            template="waiting_list",
            subject=gettext("You are on the waiting list: %(title)s") % {"title": event.title},
            kind="events.waiting_list",
            extra={"position": position},
        )


def seat_offered(*, registration: Registration) -> Message:
    event = registration.event
    with translation.override(registration.language), timezone.override(OSLO):
        return _message(
            registration=registration,
            template="seat_offered",
            subject=gettext("A seat is free for you: %(title)s") % {"title": event.title},
            kind="events.seat_offered",
        )


def offer_expired(*, registration: Registration) -> Message:
    """The seat passed on. Someone sent the event's calendar while they held the offer (the
    event changed) also gets METHOD:CANCEL, so it leaves their calendar."""
    event = registration.event
    held_calendar = bool(sequence_sent(event=event, emails=[registration.email]))
    with translation.override(registration.language), timezone.override(OSLO):
        return _message(
            registration=registration,
            template="offer_expired",
            subject=gettext("Your seat offer has expired: %(title)s") % {"title": event.title},
            kind="events.offer_expired",
            calendar=_cancel_calendar(registration) if held_calendar else "",
            calendar_method="CANCEL" if held_calendar else "",
        )


def cancellation_receipt(*, registration: Registration, with_calendar: bool) -> Message:
    """Sent when the participant cancels; confirmed participants also get METHOD:CANCEL."""
    event = registration.event
    with translation.override(registration.language), timezone.override(OSLO):
        return _message(
            registration=registration,
            template="cancellation",
            subject=gettext("Registration cancelled: %(title)s") % {"title": event.title},
            kind="events.cancellation",
            extra={"has_calendar": with_calendar},
            calendar=_cancel_calendar(registration) if with_calendar else "",
            calendar_method="CANCEL" if with_calendar else "",
        )


def personal_link(*, registration: Registration) -> Message:
    event = registration.event
    with translation.override(registration.language), timezone.override(OSLO):
        return _message(
            registration=registration,
            template="personal_link",
            subject=gettext("Your registration: %(title)s") % {"title": event.title},
            kind="events.personal_link",
        )
