"""Filters for templates/events/_calendar_links.html: absolute "add to calendar" links."""

from django import template

from events.calendar import links
from events.models import Event, Registration

register = template.Library()


@register.filter
def google_calendar_url(event: Event, include_meeting_link: bool = False) -> str:
    return links.google_calendar_url(event, include_meeting_link=bool(include_meeting_link))


@register.filter
def outlook_calendar_url(event: Event, include_meeting_link: bool = False) -> str:
    return links.outlook_calendar_url(event, include_meeting_link=bool(include_meeting_link))


@register.filter
def event_ics_url(event: Event) -> str:
    return links.event_ics_url(event)


@register.filter
def webcal_url(url: str) -> str:
    return links.webcal_url(url)


@register.filter
def personal_feed_webcal(registration: Registration) -> str:
    """webcal:// link to the participant's own feed of the events they are registered for."""
    return links.webcal_url(links.personal_feed_url(registration))
