"""Classify one inbound email (calendar answer, bounce, auto-reply, human, unreadable); no domain.

`classify` reads a parsed message and says what it is, with the fields a handler needs: the
envelope token (`partnerskap+<token>@domain`, see `reply_address`), an iTIP REPLY/COUNTER's
UID, SEQUENCE, DTSTAMP, ATTENDEE and PARTSTAT, or a bounce's status, recipient, diagnostic and
the returned original's Message-ID. It trusts nothing and never raises: what it cannot read is
`unreadable`, with the reason. It never descends into a returned or forwarded message
(message/rfc822) to look for a calendar, so a bounced or forwarded invitation is not an answer.
"""

import enum
import re
from dataclasses import dataclass, replace
from email import errors
from email.message import Message
from email.utils import getaddresses

from .inbound_bounces import Bounce, find_bounce
from .inbound_calendar import CalendarAnswer, find_answer
from .inbound_parts import address, excerpt_of, header, parts, split_address

TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
ENVELOPE_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "To", "Cc")
BROKEN_MIME = (
    errors.NoBoundaryInMultipartDefect,
    errors.StartBoundaryNotFoundDefect,
    errors.MultipartInvariantViolationDefect,
)
AUTO_SUBJECT = re.compile(
    r"^\s*(automatisk svar|automatisk melding|fraværsmelding|fråværsmelding|autosvar"
    r"|out of (the )?office|automatic reply|auto-?reply|autoresponse)\b",
    re.IGNORECASE,
)
AUTO_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-MS-Exchange-Inbox-Rules-Loop")
AUTO_PRECEDENCE = {"auto_reply", "bulk", "junk"}


class Kind(enum.StrEnum):
    CALENDAR_REPLY = "calendar_reply"
    CALENDAR_COUNTER = "calendar_counter"
    BOUNCE = "bounce"
    DELAY = "delay"
    AUTO_REPLY = "auto_reply"
    HUMAN = "human"
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class Inbound:
    """What `classify` found in one message."""

    kind: Kind
    message_id: str | None
    sender: str  # From, lower-case address ("" when missing)
    subject: str
    token: str | None  # from partnerskap+<token>@domain in the envelope headers
    calendar: CalendarAnswer | None = None
    bounce: Bounce | None = None
    excerpt: str = ""  # a short plain-text excerpt (human and auto-replies)
    reason: str = ""  # why it is unreadable, or what made it an auto-reply


def reply_address(mailbox: str, token: str) -> str:
    """`partnerskap+<token>@domain` from ORGANISER_MAILBOX `partnerskap@domain`."""
    if not TOKEN.fullmatch(token):
        raise ValueError("token must be 16-64 characters of A-Z, a-z, 0-9, _ and -")
    local, domain = split_address(mailbox)
    if not local or not domain or "+" in local:
        raise ValueError(f"not a plain mailbox address: {mailbox!r}")
    return f"{local}+{token}@{domain}"


def token_from_address(address: str, mailbox: str) -> str | None:
    """The token of `local+<token>@domain` when local and domain are the mailbox's, else None."""
    local, domain = split_address(address)
    base_local, base_domain = split_address(mailbox)
    base, plus, token = local.partition("+")
    if not plus or not base_local or base.casefold() != base_local.casefold():
        return None
    if domain.casefold() != base_domain.casefold() or not TOKEN.fullmatch(token):
        return None
    return token


def classify(message: Message, mailbox: str | None = None) -> Inbound:
    """What this message is; `mailbox` (ORGANISER_MAILBOX) is whose plus-address holds a token."""
    try:
        return _classify(message, mailbox)
    except Exception as error:  # noqa: BLE001 - bad mail must never take the poller down
        return Inbound(Kind.UNREADABLE, None, "", "", None, reason=f"unreadable: {error!r}")


def _classify(message: Message, mailbox: str | None) -> Inbound:
    sender = address(header(message, "From"))
    subject = header(message, "Subject")
    found = Inbound(
        Kind.UNREADABLE,
        message_id=header(message, "Message-ID") or None,
        sender=sender,
        subject=subject,
        token=_token(message, mailbox) if mailbox else None,
    )
    broken = [d for part in parts(message) for d in part.defects if isinstance(d, BROKEN_MIME)]
    if broken:
        return replace(found, reason=f"broken MIME: {type(broken[0]).__name__}")
    if not sender and not subject and not found.message_id:
        return replace(found, reason="no From, Subject or Message-ID")
    bounce = find_bounce(message, sender, subject)
    if bounce is not None:
        return replace(found, kind=Kind.BOUNCE if bounce.permanent else Kind.DELAY, bounce=bounce)
    answer, problem = find_answer(message, sender)
    if answer is not None:
        kind = Kind.CALENDAR_COUNTER if answer.method == "COUNTER" else Kind.CALENDAR_REPLY
        return replace(found, kind=kind, calendar=answer)
    if problem:
        return replace(found, reason=problem)
    why = _auto_reply(message, subject)
    kind = Kind.AUTO_REPLY if why else Kind.HUMAN
    return replace(found, kind=kind, excerpt=excerpt_of(message), reason=why)


def _token(message: Message, mailbox: str) -> str | None:
    for name in ENVELOPE_HEADERS:
        values = [str(v) for v in message.get_all(name) or []]
        for _, addr in getaddresses(values):
            token = token_from_address(addr, mailbox)
            if token:
                return token
    return None


# Auto-replies -----------------------------------------------------------------------------


def _auto_reply(message: Message, subject: str) -> str:
    """Why this is an automatic reply ("" when it is not)."""
    if message.get_content_type() == "multipart/report":
        return "delivery or read report"
    submitted = header(message, "Auto-Submitted").lower()
    if submitted and submitted != "no":
        return f"Auto-Submitted: {submitted}"
    for name in AUTO_HEADERS:
        if message.get(name) is not None and header(message, name).lower() != "no":
            return name
    precedence = header(message, "Precedence").lower()
    if precedence in AUTO_PRECEDENCE:
        return f"Precedence: {precedence}"
    found = AUTO_SUBJECT.search(subject)
    return f"subject: {found.group(0)}" if found else ""
