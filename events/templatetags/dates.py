"""The one date format in templates (events/dates.py holds the rules).

    {% load dates %}
    {{ value|local_date }}                 onsdag 20. januar 2027
    {{ value|local_datetime }}             onsdag 20. januar 2027 kl. 10.00
    {{ value|local_datetime:"compact" }}   20. januar 2027 kl. 10.00  (tables: no weekday)
    {{ value|local_time }}                 10.00
    {% when event %}                       onsdag 20. januar 2027 kl. 10.00–15.00
    {% hours session %}                    10.00–11.30
An empty value renders as an empty string.
"""

from typing import Any

from django import template

from .. import dates

register = template.Library()


def _weekday(style: str) -> bool:
    return style != "compact"


@register.filter
def local_date(value: Any, style: str = "") -> str:
    return dates.format_date(value, weekday=_weekday(style)) if value else ""


@register.filter
def local_datetime(value: Any, style: str = "") -> str:
    return dates.format_datetime(value, weekday=_weekday(style)) if value else ""


@register.filter
def local_time(value: Any) -> str:
    return dates.format_time(value) if value else ""


@register.simple_tag
def when(obj: Any, style: str = "") -> str:
    return dates.format_when(obj, weekday=_weekday(style))


@register.simple_tag
def hours(obj: Any) -> str:
    return dates.format_hours(obj)
