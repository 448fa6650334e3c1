"""How a call's texts and deadline read: one place, for its pages, its emails and its API.

A deadline at the end of a day (23.59 Oslo time, as the demo's "27. desember 2023") is
written as the date alone, "27. desember 2023"; any other time with the hour. The words come
from events/dates.py, the one date format.
"""

import datetime as dt
import re

from django.template.defaultfilters import linebreaksbr, urlize
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from events.dates import format_date, format_datetime

_PARAGRAPHS = re.compile(r"\n[ \t]*\n+")


def is_end_of_day(value: dt.datetime) -> bool:
    local = timezone.localtime(value)
    return (local.hour, local.minute) == (23, 59)


def format_deadline(value: dt.datetime) -> str:
    """'27. desember 2023' for the end of a day, '27. desember 2023 kl. 12.00' otherwise."""
    if is_end_of_day(value):
        return format_date(value, weekday=False)
    return format_datetime(value, weekday=False)


def call_text(text: str) -> SafeString:
    """Organisers' plain text as HTML: blank lines make paragraphs, line breaks stay, web
    addresses become links. Everything the organiser wrote is escaped first."""
    paragraphs = [p.strip() for p in _PARAGRAPHS.split(text.strip()) if p.strip()]
    return format_html_join(
        "\n",
        "<p>{}</p>",
        ((linebreaksbr(urlize(p, autoescape=True), autoescape=True),) for p in paragraphs),
    )


def deadline_html(value: dt.datetime) -> SafeString:
    """The deadline in a <time> element, machine-readable beside the words."""
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), format_deadline(value))
