"""Europe/Oslo as one compact, RRULE-based VTIMEZONE, rendered once per process.

Every timed calendar carries TZID=Europe/Oslo with this VTIMEZONE spliced in (icalendar's
add_missing_timezones() writes a long RDATE list, which Outlook is reported to shift by an
hour, and is slow).
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

TZID = "Europe/Oslo"
OSLO = ZoneInfo(TZID)


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
def vtimezone_ical() -> str:
    """The rendered VTIMEZONE, without its final line break: built once per process."""
    return build_vtimezone().to_ical().decode("utf-8").rstrip("\r\n")
