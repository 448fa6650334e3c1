"""Finished messages as an app would hand them to worker.services.queue_messages."""

from worker.services import Attachment, Message, References

CALENDAR = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Partnerskap//NO\r\nMETHOD:{method}\r\n"
    "BEGIN:VEVENT\r\nUID:event-42@partnerskap.test\r\nSEQUENCE:0\r\n"
    "DTSTART;TZID=Europe/Oslo:20270115T090000\r\nDTEND;TZID=Europe/Oslo:20270115T150000\r\n"
    "SUMMARY:Partnerskapskonferansen 2027 – Skien\r\n"
    "ORGANIZER:mailto:partnerskap@localhost\r\n"
    "ATTENDEE;RSVP=TRUE:mailto:{email}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 20


def confirmation(
    i: int = 0,
    *,
    email: str | None = None,
    calendar: bool = True,
    method: str = "REQUEST",
    qr: bool = False,
    **overrides,
) -> Message:
    email = email or f"deltaker{i}@example.org"
    fields: dict = {
        "to_email": email,
        "to_name": f"Åse Ødegård {i}",
        "subject": f"Påmelding bekreftet: Partnerskapskonferansen ({i})",
        "text_body": f"Hei Åse,\n\ndu er påmeldt. Nummer {i}.\n\nHilsen arrangøren\n",
        "html_body": f"<p>Hei Åse,</p><p>du er <strong>påmeldt</strong>. Nummer {i}.</p>",
        "reply_to": "Arrangør <arrangor@vtfk.example>",
        "calendar": CALENDAR.format(method=method, email=email) if calendar else "",
        "calendar_method": method if calendar else "",
        "attachments": [Attachment("qr.png", "image/png", PNG)] if qr else [],
        "language": "nb",
        "kind": "registration_confirmed",
        "refs": References(event=42, registration=1000 + i, person=2000 + i),
    }
    fields.update(overrides)
    return Message(**fields)
