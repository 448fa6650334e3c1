"""The pieces every calendar body is built from: UID, VEVENT, ORGANIZER, and the rendering.

Identity: one UID per event forever, ``<event.uid>@<host of SITE_URL>``. ORGANIZER is
settings.ORGANISER_MAILBOX, or the recipient's own address from events.calendar.organizer. Times carry TZID=Europe/Oslo (events.calendar.vtimezone). All-day
events use DTSTART;VALUE=DATE and an exclusive DTEND: the day after the Oslo date of the last
instant before ``ends_at`` (so an end at 23:59 or at the next midnight both end on the same day).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as VEvent
from icalendar.parser import Contentline

from ..models import Event
from .vtimezone import OSLO, vtimezone_ical

PRODID = "-//Partnerskap//Partnerskap//NB"


def site_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def event_uid(event: Event) -> str:
    return "%s@%s" % (event.uid, site_domain())


def event_url(event: Event) -> str:
    return settings.SITE_URL + event.get_absolute_url()


def all_day_dates(event: Event) -> tuple[date, date]:
    """First day and the exclusive end day of an all-day event, as Oslo dates."""
    first = timezone.localtime(event.starts_at, OSLO).date()
    last = timezone.localtime(event.ends_at - timedelta(microseconds=1), OSLO).date()
    return first, max(last, first) + timedelta(days=1)


def location_text(event: Event, *, include_meeting_link: bool = False) -> str:
    location = ", ".join(part for part in (event.venue_name, event.venue_address) if part)
    if not location and include_meeting_link and event.meeting_url:
        return event.meeting_url
    return location


def description_text(
    event: Event, *, include_meeting_link: bool = False, message: str = "", url: str = ""
) -> str:
    parts = [message.strip(), event.description.strip()]
    if include_meeting_link and event.meeting_url:
        parts.append(event.meeting_url)
    parts.append(url or event_url(event))
    return "\n\n".join(part for part in parts if part)


def build_calendar(method: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    return cal


def common_name(name: str) -> str:
    # A parameter value cannot hold a double quote or a line break, and RFC 6868's ^' escape
    # is not understood by every client.
    return " ".join(name.replace('"', "'").split())


def organizer_property(event: Event, address: str = "") -> vCalAddress:
    organizer = vCalAddress("mailto:" + (address or settings.ORGANISER_MAILBOX))
    organizer.params["cn"] = vText(common_name(event.organiser_name) or "Partnerskap")
    return organizer


def build_vevent(
    event: Event,
    *,
    sequence: int,
    dtstamp: datetime,
    include_meeting_link: bool,
    cancelled: bool,
    message: str = "",
    organizer: str = "",
) -> VEvent:
    url = event_url(event)
    vevent = VEvent()
    vevent.add("uid", event_uid(event))
    vevent.add("sequence", sequence)
    vevent.add("dtstamp", dtstamp)
    if event.all_day:
        first, end = all_day_dates(event)
        vevent.add("dtstart", first)
        vevent.add("dtend", end)
    else:
        vevent.add("dtstart", event.starts_at.astimezone(OSLO))
        vevent.add("dtend", event.ends_at.astimezone(OSLO))
    vevent.add("summary", event.title)
    vevent.add(
        "description",
        description_text(
            event, include_meeting_link=include_meeting_link, message=message, url=url
        ),
    )
    location = location_text(event, include_meeting_link=include_meeting_link)
    if location:
        vevent.add("location", location)
    vevent.add("url", url)
    vevent.add("organizer", organizer_property(event, organizer))
    if event.updated_at:
        vevent.add("last-modified", event.updated_at)
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    vevent.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    # Outlook's own free/busy hint; other clients ignore X- properties.
    vevent.add("x-microsoft-cdo-busystatus", "FREE" if cancelled else "BUSY")
    return vevent


def fold(line: str) -> str:
    # Most lines are short; icalendar's folding walks every character, so leave it the long ones.
    if len(line.encode("utf-8")) < 75:
        return line
    return Contentline(line).to_ical().decode("utf-8")


def render_calendar(cal: Calendar, *, timed: bool) -> str:
    """Serialise, splicing the cached VTIMEZONE in before the first VEVENT."""
    lines = []
    pending_timezone = timed
    for line in cal.content_lines():
        if not line:
            continue
        if pending_timezone and line == "BEGIN:VEVENT":
            lines.append(vtimezone_ical())
            pending_timezone = False
        lines.append(fold(line))
    return "\r\n".join(lines) + "\r\n"
