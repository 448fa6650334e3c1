"""Tell participants that an event changed or was cancelled: one email each, with iTIP calendar.

Both functions run inside the caller's transaction (the organiser's service, which has already
saved the event and bumped ``event.sequence`` for a change of time, place or status). The outbox
rows and each address's SEQUENCE (events.calendar.take_sequences) are written in that
transaction; delivery is enqueued only after it commits. The number of queries does not grow
with the number of recipients, apart from the batches of the outbox insert.
"""

from collections.abc import Iterable

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from worker.services import Message, References, queue_messages

from .calendar import (
    Attendee,
    itip_cancel,
    itip_request,
    sequence_key,
    sequence_sent,
    take_sequences,
)
from .email_layout import render_bodies
from .models import Event, Registration

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


def _context(event: Event, registration: Registration, *, confirmed: bool) -> dict[str, object]:
    """The message's own part of the context; the layout adds the event card and the footer."""
    return {
        "registration": registration,
        "name": registration.name,
        "title": event.title,
        "meeting_url": event.meeting_url if confirmed else "",
        "button_url": settings.SITE_URL + registration.get_absolute_url(),
        "confirmed": confirmed,
        "offered": registration.status == Registration.Status.OFFERED,
    }


def _message(
    event: Event,
    registration: Registration,
    *,
    kind: str,
    subject: str,
    context: dict,
    calendar: str,
    method: str,
) -> Message:
    bodies = render_bodies("emails/events/" + kind, context, event=event)
    return Message(
        to_email=registration.email,
        to_name=registration.name,
        subject=subject,
        text_body=bodies.text,
        html_body=bodies.html,
        reply_to=event.organiser_email,
        calendar=calendar,
        calendar_method=method if calendar else "",
        attachments=bodies.inline,
        language=registration.language,
        kind=kind,
        refs=References(
            event=event.pk, registration=registration.pk, person=registration.person_id
        ),
    )


def notify_event_changed(*, event: Event, changes: list[str]) -> int:
    """Send every confirmed participant, and everyone holding a seat offer, the updated event.

    ``changes`` holds keys of CHANGE_NOTES ("time", "place", "meeting_link", "title",
    "description") or Event field names; unknown keys give a general note. The caller has saved
    the event and bumped ``event.sequence``. Returns the number of messages queued.
    """
    recipients = _recipients(event, (Registration.Status.CONFIRMED, Registration.Status.OFFERED))
    sequences = take_sequences(event=event, emails=[r.email for r in recipients])
    messages = []
    for registration in recipients:
        confirmed = registration.status == Registration.Status.CONFIRMED
        sequence = sequences[sequence_key(registration.email)]
        attendee = Attendee(
            email=registration.email,
            name=registration.name,
            partstat="ACCEPTED" if confirmed else "NEEDS-ACTION",
            rsvp=not confirmed,
        )
        with translation.override(registration.language):
            context = _context(event, registration, confirmed=confirmed)
            context["notes"] = change_notes(changes, include_meeting_link=confirmed)
            messages.append(
                _message(
                    event,
                    registration,
                    kind="event_changed",
                    subject=_("Changed: %(title)s") % {"title": event.title},
                    context=context,
                    calendar=itip_request(
                        event=event,
                        attendee=attendee,
                        sequence=sequence,
                        include_meeting_link=confirmed,
                    ),
                    method="REQUEST",
                )
            )
    return _queue(messages)


def notify_event_cancelled(*, event: Event, message: str) -> int:
    """Send every active registration the cancellation with the organiser's message.

    Whoever may hold the event in a calendar (confirmed, offered, or anyone already sent a
    calendar) gets METHOD:CANCEL with a SEQUENCE above both the event's and anything they were
    sent; the rest of the waiting list gets the email alone. Returns the number queued.
    """
    recipients = _recipients(event, Registration.ACTIVE_STATUSES)
    sent_before = sequence_sent(event=event, emails=[r.email for r in recipients])
    sequences = take_sequences(
        event=event,
        emails=[
            r.email
            for r in recipients
            if r.status != Registration.Status.WAITLISTED or sequence_key(r.email) in sent_before
        ],
    )
    messages = []
    for registration in recipients:
        confirmed = registration.status == Registration.Status.CONFIRMED
        sequence = sequences.get(sequence_key(registration.email))
        calendar = ""
        if sequence is not None:
            calendar = itip_cancel(
                event=event,
                attendee=Attendee(
                    email=registration.email,
                    name=registration.name,
                    partstat="ACCEPTED" if confirmed else "NEEDS-ACTION",
                    rsvp=False,
                ),
                sequence=sequence,
                message=message,
            )
        with translation.override(registration.language):
            context = _context(event, registration, confirmed=False)
            context.update(message=message, has_calendar=bool(calendar))
            messages.append(
                _message(
                    event,
                    registration,
                    kind="event_cancelled",
                    subject=_("Cancelled: %(title)s") % {"title": event.title},
                    context=context,
                    calendar=calendar,
                    method="CANCEL",
                )
            )
    return _queue(messages)


def _queue(messages: list[Message]) -> int:
    if not messages:
        return 0
    queue_messages(messages=messages)
    return len(messages)
