"""METHOD:PUBLISH bodies for downloads and subscription feeds, and the feeds' ETag.

PUBLISH carries ``event.sequence`` itself, no ATTENDEE, and keeps cancelled events as
STATUS:CANCELLED.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import timedelta

from django.utils import timezone
from icalendar import vText

from ..models import Event
from .components import build_calendar, build_vevent, render_calendar
from .vtimezone import TZID

# How often subscribers should refresh a feed (RFC 7986 REFRESH-INTERVAL, X-PUBLISHED-TTL).
FEED_REFRESH = timedelta(hours=1)


def publish(*, events: Iterable[Event], name: str = "", include_meeting_link: bool = False) -> str:
    """METHOD:PUBLISH for downloads and subscriptions: no ATTENDEE, cancelled events kept."""
    cal = build_calendar("PUBLISH")
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
            build_vevent(
                event,
                sequence=event.sequence,
                dtstamp=dtstamp,
                include_meeting_link=include_meeting_link,
                cancelled=event.status == Event.Status.CANCELLED,
            )
        )
    return render_calendar(cal, timed=timed)


def feed_etag(*parts: object) -> str:
    """A weak ETag from the data a feed is built from (DTSTAMP differs between renders)."""
    digest = hashlib.sha256(repr(("calendar-v1",) + parts).encode("utf-8")).hexdigest()[:32]
    return 'W/"%s"' % digest
