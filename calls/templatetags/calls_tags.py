"""Template helpers for calls for input: the open calls box other pages drop in, a call's
text, and its deadline in words.

    {% load calls_tags %}{% open_calls %}                 all open calls (the home page)
    {% open_calls network=network %}                      one network's
    {{ call.introduction|call_text }}  {{ call.closes_at|deadline }}
"""

import datetime as dt
from typing import Any

from django import template
from django.utils.safestring import SafeString

from .. import formatting
from ..selectors import open_calls as select_open_calls

register = template.Library()


@register.inclusion_tag("calls/_open_calls.html")
def open_calls(network: Any = None, limit: int = 5) -> dict[str, Any]:
    slug = getattr(network, "slug", network) or ""
    return {"calls": select_open_calls(network_slug=slug, limit=limit)}


@register.filter
def call_text(text: str) -> SafeString:
    return formatting.call_text(text or "")


@register.filter
def deadline(value: dt.datetime) -> SafeString:
    return formatting.deadline_html(value)
