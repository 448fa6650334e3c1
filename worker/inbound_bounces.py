"""Bounces: RFC 3464 delivery status notifications and the common non-standard notices."""

import re
from dataclasses import dataclass
from email import message_from_string
from email.message import Message

from .inbound_parts import address, body_text, header, part_text, parts

BOUNCE_SENDERS = {"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon"}
BOUNCE_SUBJECT = re.compile(
    r"^\s*(undeliverable|undelivered mail|ikke levert|kan ikke leveres|levering mislyktes"
    r"|delivery status notification|delivery failure|mail delivery failed|returned mail"
    r"|failure notice|delivery has failed|warning: could not send|delayed mail)",
    re.IGNORECASE,
)
DELAY_WORDS = re.compile(r"\b(delay|delayed|forsinket|not yet been delivered|warning)\b", re.I)
STATUS_CODE = re.compile(r"(?<![\d.])([45])\.\d{1,3}\.\d{1,3}(?!\.?\d)")
SMTP_REPLY = re.compile(r"\b([45])\d\d\b")
ADDRESS = re.compile(r"[A-Za-z0-9._%+'=-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
MESSAGE_ID_LINE = re.compile(r"^Message-ID:\s*(<[^>\s]+>)", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Bounce:
    """A delivery failure (5.x.x) or delay (4.x.x) of a message we sent."""

    permanent: bool
    status: str  # e.g. "5.1.1"; "" when the report gives none
    action: str  # failed, delayed (RFC 3464), or "" for non-standard reports
    recipient: str | None  # the address that failed, lower-case
    diagnostic: str
    original_message_id: str | None  # "<...@...>" of the message that bounced


def find_bounce(message: Message, sender: str, subject: str) -> Bounce | None:
    if message.get_content_type() == "multipart/report":
        report_type = str(message.get_param("report-type", "") or "").lower()
        if report_type == "delivery-status":
            return _dsn(message)
    if sender.split("@")[0] in BOUNCE_SENDERS or BOUNCE_SUBJECT.search(subject):
        return _nonstandard(message, subject)
    return None


def _dsn(message: Message) -> Bounce | None:
    """RFC 3464: the per-recipient fields of the first failed (else delayed) recipient."""
    status_part = next(
        (p for p in parts(message) if p.get_content_type() == "message/delivery-status"), None
    )
    if status_part is None:
        return _nonstandard(message, header(message, "Subject"))
    recipients = [b for b in _status_blocks(status_part) if b.get("Action") or b.get("Status")]
    if not recipients:
        return _nonstandard(message, header(message, "Subject"))
    chosen = next((b for b in recipients if _field(b, "Action").lower() == "failed"), None)
    chosen = chosen or next(
        (b for b in recipients if _field(b, "Action").lower() == "delayed"), recipients[0]
    )
    action = _field(chosen, "Action").lower()
    status = STATUS_CODE.search(_field(chosen, "Status"))
    code = status.group(0) if status else ""
    if action not in ("failed", "delayed") and not code.startswith(("4", "5")):
        return None  # delivered, relayed, expanded: a success report, not a bounce
    permanent = code.startswith("5") if code else action == "failed"
    recipient = _field(chosen, "Final-Recipient") or _field(chosen, "Original-Recipient")
    return Bounce(
        permanent=permanent,
        status=code,
        action=action,
        recipient=address(recipient.split(";", 1)[-1]) or None,
        diagnostic=_field(chosen, "Diagnostic-Code").split(";", 1)[-1].strip(),
        original_message_id=_original_message_id(message),
    )


def _status_blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [block for block in payload if isinstance(block, Message)]
    text = part_text(part) if isinstance(payload, str) else ""
    return [message_from_string(block) for block in re.split(r"\r?\n\s*\r?\n", text) if block]


def _field(block: Message, name: str) -> str:
    return " ".join(str(block.get(name, "")).split())


def _nonstandard(message: Message, subject: str) -> Bounce | None:
    """Exchange "Undeliverable:", qmail, Postfix or Gmail notices without a delivery-status part;
    None unless it shows a status, an SMTP reply, the failed recipient or the returned original
    (a person writing from postmaster@ is no bounce)."""
    text = body_text(message)
    status = STATUS_CODE.search(text)
    smtp = SMTP_REPLY.search(text)
    original = _original_message_id(message) or _message_id_in(text)
    failed = header(message, "X-Failed-Recipients")
    if not (status or smtp or original or failed):
        return None
    delay = bool(DELAY_WORDS.search(subject)) and not re.search(r"fail|undeliver", subject, re.I)
    if status:
        permanent = status.group(1) == "5"
    elif smtp:
        permanent = smtp.group(1) == "5" and not delay
    else:
        permanent = not delay
    own = {address(header(message, "To")), address(header(message, "From"))}
    found = [a.lower() for a in ADDRESS.findall(failed + " " + text) if a.lower() not in own]
    line = next(
        (ln.strip() for ln in text.splitlines() if STATUS_CODE.search(ln) or SMTP_REPLY.search(ln)),
        "",
    )
    return Bounce(
        permanent=permanent,
        status=status.group(0) if status else "",
        action="",
        recipient=found[0] if found else None,
        diagnostic=" ".join(line.split())[:500],
        original_message_id=original,
    )


def _original_message_id(message: Message) -> str | None:
    """The Message-ID of the returned original (message/rfc822 or text/rfc822-headers)."""
    for part in parts(message):
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            payload = part.get_payload()
            original = payload[0] if isinstance(payload, list) and payload else None
            value = header(original, "Message-ID") if isinstance(original, Message) else ""
            if value:
                return value
        elif content_type == "text/rfc822-headers":
            found = _message_id_in(part_text(part))
            if found:
                return found
    return None


def _message_id_in(text: str) -> str | None:
    found = MESSAGE_ID_LINE.search(text)
    return found.group(1) if found else None
