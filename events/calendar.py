"""iCalendar (RFC 5545) and iTIP (RFC 5546) for events: email invitations, feeds and links.

Public interface (callers rely on these names and keyword arguments):
- itip_request(event=, attendee=, sequence=, include_meeting_link=False) -> str   METHOD:REQUEST
- itip_cancel(event=, attendee=, sequence=, message="") -> str                   METHOD:CANCEL
- publish(events=, name="", include_meeting_link=False) -> str                       METHOD:PUBLISH
- take_sequences(event=, emails=) -> {address: int}, take_sequence(event=, email=) -> int  see below
- google_calendar_url(event), outlook_calendar_url(event), event_ics_url(event),
  network_feed_url(network), personal_feed_url(registration), webcal_url(url)         links

Identity: one UID per event forever, ``<event.uid>@<host of SITE_URL>``. ORGANIZER is always
settings.ORGANISER_MAILBOX; a REQUEST or CANCEL carries exactly one ATTENDEE, the recipient.
Use ``Attendee(email, name, partstat="ACCEPTED", rsvp=False)`` for a confirmation and
``Attendee(email, name, partstat="NEEDS-ACTION", rsvp=True)`` for an invitation or seat offer.

Times carry TZID=Europe/Oslo with one compact, RRULE-based VTIMEZONE that is rendered once per
process and spliced into every calendar (icalendar's add_missing_timezones() writes a long RDATE
list, which Outlook is reported to shift by an hour, and is slow). All-day events use
DTSTART;VALUE=DATE and an exclusive DTEND: the day after the Oslo date of the last instant
before ``ends_at`` (so an end at 23:59 or at the next midnight both end on the same day).

Sequences per address. A client ignores a REQUEST or CANCEL whose SEQUENCE is not above the one
it holds (RFC 5546 2.1.5), and one address may be sent more than the event's own ``sequence``
(a cancellation, then registering again; an invitation, then the confirmation). Every calendar
message to a person takes its number from ``take_sequences`` (one function, one table:
``CalendarSequence``, per event and lower-cased address), at the moment it is composed:

    sequence = take_sequence(event=event, email=registration.email)
    calendar = itip_request(event=event, attendee=..., sequence=sequence)  # or itip_cancel(...)

The organiser side bumps ``event.sequence`` whenever time, place or status changes, before
calling events.emails (notify_event_changed, notify_event_cancelled). PUBLISH (downloads and
feeds) carries ``event.sequence`` itself.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode, urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from icalendar import (
    Calendar,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCalAddress,
    vText,
)
from icalendar import Event as VEvent
from icalendar.parser import Contentline

from .models import CalendarSequence, Event, Registration, email_key

if TYPE_CHECKING:
    from partners.models import Network

TZID = "Europe/Oslo"
OSLO = ZoneInfo(TZID)
PRODID = "-//Partnerskap//Partnerskap//NB"
# How often subscribers should refresh a feed (RFC 7986 REFRESH-INTERVAL, X-PUBLISHED-TTL).
FEED_REFRESH = timedelta(hours=1)
# Long descriptions are cut in "add to calendar" links: browsers and the services cap URL length.
LINK_DETAILS_MAX = 1500


@dataclass(frozen=True)
class Attendee:
    email: str
    name: str = ""
    partstat: str = "ACCEPTED"  # ACCEPTED, NEEDS-ACTION, DECLINED, TENTATIVE
    rsvp: bool = False


# The time zone ---------------------------------------------------------------------------------


def build_vtimezone() -> Timezone:
    """Europe/Oslo as EU summer time rules: two yearly RRULEs, no RDATE list."""
    tz = Timezone()
    tz.add("tzid", TZID)
    tz.add("x-lic-location", TZID)
    daylight = TimezoneDaylight()
    daylight.add("tzoffsetfrom", timedelta(hours=1))
    daylight.add("tzoffsetto", timedelta(hours=2))
    daylight.add("tzname", "CEST")
    daylight.add("dtstart", datetime(1970, 3, 29, 2, 0))
    daylight.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    standard = TimezoneStandard()
    standard.add("tzoffsetfrom", timedelta(hours=2))
    standard.add("tzoffsetto", timedelta(hours=1))
    standard.add("tzname", "CET")
    standard.add("dtstart", datetime(1970, 10, 25, 3, 0))
    standard.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    tz.add_component(daylight)
    tz.add_component(standard)
    return tz


@functools.cache
def _vtimezone_ical() -> str:
    """The rendered VTIMEZONE, without its final line break: built once per process."""
    return build_vtimezone().to_ical().decode("utf-8").rstrip("\r\n")


# Building blocks -------------------------------------------------------------------------------


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


def _calendar(method: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    return cal


def _common_name(name: str) -> str:
    # A parameter value cannot hold a double quote or a line break, and RFC 6868's ^' escape
    # is not understood by every client.
    return " ".join(name.replace('"', "'").split())


def _organizer(event: Event) -> vCalAddress:
    organizer = vCalAddress("mailto:" + settings.ORGANISER_MAILBOX)
    organizer.params["cn"] = vText(_common_name(event.organiser_name) or "Partnerskap")
    return organizer


def _attendee(attendee: Attendee) -> vCalAddress:
    address = vCalAddress("mailto:" + attendee.email)
    if attendee.name:
        address.params["cn"] = vText(_common_name(attendee.name))
    address.params["cutype"] = vText("INDIVIDUAL")
    address.params["role"] = vText("REQ-PARTICIPANT")
    address.params["partstat"] = vText(attendee.partstat)
    address.params["rsvp"] = vText("TRUE" if attendee.rsvp else "FALSE")
    return address


def _vevent(
    event: Event,
    *,
    sequence: int,
    dtstamp: datetime,
    include_meeting_link: bool,
    cancelled: bool,
    message: str = "",
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
    vevent.add("organizer", _organizer(event))
    if event.updated_at:
        vevent.add("last-modified", event.updated_at)
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    vevent.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    # Outlook's own free/busy hint; other clients ignore X- properties.
    vevent.add("x-microsoft-cdo-busystatus", "FREE" if cancelled else "BUSY")
    return vevent


def _fold(line: str) -> str:
    # Most lines are short; icalendar's folding walks every character, so leave it the long ones.
    if len(line.encode("utf-8")) < 75:
        return line
    return Contentline(line).to_ical().decode("utf-8")


def _render(cal: Calendar, *, timed: bool) -> str:
    """Serialise, splicing the cached VTIMEZONE in before the first VEVENT."""
    lines = []
    pending_timezone = timed
    for line in cal.content_lines():
        if not line:
            continue
        if pending_timezone and line == "BEGIN:VEVENT":
            lines.append(_vtimezone_ical())
            pending_timezone = False
        lines.append(_fold(line))
    return "\r\n".join(lines) + "\r\n"


# iTIP and feeds --------------------------------------------------------------------------------


def itip_request(
    *,
    event: Event,
    attendee: Attendee,
    sequence: int,
    include_meeting_link: bool = False,
) -> str:
    """METHOD:REQUEST for one recipient; `sequence` from take_sequences (never event.sequence:
    the recipient may have been sent more)."""
    cal = _calendar("REQUEST")
    vevent = _vevent(
        event,
        sequence=sequence,
        dtstamp=timezone.now(),
        include_meeting_link=include_meeting_link,
        cancelled=event.status == Event.Status.CANCELLED,
    )
    vevent.add("attendee", _attendee(attendee))
    cal.add_component(vevent)
    return _render(cal, timed=not event.all_day)


def itip_cancel(
    *,
    event: Event,
    attendee: Attendee,
    sequence: int,
    message: str = "",
) -> str:
    """METHOD:CANCEL for one recipient; `sequence` from take_sequences."""
    cal = _calendar("CANCEL")
    vevent = _vevent(
        event,
        sequence=sequence,
        dtstamp=timezone.now(),
        include_meeting_link=False,
        cancelled=True,
        message=message,
    )
    vevent.add("attendee", _attendee(attendee))
    cal.add_component(vevent)
    return _render(cal, timed=not event.all_day)


def publish(*, events: Iterable[Event], name: str = "", include_meeting_link: bool = False) -> str:
    """METHOD:PUBLISH for downloads and subscriptions: no ATTENDEE, cancelled events kept."""
    cal = _calendar("PUBLISH")
    if name:
        # Both would go out unescaped as plain str (unknown types to icalendar): TEXT says escape.
        cal.add("name", vText(name))
        cal.add("x-wr-calname", vText(name))
    cal.add("x-wr-timezone", TZID)
    cal.add("refresh-interval", FEED_REFRESH, parameters={"value": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    dtstamp = timezone.now()
    timed = False
    for event in events:
        timed = timed or not event.all_day
        cal.add_component(
            _vevent(
                event,
                sequence=event.sequence,
                dtstamp=dtstamp,
                include_meeting_link=include_meeting_link,
                cancelled=event.status == Event.Status.CANCELLED,
            )
        )
    return _render(cal, timed=timed)


# Sequences per address -------------------------------------------------------------------------

# Rows per statement: three parameters each, under SQLite's old limit of 999.
_SEQUENCE_BATCH = 300


def sequence_key(email: str) -> str:
    """The address as the sequence record keys it: one record whatever the case or spaces."""
    return email_key(email)


def take_sequences(*, event: Event, emails: Iterable[str]) -> dict[str, int]:
    """The SEQUENCE for the next calendar message to each address, taken and recorded at once.

    The one rule for every REQUEST and CANCEL sent to a person: the event's own sequence, or one
    above the highest ever taken for that address and event, whichever is higher. Returns
    {address stripped and lower-cased: sequence}. Call it when the calendar is composed, in the
    transaction that queues the message if there is one (a rolled-back message gives its
    number back; a message that is then never sent only leaves a gap, which clients accept).

    Hand-written SQL: one INSERT ... ON CONFLICT DO UPDATE ... RETURNING per batch (PostgreSQL
    and SQLite 3.35+), so two messages composed at the same moment for one address (a worker
    composing a receipt while an organiser moves the event) can never take the same number,
    and telling a thousand participants costs a few statements, not a thousand. The event's
    sequence is read by the statement itself, so a stale Event object cannot hold it back.
    """
    # Sorted: two statements for overlapping addresses lock their rows in the same order, so
    # they wait for each other instead of deadlocking.
    keys = sorted({sequence_key(email) for email in emails})
    table = CalendarSequence._meta.db_table
    taken: dict[str, int] = {}
    for start in range(0, len(keys), _SEQUENCE_BATCH):
        batch = keys[start : start + _SEQUENCE_BATCH]
        # Table names only; every value is a parameter.
        row = "(%%s, %%s, (SELECT sequence FROM %s WHERE id = %%s))" % Event._meta.db_table  # noqa: S608
        sql = (  # noqa: S608
            "INSERT INTO {t} (event_id, email_key, sequence) VALUES {rows} "
            "ON CONFLICT (event_id, email_key) DO UPDATE SET sequence = CASE "
            "WHEN {t}.sequence + 1 > excluded.sequence THEN {t}.sequence + 1 "
            "ELSE excluded.sequence END "
            "RETURNING email_key, sequence"
        ).format(t=table, rows=", ".join([row] * len(batch)))
        params: list[int | str] = []
        for key in batch:
            params += [event.pk, key, event.pk]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            taken.update(cursor.fetchall())
    return taken


def take_sequence(*, event: Event, email: str) -> int:
    """take_sequences() for one address."""
    return next(iter(take_sequences(event=event, emails=[email]).values()))


def sequence_sent(*, event: Event, emails: Iterable[str]) -> set[str]:
    """The addresses (lower-cased) that have been sent a calendar for the event."""
    keys = {sequence_key(email) for email in emails}
    return set(
        CalendarSequence.objects.filter(event=event, email_key__in=keys).values_list(
            "email_key", flat=True
        )
    )


def highest_sequence(*, event: Event, email: str) -> int | None:
    """The highest SEQUENCE taken so far for the address and event, None if none was."""
    return (
        CalendarSequence.objects.filter(event=event, email_key=sequence_key(email))
        .values_list("sequence", flat=True)
        .first()
    )


# Links -----------------------------------------------------------------------------------------


def event_ics_url(event: Event) -> str:
    return settings.SITE_URL + reverse("feeds:event", kwargs={"pk": event.pk})


def network_feed_url(network: Network) -> str:
    return settings.SITE_URL + reverse("feeds:network", kwargs={"slug": network.slug})


def personal_feed_url(registration: Registration) -> str:
    return settings.SITE_URL + reverse("feeds:person", kwargs={"token": registration.token})


def webcal_url(url: str) -> str:
    """The webcal:// form of a feed URL, which calendar apps open as a subscription."""
    scheme, sep, rest = url.partition("://")
    return "webcal://" + rest if sep and scheme in ("http", "https") else url


def google_subscribe_url(feed_url: str) -> str:
    return "https://calendar.google.com/calendar/render?" + urlencode(
        {"cid": webcal_url(feed_url)}, quote_via=quote
    )


def _link_details(event: Event, include_meeting_link: bool) -> str:
    details = description_text(event, include_meeting_link=include_meeting_link)
    if len(details) > LINK_DETAILS_MAX:
        details = event.description[: LINK_DETAILS_MAX - 200].rstrip() + "…\n\n" + event_url(event)
        if include_meeting_link and event.meeting_url:
            details += "\n\n" + event.meeting_url
    return details


def google_calendar_url(event: Event, *, include_meeting_link: bool = False) -> str:
    if event.all_day:
        first, end = all_day_dates(event)
        dates = "%s/%s" % (first.strftime("%Y%m%d"), end.strftime("%Y%m%d"))
    else:
        utc = ZoneInfo("UTC")
        dates = "%s/%s" % (
            event.starts_at.astimezone(utc).strftime("%Y%m%dT%H%M%SZ"),
            event.ends_at.astimezone(utc).strftime("%Y%m%dT%H%M%SZ"),
        )
    params = {
        "action": "TEMPLATE",
        "text": event.title,
        "dates": dates,
        "details": _link_details(event, include_meeting_link),
        "location": location_text(event, include_meeting_link=include_meeting_link),
        "ctz": TZID,
    }
    return "https://calendar.google.com/calendar/render?" + urlencode(params, quote_via=quote)


def outlook_calendar_url(event: Event, *, include_meeting_link: bool = False) -> str:
    params = {"subject": event.title}
    if event.all_day:
        first, end = all_day_dates(event)
        params.update(startdt=first.isoformat(), enddt=end.isoformat(), allday="true")
    else:
        utc = ZoneInfo("UTC")
        params.update(
            startdt=event.starts_at.astimezone(utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            enddt=event.ends_at.astimezone(utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
    params.update(
        body=_link_details(event, include_meeting_link),
        location=location_text(event, include_meeting_link=include_meeting_link),
        path="/calendar/action/compose",
        rru="addevent",
    )
    return "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode(
        params, quote_via=quote
    )


def feed_etag(*parts: object) -> str:
    """A weak ETag from the data a feed is built from (DTSTAMP differs between renders)."""
    digest = hashlib.sha256(repr(("calendar-v1",) + parts).encode("utf-8")).hexdigest()[:32]
    return 'W/"%s"' % digest
