"""Links for events and feeds: "add to calendar" (Google, Outlook), .ics downloads, webcal."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse

from ..models import Event, Registration
from .components import all_day_dates, description_text, event_url, location_text
from .vtimezone import TZID

if TYPE_CHECKING:
    from partners.models import Network

# Long descriptions are cut in "add to calendar" links: browsers and the services cap URL length.
LINK_DETAILS_MAX = 1500


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
