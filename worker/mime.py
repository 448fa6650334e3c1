"""Render an outbox row to the exact bytes sent over SMTP.

Layout (DESIGN.md rule 7), one recipient per message:

    multipart/mixed                      only when there is a calendar or an attachment
      multipart/alternative              only when there is more than one body
        text/plain; charset=utf-8
        text/html; charset=utf-8         when the row has HTML
        text/calendar; method=...; charset=UTF-8
      application/ics; name=invite.ics   the same calendar, as a file
      <other attachments>                e.g. a QR code PNG

An attachment with a content_id (the logo the HTML shows as cid:...) is not a file: it goes
beside the HTML, which becomes multipart/related (text/html, image/...; Content-ID). The
calendar stays a direct part of the alternative, where Outlook and Apple Mail look for it.

The writer is small and direct on purpose: the email package's generator cost 0.8-2 ms per
message here (header re-parsing, boundary regexes, pure-Python quoted-printable), which alone
capped a worker process below the SMTP server's rate. Encoders are binascii (C); headers with
non-ASCII text go through email.header. Tests parse the bytes back with the email package.
"""

import base64
import binascii
import functools
import secrets
from collections.abc import Sequence
from email.utils import encode_rfc2231, formataddr, formatdate, parseaddr

from .models import OutgoingMessage

CRLF = "\r\n"
CALENDAR_METHODS = ("REQUEST", "CANCEL", "PUBLISH")
ICS_FILENAME = "invite.ics"

Part = tuple[list[str], str]  # (header lines, encoded body without trailing CRLF)


def render_message(row: OutgoingMessage, *, date: float | None = None) -> bytes:
    """The complete message (headers and body) with CRLF line endings."""
    headers = [
        "From: " + _address(row.from_email),
        "To: " + _address_pair(row.to_name, row.to_email),
    ]
    if row.reply_to:
        headers.append("Reply-To: " + _address(row.reply_to))
    headers += [
        _header("Subject", row.subject),
        "Date: " + formatdate(date, usegmt=True),
        "Message-ID: " + _clean(row.message_id),
        "Auto-Submitted: auto-generated",
        # Out-of-office and other automatic answers, not the non-delivery reports the
        # mailbox reads (Exchange's "All" would suppress those too).
        "X-Auto-Response-Suppress: OOF, AutoReply",
    ]
    if row.language:
        headers.append("Content-Language: " + _clean(row.language))
    headers.append("MIME-Version: 1.0")
    part_headers, body = _body(row)
    text = CRLF.join(headers + part_headers) + CRLF + CRLF + body
    return (text if text.endswith(CRLF) else text + CRLF).encode("ascii")


def envelope_sender(row: OutgoingMessage) -> str:
    return parseaddr(row.from_email)[1]


def calendar_method(row: OutgoingMessage) -> str:
    """The iTIP method: the row's own, else the calendar's METHOD line, else REQUEST."""
    if row.calendar_method:
        return row.calendar_method.upper()
    for line in row.calendar.splitlines():
        if line.upper().startswith("METHOD:"):
            return line.split(":", 1)[1].strip().upper()
    return "REQUEST"


def _body(row: OutgoingMessage) -> Part:
    alternatives = [_text("plain", row.text_body)]
    inline = [a for a in row.attachments if a.get("content_id")]
    if row.html_body:
        html = _text("html", row.html_body)
        if inline:
            html = _multipart(
                "related", [html, *(_inline(a) for a in inline)], params='; type="text/html"'
            )
        alternatives.append(html)
    if row.calendar:
        method = calendar_method(row)
        alternatives.append(
            _text("calendar", row.calendar, params="method=%s; charset=UTF-8" % method)
        )
    body = alternatives[0] if len(alternatives) == 1 else _multipart("alternative", alternatives)
    files: list[Part] = []
    if row.calendar:
        encoded = base64.b64encode(row.calendar.encode("utf-8")).decode("ascii")
        files.append(_file("application/ics", ICS_FILENAME, encoded))
    for attachment in row.attachments:
        if attachment.get("content_id"):
            continue
        # Stored base64 already (see services.queue_messages); only re-wrapped into lines.
        files.append(
            _file(attachment["content_type"], attachment["filename"], attachment["base64"])
        )
    if files:
        body = _multipart("mixed", [body, *files])
    return body


def _text(subtype: str, text: str, *, params: str = 'charset="utf-8"') -> Part:
    data = text.replace("\r\n", "\n").replace("\r", "\n")
    if data.isascii() and all(len(line) <= 998 for line in data.split("\n")):
        cte, body = "7bit", data
    else:
        cte = "quoted-printable"
        body = binascii.b2a_qp(data.encode("utf-8"), istext=True).decode("ascii")
    body = body.replace("\n", CRLF)
    return [f"Content-Type: text/{subtype}; {params}", "Content-Transfer-Encoding: " + cte], body


def _file(content_type: str, filename: str, encoded: str, *, content_id: str = "") -> Part:
    """A base64 part: an attachment, or with content_id an inline part the HTML shows."""
    encoded = "".join(encoded.split())
    lines = [encoded[i : i + 76] for i in range(0, len(encoded), 76)]
    headers = ["Content-Type: %s; %s" % (_clean(content_type), _param("name", filename))]
    if content_id:
        headers.append("Content-ID: <%s>" % _clean(content_id))
    disposition = "inline" if content_id else "attachment"
    headers += [
        "Content-Disposition: %s; %s" % (disposition, _param("filename", filename)),
        "Content-Transfer-Encoding: base64",
    ]
    return headers, CRLF.join(lines)


def _inline(attachment: dict) -> Part:
    return _file(
        attachment["content_type"],
        attachment["filename"],
        attachment["base64"],
        content_id=attachment["content_id"],
    )


def _multipart(subtype: str, parts: Sequence[Part], *, params: str = "") -> Part:
    # "=_" never occurs in quoted-printable or base64 output, and 128 random bits make a
    # collision with 7bit text negligible, so there is no need to scan the parts.
    boundary = "=_" + secrets.token_hex(16)
    chunks = []
    for headers, body in parts:
        chunks.append("--" + boundary + CRLF + CRLF.join(headers) + CRLF + CRLF + body + CRLF)
    body = "".join(chunks) + "--" + boundary + "--"
    return [f'Content-Type: multipart/{subtype}; boundary="{boundary}"{params}'], body


def _clean(value: str) -> str:
    """No line breaks in header values: they would let text inject headers."""
    return " ".join(value.split()) if ("\r" in value or "\n" in value) else value


def _header(name: str, value: str) -> str:
    value = _clean(value)
    if value.isascii() and len(name) + len(value) < 900:
        return f"{name}: {value}"
    return f"{name}: " + _encoded_words(value)


def _encoded_words(text: str) -> str:
    """RFC 2047 base64 encoded-words of at most 75 characters, folded onto lines of their own.

    (email.header does the same through a pure-Python quoted-printable length scan, which
    cost more than the rest of a message put together.)"""
    words = []
    chunk = ""
    for char in text:
        # 39 bytes -> 52 base64 characters -> a 64-character word: "Subject: " + word < 78.
        if len((chunk + char).encode("utf-8")) > 39:
            words.append(chunk)
            chunk = ""
        chunk += char
    words.append(chunk)
    return (CRLF + " ").join(
        "=?utf-8?b?%s?=" % base64.b64encode(word.encode("utf-8")).decode("ascii") for word in words
    )


@functools.lru_cache(maxsize=64)
def _address(value: str) -> str:
    """A configured address (From, Reply-To): the same few values over and over."""
    name, address = parseaddr(_clean(value))
    return _address_pair(name, address or value)


def ascii_address(address: str) -> str:
    """An address with an internationalised domain in its ASCII (IDNA) form, as SMTP needs it:
    kari@tønsberg.no -> kari@xn--tnsberg-q1a.no. A non-ASCII local part stays as it is (that
    would need SMTPUTF8) and fails the row permanently."""
    local, at, domain = address.rpartition("@")
    if not at or domain.isascii():
        return address
    try:
        return f"{local}@{domain.encode('idna').decode('ascii')}"
    except UnicodeError:
        return address


def _address_pair(name: str, address: str) -> str:
    name, address = _clean(name), ascii_address(_clean(address))
    if not name:
        return address
    if name.isascii():
        return formataddr((name, address))
    return f"{_encoded_words(name)}{CRLF} <{address}>"


def _param(name: str, value: str) -> str:
    value = _clean(value)
    if value.isascii() and '"' not in value and "\\" not in value:
        return f'{name}="{value}"'
    return f"{name}*=" + encode_rfc2231(value, "utf-8")
