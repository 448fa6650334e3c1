"""The one layout every email uses: rendered here, for the events and the invitations apps.

A message template extends templates/emails/layout.html and layout.txt (the same blocks in
both): the host's name or logo, a heading, the text, the event card, one button, the
personal-link warning, and a footer with the organisers' contact, the opt-out where the
message has one, and the privacy link. The HTML's styles are written once, in the layout's
<style>, and moved into style attributes here (Outlook's Word engine and several webmail
clients drop <style>); the dark-mode rules stay behind in a <style> for the clients that read
it. Nothing is loaded from another host: the logo, when EMAIL_LOGO is set, travels in the
message as an inline part (cid:), and without it the host's name is plain text.
"""

import datetime as dt
import functools
import mimetypes
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import css_inline
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from partners.models import Host
from worker.services import Attachment

from . import dates
from .calendar.components import location_text
from .calendar.vtimezone import OSLO
from .models import Event

LOGO_CID = "logo@partnerskap"
LOGO_TYPES = {"image/png", "image/jpeg", "image/gif"}

# One inliner for the process: it holds no state between documents. keep_at_rules keeps the
# @media (prefers-color-scheme: dark) block, which cannot be written into style attributes.
_INLINER = css_inline.CSSInliner(
    keep_style_tags=False,
    keep_link_tags=False,
    keep_at_rules=True,
    load_remote_stylesheets=False,
    minify_css=True,
)
_BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*)+\n")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")


@dataclass(frozen=True)
class Bodies:
    text: str
    html: str
    # The parts the HTML refers to by cid: (the logo); every builder attaches them.
    inline: list[Attachment] = field(default_factory=list)


@functools.lru_cache(maxsize=4)
def _logo(path: str) -> Attachment | None:
    if not path:
        return None
    content_type = mimetypes.guess_type(path)[0] or ""
    if content_type not in LOGO_TYPES:
        raise ValueError("EMAIL_LOGO must be a PNG, JPEG or GIF file: %s" % path)
    content = Path(path).read_bytes()
    extension = mimetypes.guess_extension(content_type) or ""
    return Attachment(
        filename="logo" + extension,
        content_type=content_type,
        content=content,
        content_id=LOGO_CID,
    )


def logo() -> Attachment | None:
    """The configured logo as an inline part (read once per process), or None."""
    return _logo(settings.EMAIL_LOGO)


def privacy_url(host: Host) -> str:
    """The host's privacy notice (PRIVACY_URL instead, when one notice elsewhere covers all)."""
    return settings.PRIVACY_URL or settings.SITE_URL + host.get_privacy_url()


@dataclass(frozen=True)
class _Card:
    """Everything the event card shows: its cache key, so a card is never stale."""

    language: str
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    all_day: bool
    location: str
    event_url: str
    meeting_url: str
    answer_by: dt.datetime | None


@functools.lru_cache(maxsize=256)
def _card(card: _Card) -> tuple[str, str]:
    """The card as text and HTML. A send-out writes thousands of messages about one event in
    three languages: the card (and its date formatting) is rendered once per language."""
    with translation.override(card.language), timezone.override(OSLO):
        context = {
            "title": card.title,
            "when": dates.format_when(card),
            "location": card.location,
            "event_url": card.event_url,
            "meeting_url": card.meeting_url,
            "answer_by": dates.format_datetime(card.answer_by) if card.answer_by else "",
        }
        text = render_to_string("emails/_event_card.txt", context)
        html = render_to_string("emails/_event_card.html", context)
    return text, html  # html is the engine's SafeString: the layout inserts it unescaped


def layout_context(
    event: Event, *, meeting_url: str = "", answer_by: dt.datetime | None = None
) -> dict[str, Any]:
    """What the layout shows about the event and its host, in the active language."""
    host = event.host
    language = translation.get_language() or settings.LANGUAGE_CODE
    event_url = settings.SITE_URL + event.get_absolute_url()
    card_text, card_html = _card(
        _Card(
            language=language,
            title=event.title,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            all_day=event.all_day,
            location=location_text(event),
            event_url=event_url,
            meeting_url=meeting_url,
            answer_by=answer_by,
        )
    )
    return {
        "lang": language,
        "host_name": host.name,
        "logo_cid": LOGO_CID if logo() else "",
        "event": event,
        "event_url": event_url,
        "card_text": card_text,
        "card_html": card_html,
        "organiser_name": event.organiser_name,
        "organiser_email": event.organiser_email or host.email,
        "privacy_url": privacy_url(host),
        "personal_link": True,
    }


def render_bodies(template: str, context: Mapping[str, Any], *, event: Event) -> Bodies:
    """templates/<template>.txt and .html in the layout, in the active language and Oslo time.

    ``context`` may set: button_url (the one button), meeting_url (only for those who may see
    it), answer_by (a deadline for the card), opt_out_url, personal_link (False: no warning).
    """
    with timezone.override(OSLO):
        layout = layout_context(
            event, meeting_url=context.get("meeting_url", ""), answer_by=context.get("answer_by")
        )
    return render_in_layout(template, {**layout, **context})


def host_layout_context(
    host: Host, *, organiser_name: str = "", organiser_email: str = ""
) -> dict[str, Any]:
    """The layout's context for a message about no event (a call for input): the host's name
    or logo and the contact in the footer; the message's template fills the card block."""
    return {
        "lang": translation.get_language() or settings.LANGUAGE_CODE,
        "host_name": host.name,
        "logo_cid": LOGO_CID if logo() else "",
        "card_text": "",
        "card_html": "",
        "organiser_name": organiser_name,
        "organiser_email": organiser_email or host.email,
        "privacy_url": privacy_url(host),
        "personal_link": True,
    }


def render_in_layout(template: str, context: Mapping[str, Any]) -> Bodies:
    """templates/<template>.txt and .html, extending the layout, with the layout's context
    (from layout_context or host_layout_context) in ``context``."""
    with timezone.override(OSLO):
        text: str = render_to_string(template + ".txt", context)
        html = render_to_string(template + ".html", context)
    text = _BLANK_LINES.sub("\n\n", _TRAILING_SPACE.sub("\n", text)).strip() + "\n"
    text = text.replace("\n--\n", "\n-- \n")  # the signature separator keeps its space
    image = logo()
    return Bodies(text=text, html=_INLINER.inline(html), inline=[image] if image else [])
