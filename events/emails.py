"""Participant emails: the one builder of a message to a registration, and every such message.

participant_message renders templates/<template>.txt and .html in the one email layout
(events/email_layout.py) in the registration's language, times in Europe/Oslo; the events app
and the invitations app (the participant reminder) both build with it. Every calendar in these
messages takes its SEQUENCE from events.calendar.sequences.take_sequences when it
is composed.
"""

import io
import re
from collections.abc import Iterable, Mapping, Sequence

import segno
from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

from worker.composers import ComposeError, ComposeSkipped, calendar_on_resend, composer
from worker.models import OutgoingMessage
from worker.services import (
    Attachment,
    Message,
    MessageNotResendable,
    References,
    queue_messages,
)

from .calendar.itip import Attendee, itip_cancel, itip_request
from .calendar.organizer import organiser_addresses
from .calendar.sequences import (
    highest_sequence,
    sequence_sent,
    take_sequence,
    take_sequences,
)
from .email_layout import render_bodies
from .models import Event, Registration, email_key
from .selectors.public import waitlist_position

Status = Registration.Status

# The builder -----------------------------------------------------------------------------------


def participant_message(
    *,
    registration: Registration,
    template: str,
    subject: Promise | str,
    kind: str,
    event: Event | None = None,
    context: Mapping[str, object] | None = None,
    calendar: str = "",
    calendar_method: str = "",
    attachments: Sequence[Attachment] = (),
) -> Message:
    """A message to one registration, in its language.

    ``subject``: a lazy "...: %(title)s", filled with the event's title in that language, or a
    finished string. ``event``: the registration's, when the caller has it loaded already.
    The meeting link is shown to confirmed participants only, unless ``context`` says otherwise.
    """
    event = event or registration.event
    confirmed = registration.status == Status.CONFIRMED
    full_context = {
        "registration": registration,
        "name": registration.name,
        "title": event.title,
        "button_url": settings.SITE_URL + registration.get_absolute_url(),
        "meeting_url": event.meeting_url if confirmed else "",
        **(context or {}),
    }
    with translation.override(registration.language):
        if isinstance(subject, Promise):
            subject = str(subject) % {"title": event.title}
        bodies = render_bodies(template, full_context, event=event)
    return Message(
        to_email=registration.email,
        to_name=registration.name,
        subject=subject,
        text_body=bodies.text,
        html_body=bodies.html,
        reply_to=event.organiser_email,
        calendar=calendar,
        calendar_method=calendar_method if calendar else "",
        attachments=[*bodies.inline, *attachments],
        language=registration.language,
        kind=kind,
        refs=References(
            event=event.pk, registration=registration.pk, person=registration.person_id
        ),
    )


def attendee(
    registration: Registration, partstat: str = "ACCEPTED", rsvp: bool = False
) -> Attendee:
    return Attendee(email=registration.email, name=registration.name, partstat=partstat, rsvp=rsvp)


def seat_calendar(registration: Registration) -> str:
    """The REQUEST a confirmed participant's calendar holds the event by (ACCEPTED, with the
    meeting link), at the address's next SEQUENCE: the confirmation and the reminder send it."""
    return itip_request(
        event=registration.event,
        attendee=attendee(registration),
        sequence=take_sequence(event=registration.event, email=registration.email),
        include_meeting_link=True,
    )


def calendar_holders(*, event: Event, registrations: Iterable[Registration]) -> set[str]:
    """The addresses (as email_key) that may hold the event in a calendar: confirmed
    registrations, and any address sent a calendar for it (an invitation, a change while it
    held a seat offer), whatever the registration's status now. One query."""
    registrations = list(registrations)
    confirmed = {email_key(r.email) for r in registrations if r.status == Status.CONFIRMED}
    return confirmed | sequence_sent(event=event, emails=[r.email for r in registrations])


def holds_calendar(registration: Registration) -> bool:
    """Whether the registration's address may hold the event in a calendar (calendar_holders),
    so that a CANCEL is what takes it out: ask before changing the registration's status."""
    return bool(calendar_holders(event=registration.event, registrations=[registration]))


def ticket_qr(registration: Registration) -> segno.QRCode:
    """The ticket code as a QR code, what check-in reads (the email's and the badge's).

    A full QR code, never the Micro QR segno picks for short content by default: the check-in
    page's scanner asks the browser for "qr_code", which Micro QR is not, nor do phone cameras
    read it."""
    return segno.make(registration.ticket_code, error="m", micro=False)


def ticket_qr_png(registration: Registration) -> bytes:
    buffer = io.BytesIO()
    ticket_qr(registration).save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()


# One registration's messages -------------------------------------------------------------------


def confirmation(*, registration: Registration) -> Message:
    """Registration confirmed: the ticket QR code and a calendar invitation (ACCEPTED)."""
    return participant_message(
        registration=registration,
        template="emails/events/confirmation",
        subject=gettext_lazy("Registration confirmed: %(title)s"),
        kind="events.confirmation",
        calendar=seat_calendar(registration),
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
    return participant_message(
        registration=registration,
        template="emails/events/waiting_list",
        subject=gettext_lazy("You are on the waiting list: %(title)s"),
        kind="events.waiting_list",
        context={"position": position},
    )


def seat_offered(*, registration: Registration) -> Message:
    return participant_message(
        registration=registration,
        template="emails/events/seat_offered",
        subject=gettext_lazy("A seat is free for you: %(title)s"),
        kind="events.seat_offered",
    )


def _cancel_calendar(registration: Registration) -> str:
    """METHOD:CANCEL for the registration's own calendar entry, with its next SEQUENCE."""
    event = registration.event
    return itip_cancel(
        event=event,
        attendee=attendee(registration, "DECLINED"),
        sequence=take_sequence(event=event, email=registration.email),
    )


def offer_expired(*, registration: Registration) -> Message:
    """The seat passed on. Someone sent the event's calendar while they held the offer (the
    event changed) also gets METHOD:CANCEL, so it leaves their calendar."""
    held_calendar = holds_calendar(registration)
    return participant_message(
        registration=registration,
        template="emails/events/offer_expired",
        subject=gettext_lazy("Your seat offer has expired: %(title)s"),
        kind="events.offer_expired",
        calendar=_cancel_calendar(registration) if held_calendar else "",
        calendar_method="CANCEL",
    )


def cancellation_receipt(*, registration: Registration, with_calendar: bool) -> Message:
    """Sent when the participant cancels; with METHOD:CANCEL if they held the event in a
    calendar (holds_calendar, asked before the cancellation)."""
    return participant_message(
        registration=registration,
        template="emails/events/cancellation",
        subject=gettext_lazy("Registration cancelled: %(title)s"),
        kind="events.cancellation",
        context={"has_calendar": with_calendar},
        calendar=_cancel_calendar(registration) if with_calendar else "",
        calendar_method="CANCEL",
    )


def personal_link(*, registration: Registration) -> Message:
    return participant_message(
        registration=registration,
        template="emails/events/personal_link",
        subject=gettext_lazy("Your registration: %(title)s"),
        kind="events.personal_link",
    )


# Every participant of a changed or cancelled event ---------------------------------------------
#
# Both run inside the organiser's service, which has already saved the event and bumped
# ``event.sequence`` for a change of time, place or status. The outbox rows and each address's
# SEQUENCE are written in that transaction; delivery is enqueued only after it commits. The
# number of queries does not grow with the number of recipients, apart from the batches of the
# outbox insert.

# What the organiser side may pass in ``changes``: these keys, or the Event field names below.
CHANGE_NOTES = {
    "time": gettext_lazy("The time has changed."),
    "place": gettext_lazy("The place has changed."),
    "meeting_link": gettext_lazy("The digital meeting link has changed."),
    "title": gettext_lazy("The title has changed."),
    "description": gettext_lazy("The description has changed."),
}
CHANGE_ALIASES = {
    "starts_at": "time",
    "ends_at": "time",
    "all_day": "time",
    "venue_name": "place",
    "venue_address": "place",
    "venue": "place",
    "location": "place",
    "meeting_url": "meeting_link",
}
OTHER_CHANGE = gettext_lazy("Some details have changed.")


def change_notes(changes: Iterable[str], *, include_meeting_link: bool = True) -> list[str]:
    """Translated one-line notes for the change keys, once each, in the order given."""
    keys: list[str] = []
    for change in changes:
        key = CHANGE_ALIASES.get(change, change)
        if key == "meeting_link" and not include_meeting_link:
            continue
        if key not in keys:
            keys.append(key)
    notes = [str(CHANGE_NOTES.get(key, OTHER_CHANGE)) for key in keys]
    return list(dict.fromkeys(notes)) or [str(OTHER_CHANGE)]


def _recipients(event: Event, statuses: Iterable[str]) -> list[Registration]:
    return list(Registration.objects.filter(event=event, status__in=list(statuses)).order_by("pk"))


def notify_event_changed(*, event: Event, changes: list[str]) -> int:
    """Send every confirmed participant, and everyone holding a seat offer, the updated event.

    ``changes`` holds keys of CHANGE_NOTES ("time", "place", "meeting_link", "title",
    "description") or Event field names; unknown keys give a general note. The caller has saved
    the event and bumped ``event.sequence``. Returns the number of messages queued.
    """
    recipients = _recipients(event, (Status.CONFIRMED, Status.OFFERED))
    sequences = take_sequences(event=event, emails=[r.email for r in recipients])
    organizers = organiser_addresses(event_id=event.pk, emails=[r.email for r in recipients])
    messages = []
    for registration in recipients:
        confirmed = registration.status == Status.CONFIRMED
        with translation.override(registration.language):
            notes = change_notes(changes, include_meeting_link=confirmed)
        messages.append(
            participant_message(
                registration=registration,
                event=event,
                template="emails/events/event_changed",
                subject=gettext_lazy("Changed: %(title)s"),
                kind="event_changed",
                context={"notes": notes, "offered": registration.status == Status.OFFERED},
                calendar=itip_request(
                    event=event,
                    attendee=attendee(
                        registration,
                        "ACCEPTED" if confirmed else "NEEDS-ACTION",
                        rsvp=not confirmed,
                    ),
                    sequence=sequences[email_key(registration.email)],
                    include_meeting_link=confirmed,
                    organizer=organizers[email_key(registration.email)],
                ),
                calendar_method="REQUEST",
            )
        )
    return _queue(messages)


def notify_event_cancelled(*, event: Event, message: str) -> int:
    """Send every active registration the cancellation with the organiser's message.

    Whoever may hold the event in a calendar (calendar_holders) gets
    METHOD:CANCEL with a SEQUENCE above both the event's and anything they were sent; the rest
    gets the email alone. Returns the number queued.
    """
    recipients = _recipients(event, Registration.ACTIVE_STATUSES)
    holders = calendar_holders(event=event, registrations=recipients)
    sequences = take_sequences(
        event=event, emails=[r.email for r in recipients if email_key(r.email) in holders]
    )
    organizers = organiser_addresses(
        event_id=event.pk, emails=[r.email for r in recipients if email_key(r.email) in holders]
    )
    messages = []
    for registration in recipients:
        confirmed = registration.status == Status.CONFIRMED
        sequence = sequences.get(email_key(registration.email))
        calendar = ""
        if sequence is not None:
            calendar = itip_cancel(
                event=event,
                attendee=attendee(registration, "ACCEPTED" if confirmed else "NEEDS-ACTION"),
                sequence=sequence,
                message=message,
                organizer=organizers[email_key(registration.email)],
            )
        messages.append(
            participant_message(
                registration=registration,
                event=event,
                template="emails/events/event_cancelled",
                subject=gettext_lazy("Cancelled: %(title)s"),
                kind="event_cancelled",
                context={"meeting_url": "", "message": message, "has_calendar": bool(calendar)},
                calendar=calendar,
                calendar_method="CANCEL",
            )
        )
    return _queue(messages)


def _queue(messages: list[Message]) -> int:
    if not messages:
        return 0
    queue_messages(messages=messages)
    return len(messages)
