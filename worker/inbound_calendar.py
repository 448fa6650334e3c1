"""iTIP REPLY and COUNTER (RFC 5546/6047) found in an inbound message's own calendar parts."""

import datetime as dt
from dataclasses import dataclass
from email.message import Message

from icalendar import Calendar, Component

from .inbound_parts import address, part_text, parts, split_address

CALENDAR_TYPES = {"text/calendar", "application/ics", "text/x-vcalendar", "application/x-ics"}


@dataclass(frozen=True)
class CalendarAnswer:
    """One iTIP REPLY or COUNTER: who answered what to which UID, and how recent it is."""

    method: str  # REPLY or COUNTER
    uid: str
    sequence: int
    dtstamp: dt.datetime | None  # aware, UTC
    attendee: str  # lower-case address, without mailto:
    partstat: str  # ACCEPTED, DECLINED, TENTATIVE (or what the client wrote, upper-case)
    organizer: str | None  # as written (its token is case-sensitive); Outlook often leaves it out
    comment: str = ""
    proposed_start: dt.datetime | None = None  # COUNTER: the time proposed, when readable
    proposed_end: dt.datetime | None = None


def find_answer(message: Message, sender: str) -> tuple[CalendarAnswer | None, str]:
    """The first REPLY/COUNTER in the message's own calendar parts, or why one could not be read."""
    problem = ""
    for part in parts(message):
        if not _is_calendar(part):
            continue
        mime_method = str(part.get_param("method", "") or "").upper()
        try:
            calendars = Calendar.from_ical(part_text(part), multiple=True)
        except Exception as error:  # noqa: BLE001 - icalendar raises several kinds
            problem = problem or f"calendar does not parse: {error}"
            continue
        if not calendars and mime_method in ("REPLY", "COUNTER"):
            problem = problem or f"the {mime_method} part holds no readable VCALENDAR"
        for calendar in calendars:
            method = str(calendar.get("METHOD", "") or mime_method).upper()
            if method not in ("REPLY", "COUNTER"):
                continue
            answer, why = _answer(calendar, method, sender)
            if answer is not None:
                return answer, ""
            problem = problem or why
    return None, problem


def _is_calendar(part: Message) -> bool:
    if part.get_content_maintype() == "multipart":
        return False
    if part.get_content_type() in CALENDAR_TYPES:
        return True
    name = part.get_filename() or str(part.get_param("name", "") or "")
    return name.lower().endswith(".ics")


def _answer(calendar: Calendar, method: str, sender: str) -> tuple[CalendarAnswer | None, str]:
    events = calendar.walk("VEVENT")
    if not events:
        return None, f"calendar {method} has no VEVENT"
    event = next((e for e in events if "RECURRENCE-ID" not in e), events[0])
    uid = str(event.get("UID", "")).strip()
    if not uid:
        return None, f"calendar {method} has no UID"
    attendees = event.get("ATTENDEE")
    attendees = attendees if isinstance(attendees, list) else [attendees] if attendees else []
    if not attendees:
        return None, f"calendar {method} names no ATTENDEE"
    attendee = next((a for a in attendees if address(str(a)) == sender), None)
    answered = [a for a in attendees if a.params.get("PARTSTAT", "").upper() != "NEEDS-ACTION"]
    attendee = attendee or (answered[0] if answered else attendees[0])
    organizer = event.get("ORGANIZER")
    start, end = (
        (_when(event, "DTSTART"), _when(event, "DTEND")) if method == "COUNTER" else (None, None)
    )
    try:
        sequence = int(str(event.get("SEQUENCE", 0)))
    except ValueError:
        return None, f"calendar {method} has a SEQUENCE that is not a number"
    return CalendarAnswer(
        method=method,
        uid=uid,
        sequence=sequence,
        dtstamp=_when(event, "DTSTAMP"),
        attendee=address(str(attendee)),
        partstat=str(attendee.params.get("PARTSTAT", "NEEDS-ACTION")).upper(),
        organizer=_as_written(str(organizer)) if organizer else None,
        comment=" ".join(str(event.get("COMMENT", "")).split()),
        proposed_start=start,
        proposed_end=end,
    ), ""


def _as_written(value: str) -> str | None:
    local, domain = split_address(value)
    return f"{local}@{domain}" if local else None


def _when(event: Component, name: str) -> dt.datetime | None:
    """An aware date-time (a naive DTSTAMP is UTC by RFC 5545), else None."""
    try:
        value = event.decoded(name)
    except Exception:  # noqa: BLE001 - missing, or a TZID the library cannot resolve
        return None
    if not isinstance(value, dt.datetime):
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC) if name == "DTSTAMP" else None
    return value.astimezone(dt.UTC)
