"""Template helpers for events: times in the display time zone, and the upcoming-events box.

Drop the upcoming events into any page (the home page's {% block upcoming %}, a network page):
    {% load events_tags %}{% upcoming_events %}            all networks
    {% upcoming_events network=network limit=3 %}          one network
"""

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from ..selectors import past_events
from ..selectors import upcoming_events as select_upcoming

register = template.Library()


def _day(moment: dt.datetime) -> str:
    return "%s %s" % (date_format(moment, "l"), date_format(moment, "DATE_FORMAT"))


@register.simple_tag
def when(obj: Any) -> str:
    """'torsdag 15. januar 2026 from 09:00 to 15:00' for an event or session, in local time."""
    start = timezone.localtime(obj.starts_at)
    end = timezone.localtime(obj.ends_at)
    if getattr(obj, "all_day", False):
        last_day = timezone.localtime(obj.ends_at - dt.timedelta(seconds=1))
        if last_day.date() == start.date():
            return _day(start)
        return gettext("%(start_date)s to %(end_date)s") % {
            "start_date": _day(start),
            "end_date": _day(last_day),
        }
    if start.date() == end.date():
        return gettext("%(date)s from %(start)s to %(end)s") % {
            "date": _day(start),
            "start": date_format(start, "H:i"),
            "end": date_format(end, "H:i"),
        }
    return gettext("%(start_date)s at %(start)s to %(end_date)s at %(end)s") % {
        "start_date": _day(start),
        "start": date_format(start, "H:i"),
        "end_date": _day(end),
        "end": date_format(end, "H:i"),
    }


@register.simple_tag
def hours(obj: Any) -> str:
    """'09:00–10:30' in local time."""
    return "%s–%s" % (
        date_format(timezone.localtime(obj.starts_at), "H:i"),
        date_format(timezone.localtime(obj.ends_at), "H:i"),
    )


@register.inclusion_tag("events/_upcoming.html")
def upcoming_events(network: Any = None, limit: int = 5) -> dict[str, Any]:
    slug = getattr(network, "slug", network) or ""
    return {"events": list(select_upcoming(network_slug=slug, limit=limit)), "network_slug": slug}


@register.inclusion_tag("events/_past.html")
def previous_events(network: Any = None, limit: int = 10) -> dict[str, Any]:
    slug = getattr(network, "slug", network) or ""
    return {"events": list(past_events(network_slug=slug)[:limit]), "network_slug": slug}
