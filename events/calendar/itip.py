"""iTIP (RFC 5546) messages for one recipient: METHOD:REQUEST and METHOD:CANCEL.

A REQUEST or CANCEL carries exactly one ATTENDEE, the recipient. Use
``Attendee(email, name, partstat="ACCEPTED", rsvp=False)`` for a confirmation and
``Attendee(email, name, partstat="NEEDS-ACTION", rsvp=True)`` for an invitation or seat offer.
The SEQUENCE comes from events.calendar.sequences.take_sequence(s), never from event.sequence.
The ORGANIZER is the recipient's own (events.calendar.organizer); pass ``organizer`` when a
batch has looked them up at once. RSVP=TRUE only when a mailbox is read for the answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from icalendar import vCalAddress, vText

from ..models import Event
from .components import build_calendar, build_vevent, common_name, render_calendar
from .organizer import answers_are_read, organiser_address


@dataclass(frozen=True)
class Attendee:
    email: str
    name: str = ""
    partstat: str = "ACCEPTED"  # ACCEPTED, NEEDS-ACTION, DECLINED, TENTATIVE
    rsvp: bool = False


def attendee_property(attendee: Attendee) -> vCalAddress:
    address = vCalAddress("mailto:" + attendee.email)
    if attendee.name:
        address.params["cn"] = vText(common_name(attendee.name))
    address.params["cutype"] = vText("INDIVIDUAL")
    address.params["role"] = vText("REQ-PARTICIPANT")
    address.params["partstat"] = vText(attendee.partstat)
    address.params["rsvp"] = vText("TRUE" if attendee.rsvp and answers_are_read() else "FALSE")
    return address


def itip_request(
    *,
    event: Event,
    attendee: Attendee,
    sequence: int,
    include_meeting_link: bool = False,
    organizer: str = "",
) -> str:
    """METHOD:REQUEST for one recipient; `sequence` from take_sequences (never event.sequence:
    the recipient may have been sent more)."""
    cal = build_calendar("REQUEST")
    vevent = build_vevent(
        event,
        sequence=sequence,
        dtstamp=timezone.now(),
        include_meeting_link=include_meeting_link,
        cancelled=event.status == Event.Status.CANCELLED,
        organizer=organizer or organiser_address(event_id=event.pk, email=attendee.email),
    )
    vevent.add("attendee", attendee_property(attendee))
    cal.add_component(vevent)
    return render_calendar(cal, timed=not event.all_day)


def itip_cancel(
    *,
    event: Event,
    attendee: Attendee,
    sequence: int,
    message: str = "",
    organizer: str = "",
) -> str:
    """METHOD:CANCEL for one recipient; `sequence` from take_sequences."""
    cal = build_calendar("CANCEL")
    vevent = build_vevent(
        event,
        sequence=sequence,
        dtstamp=timezone.now(),
        include_meeting_link=False,
        cancelled=True,
        message=message,
        organizer=organizer or organiser_address(event_id=event.pk, email=attendee.email),
    )
    vevent.add("attendee", attendee_property(attendee))
    cal.add_component(vevent)
    return render_calendar(cal, timed=not event.all_day)
