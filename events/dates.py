"""Dates and times as people read them, one way on every page, email and calendar text.

Bokmål and nynorsk: "onsdag 20. januar 2027 kl. 10.00–15.00" (month and weekday in lower
case, hours with a full stop, as Språkrådet recommends); English: "Wednesday 20 January 2027,
10:00–15:00". Django's own nb/nn formats are not used: "M" gives capitalised abbreviations
("Des") and its TIME_FORMAT writes "10:00". The templates use the same functions through
`{% load dates %}`. Times are shown in the current time zone (Europe/Oslo, DESIGN rule 1).
"""

import datetime as dt
from typing import Any, NamedTuple

from django.utils import dateformat, timezone, translation


class _Patterns(NamedTuple):
    date: str  # with the weekday
    compact_date: str  # without it, for tables
    time: str
    at: str  # date and time: "{date} kl. {time}"
    same_day: str  # "{date} kl. {start}–{end}"
    span: str  # two moments or two dates: "{start} – {end}"


_NORWEGIAN = _Patterns(
    date="l j. F Y",
    compact_date="j. F Y",
    time="H.i",
    at="{date} kl. {time}",
    same_day="{date} kl. {start}–{end}",
    span="{start} – {end}",
)
_PATTERNS = {
    "nb": _NORWEGIAN,
    "nn": _NORWEGIAN,
    "en": _Patterns(
        date="l j F Y",
        compact_date="j F Y",
        time="H:i",
        at="{date}, {time}",
        same_day="{date}, {start}–{end}",
        span="{start} – {end}",
    ),
}


def _patterns() -> _Patterns:
    language = (translation.get_language() or "nb").split("-")[0]
    return _PATTERNS.get(language, _NORWEGIAN)


def _local(value: dt.datetime | dt.date) -> dt.datetime | dt.date:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def format_date(value: dt.datetime | dt.date, *, weekday: bool = True) -> str:
    """'onsdag 20. januar 2027' (weekday=False: '20. januar 2027')."""
    patterns = _patterns()
    return dateformat.format(_local(value), patterns.date if weekday else patterns.compact_date)


def format_time(value: dt.datetime | dt.time) -> str:
    """'10.00' (English: '10:00')."""
    if isinstance(value, dt.time):
        return dateformat.time_format(value, _patterns().time)
    return dateformat.format(_local(value), _patterns().time)


def format_datetime(value: dt.datetime, *, weekday: bool = True) -> str:
    """'onsdag 20. januar 2027 kl. 10.00'."""
    return _patterns().at.format(date=format_date(value, weekday=weekday), time=format_time(value))


def format_span(start: dt.datetime, end: dt.datetime, *, weekday: bool = True) -> str:
    """'onsdag 20. januar 2027 kl. 10.00–15.00' on one day; across days both moments in full."""
    patterns = _patterns()
    if timezone.localtime(start).date() == timezone.localtime(end).date():
        return patterns.same_day.format(
            date=format_date(start, weekday=weekday),
            start=format_time(start),
            end=format_time(end),
        )
    return patterns.span.format(
        start=format_datetime(start, weekday=weekday), end=format_datetime(end, weekday=weekday)
    )


def format_date_span(first: dt.date, last: dt.date, *, weekday: bool = True) -> str:
    """One day, or 'onsdag 20. januar 2027 – fredag 22. januar 2027' (last day included)."""
    if first == last:
        return format_date(first, weekday=weekday)
    return _patterns().span.format(
        start=format_date(first, weekday=weekday), end=format_date(last, weekday=weekday)
    )


def format_when(obj: Any, *, weekday: bool = True) -> str:
    """An event's or a session's time (`starts_at`, `ends_at`, optional `all_day`)."""
    if getattr(obj, "all_day", False):
        first = timezone.localtime(obj.starts_at).date()
        last = timezone.localtime(obj.ends_at - dt.timedelta(microseconds=1)).date()
        return format_date_span(first, max(first, last), weekday=weekday)
    return format_span(obj.starts_at, obj.ends_at, weekday=weekday)


def format_hours(obj: Any) -> str:
    """'10.00–11.30': a session's hours, when the day is shown elsewhere."""
    return "%s–%s" % (format_time(obj.starts_at), format_time(obj.ends_at))
