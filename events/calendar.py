"""iCalendar (RFC 5545) and iTIP (RFC 5546) for events. FIRST VERSION: interface fixed, to be hardened.

Public interface (callers rely on these names and keyword arguments):
- itip_request(event=, attendee=, sequence=None, include_meeting_link=) -> str   METHOD:REQUEST
- itip_cancel(event=, attendee=, sequence=None) -> str                          METHOD:CANCEL
- publish(events=, name=, include_meeting_link=False) -> str                    METHOD:PUBLISH
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as VEvent

from .models import Event


@dataclass(frozen=True)
class Attendee:
    email: str
    name: str = ""
    partstat: str = "ACCEPTED"  # ACCEPTED, NEEDS-ACTION, DECLINED, TENTATIVE
    rsvp: bool = False


def _calendar(method: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Partnerskap//Partnerskap//NO")
    cal.add("version", "2.0")
    cal.add("method", method)
    return cal


def _vevent(event: Event, *, sequence: int, include_meeting_link: bool) -> VEvent:
    vevent = VEvent()
    vevent.add("uid", f"{event.uid}@partnerskap")
    vevent.add("sequence", sequence)
    vevent.add("dtstamp", timezone.now())
    vevent.add("dtstart", event.starts_at)
    vevent.add("dtend", event.ends_at)
    vevent.add("summary", event.title)
    url = settings.SITE_URL + event.get_absolute_url()
    description = event.description
    if include_meeting_link and event.meeting_url:
        description += "\n\n" + event.meeting_url
    vevent.add("description", (description + "\n\n" + url).strip())
    location = ", ".join(p for p in (event.venue_name, event.venue_address) if p)
    if location:
        vevent.add("location", location)
    vevent.add("url", url)
    vevent.add("status", "CANCELLED" if event.status == Event.Status.CANCELLED else "CONFIRMED")
    organizer = vCalAddress("mailto:" + settings.ORGANISER_MAILBOX)
    organizer.params["cn"] = vText(event.organiser_name or "Partnerskap")
    vevent.add("organizer", organizer)
    return vevent


def _attendee(attendee: Attendee) -> vCalAddress:
    address = vCalAddress("mailto:" + attendee.email)
    if attendee.name:
        address.params["cn"] = vText(attendee.name)
    address.params["partstat"] = vText(attendee.partstat)
    address.params["rsvp"] = vText("TRUE" if attendee.rsvp else "FALSE")
    address.params["role"] = vText("REQ-PARTICIPANT")
    return address


def itip_request(
    *,
    event: Event,
    attendee: Attendee,
    sequence: int | None = None,
    include_meeting_link: bool = False,
) -> str:
    cal = _calendar("REQUEST")
    vevent = _vevent(
        event,
        sequence=event.sequence if sequence is None else sequence,
        include_meeting_link=include_meeting_link,
    )
    vevent.add("attendee", _attendee(attendee))
    cal.add_component(vevent)
    return cal.to_ical().decode("utf-8")


def itip_cancel(*, event: Event, attendee: Attendee, sequence: int | None = None) -> str:
    cal = _calendar("CANCEL")
    vevent = _vevent(
        event,
        sequence=event.sequence + 1 if sequence is None else sequence,
        include_meeting_link=False,
    )
    vevent["status"] = "CANCELLED"
    vevent.add("attendee", _attendee(attendee))
    cal.add_component(vevent)
    return cal.to_ical().decode("utf-8")


def publish(*, events: Iterable[Event], name: str = "", include_meeting_link: bool = False) -> str:
    cal = _calendar("PUBLISH")
    if name:
        cal.add("x-wr-calname", name)
    for event in events:
        cal.add_component(
            _vevent(event, sequence=event.sequence, include_meeting_link=include_meeting_link)
        )
    return cal.to_ical().decode("utf-8")
