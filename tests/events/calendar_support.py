"""Two independent calendar parsers for the calendar, feed and notify tests."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

import icalendar
import vobject


@dataclass
class Parsed:
    """What a client reads out of one calendar object with one VEVENT."""

    method: str
    uid: str
    sequence: int
    status: str
    start: datetime | date
    end: datetime | date
    summary: str
    location: str
    description: str
    organizer: str
    organizer_cn: str
    attendees: list[dict[str, str]]


def _utc(value: datetime | date) -> datetime | date:
    return value.astimezone(UTC) if isinstance(value, datetime) else value


def parse_with_icalendar(text: str) -> Parsed:
    cal = icalendar.Calendar.from_ical(text)
    (vevent,) = cal.walk("VEVENT")
    raw = vevent.get("attendee", [])
    raw = raw if isinstance(raw, list) else [raw]
    return Parsed(
        method=str(cal["method"]),
        uid=str(vevent["uid"]),
        sequence=int(vevent["sequence"]),
        status=str(vevent.get("status", "")),
        start=_utc(vevent.decoded("dtstart")),
        end=_utc(vevent.decoded("dtend")),
        summary=str(vevent["summary"]),
        location=str(vevent.get("location", "")),
        description=str(vevent.get("description", "")),
        organizer=str(vevent["organizer"]),
        organizer_cn=str(vevent["organizer"].params.get("CN", "")),
        attendees=[
            {"email": str(a), **{k.upper(): str(v) for k, v in a.params.items()}} for a in raw
        ],
    )


def parse_with_vobject(text: str) -> Parsed:
    """vobject reads the times through the file's own VTIMEZONE (dateutil), not the tz database."""
    cal = vobject.readOne(text)
    (vevent,) = cal.vevent_list
    attendees = getattr(vevent, "attendee_list", [])

    def text_of(name: str) -> str:
        return getattr(vevent, name).value if hasattr(vevent, name) else ""

    return Parsed(
        method=cal.method.value,
        uid=vevent.uid.value,
        sequence=int(vevent.sequence.value),
        status=text_of("status"),
        start=_utc(vevent.dtstart.value),
        end=_utc(vevent.dtend.value),
        summary=vevent.summary.value,
        location=text_of("location"),
        description=text_of("description"),
        organizer=vevent.organizer.value,
        organizer_cn=vevent.organizer.params.get("CN", [""])[0],
        attendees=[
            {"email": a.value, **{k.upper(): v[0] for k, v in a.params.items()}} for a in attendees
        ],
    )


PARSERS = [parse_with_icalendar, parse_with_vobject]
