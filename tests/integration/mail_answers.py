"""What comes back to the mailbox, built from an invitation the SMTP test server received.

`SentInvitation.from_mail(mail)` reads the invitation's text/calendar REQUEST (UID, SEQUENCE,
ORGANIZER: the recipient's plus address, ATTENDEE) and the envelope sender (MAIL FROM) the
server saw. From it:

- `reply(client, invitation, partstat)`: the iTIP REPLY as each client builds it (the shapes
  of tests/worker/inbound_samples/*.eml), addressed To the REQUEST's ORGANIZER, From the
  invited person, UID and SEQUENCE copied, DTSTAMP now:
  outlook      multipart/alternative (text/plain, text/calendar), `method=REPLY` only on the
               MIME part, no ORGANIZER, PARTSTAT in the ATTENDEE, "Godtatt:"/"Accepted:"
  gmail        multipart/mixed (multipart/alternative with text/calendar method=REPLY inline,
               invite.ics attached)
  apple        text/calendar; method=REPLY as the only part, X-Apple headers
  thunderbird  multipart/mixed (multipart/alternative: text/plain, text/calendar), ORGANIZER
               kept, invite.ics attached
  `to=` and `attendee=` forge one: another token's plus address, or another attendee.
- `dsn(invitation)`: an RFC 3464 multipart/report (5.1.1) to the envelope sender, the
  original's headers as text/rfc822-headers; `exchange_ndr(invitation)`: Exchange's
  "Ikke levert:" with the original attached; `out_of_office(invitation)`: "Automatisk svar:"
  with Auto-Submitted: auto-replied.

Every builder returns the bytes to APPEND to the mailbox (CRLF line ends, a fresh Message-ID).
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from zoneinfo import ZoneInfo

from icalendar import Calendar

from .smtp import ReceivedMail

OSLO = ZoneInfo("Europe/Oslo")
SMTP = policy.SMTP


@dataclass(frozen=True)
class SentInvitation:
    """An invitation as its recipient's mail system received it."""

    uid: str
    sequence: int
    summary: str
    start: dt.datetime  # aware, UTC
    end: dt.datetime
    organizer: str  # the ORGANIZER address: partnerskap+<token>@domain
    organizer_name: str
    attendee: str  # the invited address, as the REQUEST's ATTENDEE names it
    attendee_name: str
    envelope_sender: str  # MAIL FROM: where bounces and auto-replies go
    message_id: str
    subject: str
    raw: bytes

    @classmethod
    def from_mail(cls, mail: ReceivedMail) -> SentInvitation:
        parts = [p for p in mail.message.walk() if p.get_content_type() == "text/calendar"]
        assert parts, f"no text/calendar in {mail.message['Subject']}"
        calendar = Calendar.from_ical(parts[0].get_content())
        assert str(calendar["METHOD"]) == "REQUEST", calendar["METHOD"]
        event = calendar.walk("VEVENT")[0]
        organizer, attendee = event["ORGANIZER"], event["ATTENDEE"]
        return cls(
            uid=str(event["UID"]),
            sequence=int(event.get("SEQUENCE", 0)),
            summary=str(event["SUMMARY"]),
            start=_utc(event.decoded("DTSTART")),
            end=_utc(event.decoded("DTEND")),
            organizer=_mailto(str(organizer)),
            organizer_name=str(organizer.params.get("CN", "")),
            attendee=_mailto(str(attendee)),
            attendee_name=str(attendee.params.get("CN", "")),
            envelope_sender=mail.mail_from,
            message_id=mail.message_id,
            subject=str(mail.message["Subject"]),
            raw=mail.raw,
        )

    @property
    def token(self) -> str:
        return self.organizer.split("@")[0].partition("+")[2]

    @property
    def headers(self) -> bytes:
        """The original's header block, as a DSN returns it (text/rfc822-headers)."""
        return self.raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].replace(b"\n", b"\r\n")


def _mailto(value: str) -> str:
    return value[7:] if value.lower().startswith("mailto:") else value


def _utc(value: dt.datetime | dt.date) -> dt.datetime:
    assert isinstance(value, dt.datetime), "an all-day invitation; these builders want times"
    return value.astimezone(dt.UTC)


def other_token_address(invitation: SentInvitation) -> str:
    """A plus address that looks like ours, with a token nobody was given."""
    local, domain = invitation.organizer.split("@")
    return f"{local.partition('+')[0]}+{secrets.token_hex(16)}@{domain}"


# iCalendar text ---------------------------------------------------------------------------


def fold(line: str) -> str:
    """RFC 5545 3.1: lines of at most 75 octets, continued with CRLF and a space."""
    data, out = line.encode(), []
    while len(data) > 75:
        cut = 75 if not out else 74
        while cut and (data[cut] & 0xC0) == 0x80:  # never inside a UTF-8 character
            cut -= 1
        out.append(data[:cut])
        data = data[cut:]
    out.append(data)
    return "\r\n ".join(chunk.decode() for chunk in out)


def ics(*lines: str) -> str:
    return "".join(fold(line) + "\r\n" for line in lines if line)


def stamp(value: dt.datetime | None = None) -> str:
    return (value or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def local(value: dt.datetime) -> str:
    return value.astimezone(OSLO).strftime("%Y%m%dT%H%M%S")


OUTLOOK_TIMEZONE = (
    "BEGIN:VTIMEZONE",
    "TZID:W. Europe Standard Time",
    "BEGIN:STANDARD",
    "DTSTART:16010101T030000",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10",
    "END:STANDARD",
    "BEGIN:DAYLIGHT",
    "DTSTART:16010101T020000",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3",
    "END:DAYLIGHT",
    "END:VTIMEZONE",
)
OSLO_TIMEZONE = (
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Oslo",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
    "END:STANDARD",
    "END:VTIMEZONE",
)

# What each client writes for each answer (Subject prefixes, Outlook's in the user's language).
OUTLOOK_SUBJECTS = {
    "nb": {"ACCEPTED": "Godtatt", "DECLINED": "Avslått", "TENTATIVE": "Foreløpig godtatt"},
    "en": {"ACCEPTED": "Accepted", "DECLINED": "Declined", "TENTATIVE": "Tentative"},
}
ENGLISH = {"ACCEPTED": "accepted", "DECLINED": "declined", "TENTATIVE": "tentatively accepted"}


@dataclass(frozen=True)
class Answer:
    """Who answers what, and where the answer is sent."""

    invitation: SentInvitation
    partstat: str
    to: str  # the address the client sends to (the ORGANIZER of the REQUEST)
    attendee: str  # the ATTENDEE it writes, and the From
    name: str
    language: str
    sent_at: dt.datetime

    @property
    def sender(self) -> str:
        return formataddr((self.name, self.attendee))

    @property
    def recipient(self) -> str:
        return formataddr((self.invitation.organizer_name, self.to))


def _headers(message: EmailMessage, answer: Answer, subject: str, domain: str) -> None:
    message["From"] = answer.sender
    message["To"] = answer.recipient
    message["Subject"] = subject
    message["Date"] = format_datetime(answer.sent_at.astimezone(OSLO))
    message["Message-ID"] = f"<{uuid.uuid4().hex}@{domain}>"


def _part() -> EmailMessage:
    return EmailMessage(policy=SMTP)


def _bare(part: EmailMessage) -> EmailMessage:
    """A body part: set_content adds MIME-Version, which only the top level carries."""
    del part["MIME-Version"]
    return part


def _text(text: str, subtype: str = "plain", cte: str = "quoted-printable") -> EmailMessage:
    part = _part()
    part.set_content(text, subtype=subtype, charset="utf-8", cte=cte)
    return _bare(part)


def _calendar(text: str, cte: str, **params: str) -> EmailMessage:
    part = _part()
    part.set_content(text, subtype="calendar", charset="utf-8", cte=cte, params=params)
    return _bare(part)


def _ics_attachment(text: str, subtype: str = "ics", maintype: str = "application") -> EmailMessage:
    part = _part()
    part.set_content(
        text.encode(),
        maintype=maintype,
        subtype=subtype,
        cte="base64",
        disposition="attachment",
        filename="invite.ics",
        params={"name": "invite.ics"},
    )
    return _bare(part)


def _multipart(subtype: str, *parts: EmailMessage) -> EmailMessage:
    message = _part()
    message["Content-Type"] = f"multipart/{subtype}"
    for part in parts:
        message.attach(part)
    return message


def _domain(address: str) -> str:
    return address.rpartition("@")[2] or "example.org"


# The four clients ---------------------------------------------------------------------------


def outlook(answer: Answer) -> EmailMessage:
    inv, words = answer.invitation, OUTLOOK_SUBJECTS[answer.language]
    language = "nb-NO" if answer.language == "nb" else "en-US"
    subject = f"{words[answer.partstat]}: {inv.summary}"
    calendar = ics(
        "BEGIN:VCALENDAR",
        "PRODID:Microsoft Exchange Server 2010",
        "VERSION:2.0",
        *OUTLOOK_TIMEZONE,
        "BEGIN:VEVENT",
        f"ATTENDEE;PARTSTAT={answer.partstat};CN={answer.name}:mailto:{answer.attendee}",
        f"SUMMARY;LANGUAGE={language}:{subject}",
        f"DTSTART;TZID=W. Europe Standard Time:{local(inv.start)}",
        f"DTEND;TZID=W. Europe Standard Time:{local(inv.end)}",
        f"UID:{inv.uid}",
        "CLASS:PUBLIC",
        "PRIORITY:5",
        f"DTSTAMP:{stamp(answer.sent_at)}",
        "TRANSP:OPAQUE",
        "STATUS:CONFIRMED",
        f"SEQUENCE:{inv.sequence}",
        f"X-MICROSOFT-CDO-APPT-SEQUENCE:{inv.sequence}",
        "X-MICROSOFT-CDO-OWNERAPPTID:2120738915",
        "X-MICROSOFT-CDO-BUSYSTATUS:BUSY",
        "X-MICROSOFT-CDO-INTENDEDSTATUS:BUSY",
        "X-MICROSOFT-CDO-ALLDAYEVENT:FALSE",
        "X-MICROSOFT-CDO-IMPORTANCE:1",
        "X-MICROSOFT-CDO-INSTTYPE:0",
        "X-MICROSOFT-DISALLOW-COUNTER:FALSE",
        "END:VEVENT",
        "END:VCALENDAR",
    )
    message = _multipart(
        "alternative",
        _text("\r\n", cte="base64"),
        _calendar(calendar, "base64", method="REPLY"),
    )
    _headers(message, answer, subject, "EUR05.prod.outlook.example")
    message["Thread-Topic"] = inv.summary
    message["Accept-Language"] = f"{language}, en-US"
    message["Content-Language"] = language
    message["X-MS-Has-Attach"] = ""
    message["X-MS-TNEF-Correlator"] = ""
    return message


def gmail(answer: Answer) -> EmailMessage:
    inv = answer.invitation
    when = inv.start.astimezone(OSLO)
    title = f"{inv.summary} @ {when:%a %b %d, %Y %H:%M} (CET) ({inv.organizer})"
    subject = f"{ENGLISH[answer.partstat].capitalize()}: {title}"
    calendar = ics(
        "BEGIN:VCALENDAR",
        "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:REPLY",
        "BEGIN:VEVENT",
        f"DTSTART:{stamp(inv.start)}",
        f"DTEND:{stamp(inv.end)}",
        f"DTSTAMP:{stamp(answer.sent_at)}",
        f"ORGANIZER;CN={inv.organizer_name}:mailto:{answer.to}",
        f"UID:{inv.uid}",
        "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;"
        f"PARTSTAT={answer.partstat};CN={answer.attendee};X-NUM-GUESTS=0:mailto:{answer.attendee}",
        f"CREATED:{stamp(answer.sent_at - dt.timedelta(minutes=5))}",
        f"LAST-MODIFIED:{stamp(answer.sent_at)}",
        f"SEQUENCE:{inv.sequence}",
        "STATUS:CONFIRMED",
        f"SUMMARY:{inv.summary}",
        "TRANSP:OPAQUE",
        "END:VEVENT",
        "END:VCALENDAR",
    )
    body = f"{answer.name} has {ENGLISH[answer.partstat]} this invitation."
    message = _multipart(
        "mixed",
        _multipart(
            "alternative",
            _text(body, cte="base64"),
            _text(f"<span>{body}</span>", subtype="html"),
            _calendar(calendar, "7bit" if calendar.isascii() else "base64", method="REPLY"),
        ),
        _ics_attachment(calendar),
    )
    _headers(message, answer, subject, "google.example")
    message["Delivered-To"] = answer.to
    return message


def apple(answer: Answer) -> EmailMessage:
    inv = answer.invitation
    calendar = ics(
        "BEGIN:VCALENDAR",
        "METHOD:REPLY",
        "VERSION:2.0",
        "PRODID:-//Apple Inc.//macOS 14.4.1//EN",
        "BEGIN:VEVENT",
        f'ATTENDEE;CN="{answer.name}";CUTYPE=INDIVIDUAL;EMAIL="{answer.attendee}";'
        f"PARTSTAT={answer.partstat}:mailto:{answer.attendee}",
        f"DTEND;TZID=Europe/Oslo:{local(inv.end)}",
        f"DTSTAMP:{stamp(answer.sent_at)}",
        f"DTSTART;TZID=Europe/Oslo:{local(inv.start)}",
        f"ORGANIZER;CN={inv.organizer_name}:mailto:{answer.to}",
        "REQUEST-STATUS:2.0;Success",
        f"SEQUENCE:{inv.sequence}",
        f"SUMMARY:{inv.summary}",
        f"UID:{inv.uid}",
        "END:VEVENT",
        "END:VCALENDAR",
    )
    message = _calendar(calendar, "quoted-printable", method="REPLY", name="iCal-reply.ics")
    words = {"ACCEPTED": "Godtatt", "DECLINED": "Avslått", "TENTATIVE": "Foreløpig godtatt"}
    _headers(message, answer, f"{words[answer.partstat]}: {inv.summary}", "icloud.example")
    message["X-Mailer"] = "Apple Mail (2.3774.500.171.1.1)"
    message["X-Apple-Mail-Remote-Attachments"] = "NO"
    message["X-Apple-Calendar-Reply"] = "yes"
    message["X-Universally-Unique-Identifier"] = str(uuid.uuid4()).upper()
    return message


def thunderbird(answer: Answer) -> EmailMessage:
    inv = answer.invitation
    calendar = ics(
        "BEGIN:VCALENDAR",
        "PRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN",
        "VERSION:2.0",
        "METHOD:REPLY",
        *OSLO_TIMEZONE,
        "BEGIN:VEVENT",
        f"CREATED:{stamp(answer.sent_at - dt.timedelta(minutes=1))}",
        f"LAST-MODIFIED:{stamp(answer.sent_at)}",
        f"DTSTAMP:{stamp(answer.sent_at)}",
        f"UID:{inv.uid}",
        f"SUMMARY:{inv.summary}",
        f"ORGANIZER;CN={inv.organizer_name}:mailto:{answer.to}",
        f"ATTENDEE;RSVP=TRUE;PARTSTAT={answer.partstat};ROLE=REQ-PARTICIPANT;"
        f"CN={answer.name}:mailto:{answer.attendee}",
        f"DTSTART;TZID=Europe/Oslo:{local(inv.start)}",
        f"DTEND;TZID=Europe/Oslo:{local(inv.end)}",
        f"SEQUENCE:{inv.sequence}",
        "X-MOZ-SEND-INVITATIONS:TRUE",
        "END:VEVENT",
        "END:VCALENDAR",
    )
    words = {"ACCEPTED": "Accepted", "DECLINED": "Declined", "TENTATIVE": "Tentative"}
    body = f"{answer.name} has {ENGLISH[answer.partstat]} your event invitation."
    message = _multipart(
        "mixed",
        _multipart(
            "alternative", _text(body, cte="7bit"), _calendar(calendar, "8bit", method="REPLY")
        ),
        _ics_attachment(calendar),
    )
    _headers(message, answer, f"{words[answer.partstat]}: {inv.summary}", "posteo.example")
    message["User-Agent"] = "Mozilla Thunderbird"
    return message


CLIENTS: dict[str, Callable[[Answer], EmailMessage]] = {
    "outlook": outlook,
    "gmail": gmail,
    "apple": apple,
    "thunderbird": thunderbird,
}


def reply(
    client: str,
    invitation: SentInvitation,
    partstat: str = "ACCEPTED",
    *,
    to: str | None = None,
    attendee: str | None = None,
    name: str | None = None,
    language: str = "nb",
    sent_at: dt.datetime | None = None,
) -> bytes:
    """The REPLY `client` sends when the invited person clicks Accept/Decline/Maybe.
    `to` (another token's address) or `attendee` (someone else) forge one."""
    answer = Answer(
        invitation=invitation,
        partstat=partstat,
        to=to or invitation.organizer,
        attendee=attendee or invitation.attendee,
        name=name or (invitation.attendee_name if attendee is None else "Noen Andre"),
        language=language,
        sent_at=sent_at or dt.datetime.now(dt.UTC),
    )
    return _serialise(CLIENTS[client](answer))


CONTENT_HEADERS = (b"mime-version:", b"content-type:", b"content-transfer-encoding:")


def _serialise(message: EmailMessage) -> bytes:
    """The bytes, with the MIME headers after the others, as mail clients write them."""
    raw = message.as_bytes(policy=SMTP)
    head, body = raw.split(b"\r\n\r\n", 1)
    fields: list[list[bytes]] = []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1].append(line)
        else:
            fields.append([line])
    content = [f for f in fields if f[0].lower().startswith(CONTENT_HEADERS)]
    ordered = [f for f in fields if f not in content] + content
    if not any(f[0].lower().startswith(b"mime-version:") for f in content):
        ordered.insert(len(ordered) - len(content), [b"MIME-Version: 1.0"])
    return b"\r\n".join(b"\r\n".join(f) for f in ordered) + b"\r\n\r\n" + body


# What mail servers and people send back ---------------------------------------------------


def dsn(invitation: SentInvitation, status: str = "5.1.1") -> bytes:
    """RFC 3464: the recipient's server refused the address; the report goes to MAIL FROM."""
    now = dt.datetime.now(dt.UTC)
    dead = invitation.attendee
    mta = "mx." + _domain(invitation.envelope_sender)
    boundary = "dsn-" + uuid.uuid4().hex[:12]
    lines = [
        "Return-Path: <>",
        f"Delivered-To: {invitation.envelope_sender}",
        f"From: Mail Delivery System <MAILER-DAEMON@{mta}>",
        f"To: {invitation.envelope_sender}",
        "Subject: Undelivered Mail Returned to Sender",
        f"Date: {format_datetime(now)}",
        f"Message-ID: <{uuid.uuid4().hex}.DSN@{mta}>",
        "Auto-Submitted: auto-replied",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"',
        "",
        f"--{boundary}",
        "Content-Type: text/plain; charset=us-ascii",
        "",
        "I'm sorry to have to inform you that your message could not",
        "be delivered to one or more recipients.",
        "",
        f"<{dead}>: host mx.{_domain(dead)} said: 550 {status} <{dead}>:",
        "    Recipient address rejected: User unknown in virtual mailbox table",
        "",
        f"--{boundary}",
        "Content-Type: message/delivery-status",
        "",
        f"Reporting-MTA: dns; {mta}",
        f"X-Postfix-Queue-ID: {uuid.uuid4().hex[:10].upper()}",
        f"X-Postfix-Sender: rfc822; {invitation.envelope_sender}",
        f"Arrival-Date: {format_datetime(now)}",
        "",
        f"Final-Recipient: rfc822; {dead}",
        f"Original-Recipient: rfc822;{dead}",
        "Action: failed",
        f"Status: {status}",
        f"Remote-MTA: dns; mx.{_domain(dead)}",
        f"Diagnostic-Code: smtp; 550 {status} <{dead}>: Recipient address rejected:",
        "    User unknown in virtual mailbox table",
        "",
        f"--{boundary}",
        "Content-Type: text/rfc822-headers",
        "",
    ]
    head = "\r\n".join(lines).encode() + b"\r\n" + invitation.headers + b"\r\n\r\n"
    return head + f"--{boundary}--\r\n".encode()


def exchange_ndr(invitation: SentInvitation) -> bytes:
    """Exchange Online's "Ikke levert:" (nb): HTML only, the original attached whole."""
    dead = invitation.attendee
    server = "HE1PR0101MB2345.eurprd01.prod.exchangelabs.example"
    html = (
        f"<html><body><p>Meldingen din til <b>{dead}</b> kunne ikke leveres.</p>"
        "<p>Mottakeren ble ikke funnet.</p><p>Diagnostisk informasjon for administratorer:</p>"
        f"<p>Genererer server: {server}</p><p>{dead}<br>Remote Server returned '550 5.1.10 "
        "RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'</p>"
        "</body></html>"
    )
    boundary = "ndr-" + uuid.uuid4().hex[:12]
    encoded = base64.encodebytes(html.encode()).decode().replace("\n", "\r\n")
    lines = [
        f"From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@{_domain(dead)}>",
        f"To: <{invitation.envelope_sender}>",
        f"Subject: Ikke levert: {invitation.subject}",
        f"Date: {format_datetime(dt.datetime.now(dt.UTC))}",
        f"Message-ID: <{uuid.uuid4()}@{server}>",
        "Content-Language: nb-NO",
        "X-MS-Exchange-Message-Is-Ndr:",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/mixed; boundary="{boundary}"',
        "",
        f"--{boundary}",
        'Content-Type: text/html; charset="utf-8"',
        "Content-Transfer-Encoding: base64",
        "",
        encoded,
        f"--{boundary}",
        "Content-Type: message/rfc822",
        "",
        "",
    ]
    original = invitation.raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n").rstrip(b"\r\n")
    return "\r\n".join(lines).encode() + original + f"\r\n\r\n--{boundary}--\r\n".encode()


def out_of_office(invitation: SentInvitation, sender: str | None = None) -> bytes:
    """Exchange's out-of-office answer, in Norwegian, to the envelope sender (RFC 3834)."""
    person = sender or formataddr((invitation.attendee_name, invitation.attendee))
    message = _text(
        "Jeg er på ferie til 8. mars og leser ikke e-post. Ved hastesaker, kontakt sentralbordet.\n",
        cte="base64",
    )
    message["From"] = person
    message["To"] = invitation.envelope_sender
    message["Subject"] = f"Automatisk svar: {invitation.subject}"
    message["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    message["Message-ID"] = f"<{uuid.uuid4().hex}OOF@{_domain(parseaddr(person)[1])}>"
    message["In-Reply-To"] = invitation.message_id
    message["References"] = invitation.message_id
    message["Auto-Submitted"] = "auto-replied"
    message["X-Auto-Response-Suppress"] = "All"
    message["Content-Language"] = "nb-NO"
    return _serialise(message)
