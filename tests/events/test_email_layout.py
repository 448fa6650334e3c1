"""Every kind of email has the one layout, in HTML and in plain text: the host's name, the event
card, one button to the recipient's own link, the personal-link warning, and a footer with the
organisers' contact, the opt-out where there is one, and the privacy link."""

import base64
import email
import re
from email import policy
from html.parser import HTMLParser

import pytest
from django.utils import translation

from events import email_layout
from partners.models import Host
from tests.factories import EventFactory, RegistrationFactory
from worker.mime import render_message
from worker.models import OutgoingMessage
from worker.services import Message, queue_messages

from .email_kinds import HOST_NAME, OPT_OUT_KINDS, ORGANISER_EMAIL, every_kind

pytestmark = pytest.mark.django_db

KINDS = {
    "events.confirmation",
    "events.waiting_list",
    "events.seat_offered",
    "events.offer_expired",
    "events.cancellation",
    "events.personal_link",
    "event_changed",
    "event_cancelled",
    "invitation",
    "invitation_reminder",
    "finish_registration",
    "participant_reminder",
    "organiser_message",
    "organiser_message_to_invitee",
}


class _Parts(HTMLParser):
    """The text of the elements the layout is made of, as a reader sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict]] = []
        self.text: dict[str, str] = {}
        self.buttons: list[str] = []
        self.links: list[str] = []
        self.html_lang = ""
        self.style_blocks: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.html_lang = attributes.get("lang", "")
        if tag == "style":
            self._in_style = True
            self.style_blocks.append("")
        if tag == "a":
            self.links.append(attributes.get("href", ""))
            if "button" in (attributes.get("class") or "").split():
                self.buttons.append(attributes.get("href", ""))
        if tag not in ("meta", "img", "br"):
            self.stack.append((tag, attributes))

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if self._in_style:
            self.style_blocks[-1] += data
            return
        for tag, attributes in self.stack:
            for name in [tag, *(attributes.get("class") or "").split()]:
                self.text[name] = self.text.get(name, "") + data


def _parts(html: str) -> _Parts:
    parser = _Parts()
    parser.feed(html)
    return parser


def _is_opt_out(link: str) -> bool:
    return link.endswith("/avmeld/") and "/invitasjon/" in link


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def messages():
    return {m.kind: m for m in every_kind("nb")}


def test_every_kind_of_message_is_covered(messages):
    assert set(messages) == KINDS


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_kind_has_the_layout_in_html_and_text(messages, kind):
    message = messages[kind]
    html, text = message.html_body, message.text_body
    parts = _parts(html)
    # The host's name at the top of both.
    assert _words(parts.text["masthead"]) == HOST_NAME
    assert text.startswith(HOST_NAME + "\n")
    # A heading, which the plain text says too.
    assert parts.text["h1"].strip() and _words(parts.text["h1"]) in _words(text)
    # The event card: title (escaped in HTML, as typed in text), when, where.
    card = _words(parts.text["card"])
    assert "Partnerskapskonferansen <2027> & mer" in card
    assert "&lt;2027&gt; &amp; mer" in html and "Partnerskapskonferansen <2027> & mer" in text
    assert "Bølgen kulturhus, Larvik" in card and "Bølgen kulturhus, Larvik" in text
    # One button, to the recipient's own link; the text part gives the same link.
    assert parts.buttons == [message.personal_url]
    assert message.personal_url in text
    # The personal-link warning, worded the same in both.
    warning = _words(parts.text["warning"])
    assert warning and warning in _words(text)
    # The footer: the organisers' contact, the privacy link, the opt-out where there is one.
    footer = _words(parts.text["footer"])
    assert ORGANISER_EMAIL in footer and ORGANISER_EMAIL in text
    # The event's host's own privacy notice.
    host = Host.objects.get(name=HOST_NAME)
    privacy = email_layout.privacy_url(host)
    assert privacy.endswith("/personvern/%s/" % host.slug)
    assert privacy in parts.links and privacy in text
    if kind in OPT_OUT_KINDS:
        assert message.opt_out_url in parts.links and message.opt_out_url in text
    else:
        assert not [link for link in parts.links if _is_opt_out(link)]
    # lang set, styles in attributes, only the dark-mode rules left in a <style>.
    assert parts.html_lang == "nb"
    assert re.search(r'<body[^>]* style="[^"]*font-family', html)
    assert re.search(r'class="button"[^>]* style="[^"]*background-color', html)
    [kept] = parts.style_blocks
    # What is left is only what style attributes cannot say: media queries.
    assert "@media (prefers-color-scheme: dark)" in kept
    assert re.sub(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", kept).strip() == ""
    assert 'name="color-scheme" content="light dark"' in html
    # Plain text: no markup, nothing escaped.
    assert "<" not in text.replace("<2027>", "") and "&amp;" not in text


class _Blocks(HTMLParser):
    """The text of each paragraph, list item, quote and heading, as a reader sees them."""

    BLOCKS = {"p", "li", "blockquote", "h1", "h2"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._open: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self._in_style = self._in_style or tag == "style"
        if tag == "br" and self._open:
            self._open[-1] += " "
        if tag in self.BLOCKS:
            self._open.append("")

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False
        if tag in self.BLOCKS and self._open:
            self.blocks.append(_words(self._open.pop()))

    def handle_data(self, data):
        if self._open and not self._in_style:
            self._open[-1] += data


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_plain_text_says_what_the_html_says(messages, kind):
    """Every paragraph, list item and heading of the HTML is in the text part too (a link's
    words may be followed there by its address)."""
    message = messages[kind]
    parser = _Blocks()
    parser.feed(message.html_body)
    text = _words(message.text_body)
    missing = [block for block in parser.blocks if block and block not in text]
    assert missing == []


def test_no_message_loads_anything_from_another_host(messages):
    for message in messages.values():
        html = message.html_body
        assert not re.search(
            r"<(img|script|iframe|link|source|video|audio)\b", html.replace('<img class="logo"', "")
        )
        assert not re.search(r'\b(src|srcset|background|poster)\s*=\s*["\']?\s*(https?:)?//', html)
        assert not re.search(r"url\(\s*['\"]?\s*(https?:)?//", html)
        assert "@import" not in html


@pytest.mark.parametrize("language", ["nn", "en"])
def test_the_layout_speaks_the_recipients_language(language):
    built = {m.kind: m for m in every_kind(language)}
    with translation.override(language):
        warning = translation.gettext("This link is personal. Do not share it.")
        privacy = translation.gettext("How we handle your personal data")
    for kind, message in built.items():
        parts = _parts(message.html_body)
        assert parts.html_lang == language, kind
        assert privacy in parts.text["footer"] and privacy in message.text_body, kind
    assert warning in built["events.confirmation"].text_body
    if language == "en":
        assert "You are registered. Welcome!" in built["events.confirmation"].html_body


@pytest.fixture
def logo(tmp_path, settings):
    path = tmp_path / "logo.png"
    path.write_bytes(
        base64.b64decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
        )
    )
    settings.EMAIL_LOGO = str(path)
    email_layout._logo.cache_clear()
    yield path.read_bytes()
    email_layout._logo.cache_clear()


def test_a_logo_is_embedded_inline_and_the_calendar_stays_in_the_alternative(logo):
    built = {m.kind: m for m in every_kind("nb")}
    assert f'src="cid:{email_layout.LOGO_CID}"' in built["invitation"].html_body
    assert f'alt="{HOST_NAME}"' in built["invitation"].html_body
    row = OutgoingMessage.objects.filter(kind="event_changed").first()
    raw = render_message(row)
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert parsed.get_content_type() == "multipart/mixed"
    alternative, ics = parsed.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    plain, related, calendar = alternative.get_payload()
    assert plain.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    assert related.get_param("type") == "text/html"
    html, image = related.get_payload()
    assert html.get_content_type() == "text/html"
    assert image.get_content_type() == "image/png" and image["Content-ID"] == (
        "<%s>" % email_layout.LOGO_CID
    )
    assert image.get_content_disposition() == "inline" and image.get_content() == logo
    assert calendar.get_content_type() == "text/calendar"
    assert calendar.get_param("method") == "REQUEST"
    assert ics.get_filename() == "invite.ics"
    # The logo is not offered as a file: the only attachment is the calendar.
    assert [p.get_filename() for p in parsed.iter_attachments()] == ["invite.ics"]


def test_without_a_logo_the_host_name_is_text_and_there_is_no_related_part():
    [row] = queue_messages(messages=[_confirmation_message()])
    parsed = email.message_from_bytes(render_message(row), policy=policy.default)
    types = [part.get_content_type() for part in parsed.walk()]
    assert "multipart/related" not in types and "image/png" in types  # the ticket QR code
    assert "<img" not in row.html_body


def _confirmation_message() -> Message:
    from events import emails

    registration = RegistrationFactory(
        event=EventFactory(), email="kari@example.org", name="Kari", status="confirmed"
    )
    return emails.confirmation(registration=registration)
