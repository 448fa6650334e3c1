"""Reading inbound mail safely: headers, addresses, a message's own parts and their text."""

import html
import re
from collections.abc import Iterator
from email.message import Message
from email.utils import parseaddr

EXCERPT_LENGTH = 300


def header(message: Message, name: str) -> str:
    value = message.get(name)
    return " ".join(str(value).split()) if value is not None else ""


def split_address(address: str) -> tuple[str, str]:
    addr = parseaddr(address.strip().removeprefix("mailto:").removeprefix("MAILTO:"))[1]
    local, at, domain = addr.rpartition("@")
    return (local, domain) if at else ("", "")


def address(value: str) -> str:
    addr = parseaddr(value.strip())[1].strip()
    return addr[7:].lower() if addr.lower().startswith("mailto:") else addr.lower()


def parts(message: Message) -> Iterator[Message]:
    """Every part of this message, not those of messages attached to it (message/rfc822)."""
    yield message
    if message.get_content_maintype() == "multipart" and isinstance(message.get_payload(), list):
        for part in message.get_payload():
            if isinstance(part, Message):
                yield from parts(part)


def part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    if payload.startswith((b"\xff\xfe", b"\xfe\xff")):
        return payload.decode("utf-16", errors="replace")
    payload = payload.removeprefix(b"\xef\xbb\xbf")
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        return payload.decode("utf-8", errors="replace")


def body_text(message: Message) -> str:
    """The first text/plain part's text, else the first text/html part without its tags."""
    for wanted in ("text/plain", "text/html"):
        for part in parts(message):
            if part.get_content_type() == wanted and not is_attachment(part):
                text = part_text(part)
                return _html_text(text) if wanted == "text/html" else text
    return ""


def is_attachment(part: Message) -> bool:
    return str(part.get("Content-Disposition", "")).strip().lower().startswith("attachment")


def excerpt_of(message: Message) -> str:
    lines = [line for line in body_text(message).splitlines() if not line.startswith(">")]
    return " ".join(" ".join(lines).split())[:EXCERPT_LENGTH]


def _html_text(markup: str) -> str:
    markup = re.sub(r"(?i)<br\s*/?>|</(p|div|li|tr|h\d)>", "\n", markup)
    return html.unescape(re.sub(r"<[^>]*>", " ", markup))
