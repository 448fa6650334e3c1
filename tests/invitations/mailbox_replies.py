"""Answers as they come back to the mailbox, built from what we actually sent.

`calendar_reply` turns the REQUEST of an outbox row (OutgoingMessage.calendar) into the REPLY
each client sends (the shapes of tests/worker/inbound_samples): Outlook/Exchange (no ORGANIZER,
the answer as PARTSTAT in the ATTENDEE, method=REPLY only on the MIME part, Windows time zone
names, base64), Gmail (UTC times, the calendar inline and again as invite.ics), Apple Calendar
(the .ics as a quoted-printable attachment, REQUEST-STATUS) and Thunderbird (8bit inline and
invite.ics). `dsn`, `out_of_office` and `person_writes` build the other kinds. Each returns the
bytes a mailbox would hold.
"""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress
from icalendar.prop import vText

OSLO = ZoneInfo("Europe/Oslo")
CLIENTS = ("outlook", "gmail", "apple", "thunderbird")
SUBJECT = {
    "nb": {"ACCEPTED": "Godtatt", "DECLINED": "Avslått", "TENTATIVE": "Foreløpig godtatt"},
    "en": {"ACCEPTED": "Accepted", "DECLINED": "Declined", "TENTATIVE": "Tentatively accepted"},
}
SAID = {
    "nb": {"ACCEPTED": "kommer", "DECLINED": "kommer ikke", "TENTATIVE": "kommer kanskje"},
    "en": {"ACCEPTED": "will attend", "DECLINED": "will not attend", "TENTATIVE": "may attend"},
}
# Outlook's own definition of the zone it names by its Windows name.
WINDOWS_ZONE = (
    "BEGIN:VTIMEZONE\r\nTZID:W. Europe Standard Time\r\n"
    "BEGIN:STANDARD\r\nDTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"
    "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\n"
    "BEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"
    "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
)
PRODID = {
    "outlook": "Microsoft Exchange Server 2010",
    "gmail": "-//Google Inc//Google Calendar 70.9054//EN",
    "apple": "-//Apple Inc.//macOS 14.4.1//EN",
    "thunderbird": "-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN",
}


def request_of(calendar_text: str) -> tuple[Event, str]:
    """The VEVENT of a REQUEST we sent, and the ORGANIZER address it asks answers to."""
    vevent = Calendar.from_ical(calendar_text).walk("VEVENT")[0]
    return vevent, str(vevent["ORGANIZER"]).removeprefix("mailto:")


def calendar_reply(
    request_calendar: str,
    *,
    client: str,
    partstat: str,
    language: str = "nb",
    attendee: str | None = None,
    sender: str | None = None,
    to: str | None = None,
    uid: str | None = None,
    sequence: int | None = None,
    dtstamp: dt.datetime | None = None,
    method: str = "REPLY",
    proposed_start: dt.datetime | None = None,
) -> bytes:
    """The REPLY (or COUNTER) `client` sends when its user answers the REQUEST. By default the
    invited attendee answers from their own address, to the ORGANIZER of the REQUEST."""
    request, organizer = request_of(request_calendar)
    invited = str(request["ATTENDEE"]).removeprefix("mailto:")
    name = str(request["ATTENDEE"].params.get("CN", invited))
    attendee = attendee or invited
    sender = sender or attendee
    to = to or organizer
    title = str(request["SUMMARY"])
    stamp = dtstamp or dt.datetime.now(dt.UTC).replace(microsecond=0)

    calendar = Calendar()
    calendar.add("PRODID", PRODID[client])
    calendar.add("VERSION", "2.0")
    if client != "outlook":  # Outlook names the method only on the MIME part
        calendar.add("METHOD", method)
    event = Event()
    who = vCalAddress("mailto:" + attendee)
    who.params["PARTSTAT"] = partstat
    who.params["CN"] = vText(name)
    if client == "apple":
        who.params["EMAIL"] = vText(attendee)
    event.add("ATTENDEE", who)
    if client != "outlook":  # Outlook often leaves the ORGANIZER out of a REPLY
        event.add("ORGANIZER", vCalAddress("mailto:" + organizer))
    event.add("UID", uid or str(request["UID"]))
    event.add("SEQUENCE", int(request.get("SEQUENCE", 0)) if sequence is None else sequence)
    event.add("DTSTAMP", stamp)
    start, end = request.decoded("DTSTART"), request.decoded("DTEND")
    if proposed_start is not None:
        start, end = proposed_start, proposed_start + (end - start)
    if client == "gmail":
        start, end = start.astimezone(dt.UTC), end.astimezone(dt.UTC)
    if client == "outlook":  # Windows' name for the zone, local times
        windows = {"TZID": "W. Europe Standard Time"}
        start, end = start.astimezone(OSLO), end.astimezone(OSLO)
        event.add("DTSTART", start.replace(tzinfo=None), parameters=windows)
        event.add("DTEND", end.replace(tzinfo=None), parameters=windows)
    else:
        event.add("DTSTART", start)
        event.add("DTEND", end)
    summary = title if client != "outlook" else "%s: %s" % (SUBJECT[language][partstat], title)
    event.add("SUMMARY", summary)
    if client == "apple":
        event.add("REQUEST-STATUS", "2.0;Success")
    if client == "outlook":
        event.add("COMMENT", SAID[language][partstat])
    calendar.add_component(event)
    ics = calendar.to_ical().decode()
    if client == "outlook":
        ics = ics.replace("BEGIN:VEVENT", WINDOWS_ZONE + "BEGIN:VEVENT", 1)

    message = EmailMessage()
    message["From"] = "%s <%s>" % (name, sender)
    message["To"] = "Partnerskap <%s>" % to
    if client == "gmail":
        message["Delivered-To"] = to
    message["Subject"] = "%s: %s" % (SUBJECT[language][partstat], title)
    message["Date"] = format_datetime(stamp)
    message["Message-ID"] = make_msgid(domain="%s.example" % client)
    text = "%s %s." % (name, SAID[language][partstat])
    kind = "COUNTER" if method == "COUNTER" else "REPLY"
    if client == "outlook":
        message.set_content(text)
        message.add_alternative(
            ics, subtype="calendar", params={"method": kind}, cte="base64", charset="utf-8"
        )
    elif client == "apple":
        message.set_content(text, cte="quoted-printable")
        message.add_attachment(
            ics,
            subtype="calendar",
            filename="iCal-%s.ics" % stamp.strftime("%Y%m%d-%H%M%S"),
            params={"method": kind},
            cte="quoted-printable",
        )
    else:  # Gmail and Thunderbird: inline in the alternative, and again as invite.ics
        message.set_content(text)
        if client == "gmail":
            message.add_alternative("<span>%s</span>" % text, subtype="html")
        message.add_alternative(ics, subtype="calendar", params={"method": kind})
        message.make_mixed()
        message.add_attachment(
            ics.encode(), maintype="application", subtype="ics", filename="invite.ics"
        )
    return bytes(message)


def dsn(*, to: str, recipient: str, original_message_id: str, status: str = "5.1.1") -> bytes:
    """An RFC 3464 delivery status notification for a message we sent."""
    action = "failed" if status.startswith("5") else "delayed"
    text = (
        "Return-Path: <>\r\n"
        "Delivered-To: %(to)s\r\n"
        "From: Mail Delivery System <MAILER-DAEMON@mx.vtfk.example>\r\n"
        "To: %(to)s\r\n"
        "Subject: Delivery Status Notification (Failure)\r\n"
        "Date: Mon, 1 Mar 2027 08:00:05 +0000\r\n"
        "Message-ID: %(id)s\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="dsn1"\r\n\r\n'
        "--dsn1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        "Your message could not be delivered to one or more recipients.\r\n\r\n"
        "--dsn1\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.vtfk.example\r\n\r\n"
        "Final-Recipient: rfc822; %(recipient)s\r\n"
        "Action: %(action)s\r\n"
        "Status: %(status)s\r\n"
        "Diagnostic-Code: smtp; 550 %(status)s <%(recipient)s>: User unknown\r\n\r\n"
        "--dsn1\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        "From: Partnerskap <partnerskap@vtfk.example>\r\n"
        "To: %(recipient)s\r\n"
        "Subject: Invitasjon\r\n"
        "Message-ID: %(original)s\r\n\r\n"
        "--dsn1--\r\n"
    ) % {
        "to": to,
        "id": make_msgid(domain="mx.vtfk.example"),
        "recipient": recipient,
        "action": action,
        "status": status,
        "original": original_message_id,
    }
    return text.encode()


def out_of_office(*, sender: str, to: str, language: str = "nb") -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = "Automatisk svar: Invitasjon" if language == "nb" else "Out of Office"
    message["Message-ID"] = make_msgid(domain="ooo.example")
    message["Auto-Submitted"] = "auto-replied"
    message.set_content(
        "Jeg er på ferie og leser ikke e-post." if language == "nb" else "I am on holiday."
    )
    return bytes(message)


def person_writes(*, sender: str, to: str, text: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = "Sv: Invitasjon"
    message["Message-ID"] = make_msgid(domain="person.example")
    message.set_content(text)
    return bytes(message)
