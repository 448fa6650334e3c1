"""Template helpers for events: the upcoming, past and featured-conference boxes. Dates and
times ({% when %}, {% hours %}, the local_* filters) are the dates library's.

Drop the upcoming events into any page (the home page's {% block upcoming %}, a network page):
    {% load events_tags %}{% upcoming_events %}            all networks
    {% upcoming_events network=network limit=3 %}          one network
"""

from typing import Any

from django import template

from ..selectors.public import next_conference, past_events, registration_state
from ..selectors.public import upcoming_events as select_upcoming

register = template.Library()


@register.inclusion_tag("events/_upcoming.html")
def upcoming_events(network: Any = None, limit: int = 5) -> dict[str, Any]:
    slug = getattr(network, "slug", network) or ""
    return {"events": list(select_upcoming(network_slug=slug, limit=limit)), "network_slug": slug}


@register.inclusion_tag("events/_featured_conference.html")
def featured_conference() -> dict[str, Any]:
    """The next partnership conference, with its date, place and how to register (or nothing)."""
    event = next_conference()
    return {"event": event, "state": registration_state(event) if event else ""}


@register.inclusion_tag("events/_past.html")
def previous_events(network: Any = None, limit: int = 10) -> dict[str, Any]:
    slug = getattr(network, "slug", network) or ""
    return {"events": list(past_events(network_slug=slug)[:limit]), "network_slug": slug}
