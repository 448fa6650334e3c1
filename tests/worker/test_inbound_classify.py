"""worker.inbound: one inbound message classified from samples written as the clients send them."""

import datetime as dt
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest

from worker.inbound import Kind, classify, reply_address, token_from_address

SAMPLES = Path(__file__).parent / "inbound_samples"
MAILBOX = "partnerskap@vtfk.example"
TOKEN = "q7Xr2mN9vL4kP1sT8wZc"
UID = "e42-partnerskapskonferansen@vtfk.example"
ORIGINAL_ID = "<3f2a9c1e7b6d4e5f8a0b1c2d3e4f5a6b@vtfk.example>"


def load(name: str) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes((SAMPLES / name).read_bytes())
    assert isinstance(message, EmailMessage)
    return message


def sample(name: str):
    return classify(load(name), mailbox=MAILBOX)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


# Calendar answers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "attendee", "partstat", "sequence", "dtstamp", "organizer"),
    [
        # Outlook/Exchange: no ORGANIZER, base64, "Godtatt:", multipart/alternative.
        (
            "outlook_reply_accepted_nb.eml",
            "kari.nordmann@telemark.example",
            "ACCEPTED",
            2,
            utc(2027, 3, 1, 10, 15, 12),
            None,
        ),
        # Outlook: top-level text/calendar, quoted-printable, English.
        (
            "outlook_reply_tentative_en.eml",
            "per.hansen@kommune.example",
            "TENTATIVE",
            3,
            utc(2027, 3, 1, 10, 15, 12),
            None,
        ),
        # Gmail: mixed -> alternative(plain, html, calendar) + invite.ics, folded ATTENDEE.
        (
            "gmail_reply_declined_en.eml",
            "ola.nordmann@gmail.example",
            "DECLINED",
            2,
            utc(2027, 3, 3, 12, 15, 1),
            f"partnerskap+{TOKEN}@vtfk.example",
        ),
        # Apple: the calendar is a named attachment (method=REPLY), quoted-printable, PARTSTAT folded.
        (
            "apple_reply_tentative_nb.eml",
            "ingrid.berg@icloud.example",
            "TENTATIVE",
            2,
            utc(2027, 3, 4, 7, 30, 12),
            f"partnerskap+{TOKEN}@vtfk.example",
        ),
        # Thunderbird: mixed -> alternative(plain, calendar 8bit) + invite.ics, VTIMEZONE.
        (
            "thunderbird_reply_accepted_en.eml",
            "liv.dahl@posteo.example",
            "ACCEPTED",
            2,
            utc(2027, 3, 5, 10, 10, 33),
            f"partnerskap+{TOKEN}@vtfk.example",
        ),
        # Only an application/octet-stream reply.ics; METHOD:REPLY only in the VCALENDAR.
        (
            "attachment_only_reply_declined.eml",
            "nils@firma.example",
            "DECLINED",
            2,
            utc(2027, 3, 6, 9, 15),
            f"partnerskap+{TOKEN}@vtfk.example",
        ),
        # method=REPLY only on the MIME Content-Type; the VCALENDAR has no METHOD.
        (
            "mime_method_only_reply.eml",
            "siri.lie@bedrift.example",
            "ACCEPTED",
            2,
            utc(2027, 3, 7, 12, 0),
            None,
        ),
    ],
)
def test_a_calendar_reply_gives_what_the_handler_matches_on(
    name, attendee, partstat, sequence, dtstamp, organizer
):
    found = sample(name)
    assert found.kind == Kind.CALENDAR_REPLY, found.reason
    assert found.token == TOKEN
    assert found.message_id
    assert found.calendar is not None
    assert found.calendar.method == "REPLY"
    assert found.calendar.uid == UID
    assert found.calendar.attendee == attendee
    assert found.calendar.partstat == partstat
    assert found.calendar.sequence == sequence
    assert found.calendar.dtstamp == dtstamp
    assert found.calendar.organizer == organizer
    assert found.bounce is None


def test_the_organizer_keeps_the_token_as_written():
    found = sample("gmail_reply_declined_en.eml")
    assert found.calendar is not None and found.calendar.organizer is not None
    assert token_from_address(found.calendar.organizer, MAILBOX) == TOKEN


def test_outlook_and_webmail_comments_are_kept():
    assert sample("outlook_reply_accepted_nb.eml").calendar.comment == "Vi sees!"
    assert (
        sample("attachment_only_reply_declined.eml").calendar.comment
        == "Beklager, jeg er bortreist."
    )


def test_a_counter_carries_the_proposed_time():
    found = sample("outlook_counter_nb.eml")
    assert found.kind == Kind.CALENDAR_COUNTER
    assert found.token == TOKEN
    answer = found.calendar
    assert answer is not None
    assert (answer.method, answer.uid, answer.sequence) == ("COUNTER", UID, 2)
    assert answer.attendee == "kari.nordmann@telemark.example"
    assert answer.comment == "Kan vi starte en time senere?"
    # 10:00 and 16:30 in W. Europe Standard Time (winter, +01:00).
    assert answer.proposed_start == utc(2027, 3, 15, 9, 0)
    assert answer.proposed_end == utc(2027, 3, 15, 15, 30)


def test_a_forwarded_invitation_is_a_person_writing_not_an_answer():
    found = sample("forwarded_request.eml")
    assert found.kind == Kind.HUMAN
    assert found.calendar is None
    assert found.excerpt == "Sender denne videre til en kollega, se vedlagt."


def reply_message(ics: bytes, charset: str = "utf-8") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "kari.nordmann@telemark.example"
    message["To"] = f"partnerskap+{TOKEN}@vtfk.example"
    message["Subject"] = "Accepted: Partnerskapskonferansen 2027"
    message["Message-ID"] = "<built@example.org>"
    message.set_content(ics, maintype="text", subtype="calendar", params={"method": "REPLY"})
    message.set_param("charset", charset)
    return message


REPLY_ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n"
    f"UID:{UID}\r\nDTSTAMP:20270301T101512Z\r\n"
    "ATTENDEE;PARTSTAT=ACCEPTED;CN=Kåre:mailto:kare@telemark.example\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


@pytest.mark.parametrize(
    ("payload", "charset"),
    [
        (REPLY_ICS.encode("utf-16"), "utf-16"),  # with a byte-order mark
        (b"\xef\xbb\xbf" + REPLY_ICS.encode(), "utf-8"),  # UTF-8 with a BOM
        (REPLY_ICS.encode("utf-8"), "x-unknown-charset"),
    ],
)
def test_a_calendar_in_another_encoding_is_read(payload, charset):
    found = classify(reply_message(payload, charset), mailbox=MAILBOX)
    assert found.kind == Kind.CALENDAR_REPLY, found.reason
    assert found.calendar.attendee == "kare@telemark.example"
    assert found.calendar.sequence == 0  # no SEQUENCE: 0 (RFC 5545)


def test_a_reply_without_attendee_is_unreadable():
    ics = REPLY_ICS.replace(
        "ATTENDEE;PARTSTAT=ACCEPTED;CN=Kåre:mailto:kare@telemark.example\r\n", ""
    )
    found = classify(reply_message(ics.encode()), mailbox=MAILBOX)
    assert found.kind == Kind.UNREADABLE
    assert "ATTENDEE" in found.reason


# Bounces ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind", "status", "recipient", "diagnostic", "original", "token"),
    [
        (
            "dsn_5_1_1.eml",
            Kind.BOUNCE,
            "5.1.1",
            "gammel.adresse@nedlagt.example",
            "550 5.1.1 <gammel.adresse@nedlagt.example>: Recipient address rejected: User unknown",
            ORIGINAL_ID,
            TOKEN,
        ),
        (
            "dsn_4_4_1_delay.eml",
            Kind.DELAY,
            "4.4.1",
            "treg@sakte.example",
            "connect to mx.sakte.example[192.0.2.25]:25: Connection timed out",
            "<7d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a@vtfk.example>",
            TOKEN,  # from X-Original-To; Delivered-To is the bare mailbox
        ),
        (
            "postfix_bounce.eml",
            Kind.BOUNCE,
            "5.1.1",
            "gammel.adresse@nedlagt.example",
            "550 5.1.1 <gammel.adresse@nedlagt.example>: Recipient address rejected: "
            "User unknown in virtual mailbox table",
            ORIGINAL_ID,
            TOKEN,
        ),
        (
            "gmail_bounce.eml",
            Kind.BOUNCE,
            "5.1.1",
            "ukjent.person@gmail.example",
            "550-5.1.1 The email account that you tried to reach does not exist. "
            "https://support.google.com/mail/?p=NoSuchUser",
            ORIGINAL_ID,
            TOKEN,
        ),
        (
            "exchange_ikke_levert_nb.eml",
            Kind.BOUNCE,
            "5.1.10",
            "gammel.adresse@nedlagt.example",
            "Remote Server returned '550 5.1.10 "
            "RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'",
            ORIGINAL_ID,
            TOKEN,
        ),
        (
            "qmail_failure_notice.eml",
            Kind.BOUNCE,
            "5.1.1",
            "borte@gamle.example",
            "Sorry, no mailbox here by that name. (#5.1.1)",
            "<aa11bb22cc33dd44ee55ff66aa77bb88@vtfk.example>",
            None,  # sent to the bare mailbox: matched by the returned Message-ID
        ),
    ],
)
def test_a_bounce_gives_status_recipient_diagnostic_and_the_original(
    name, kind, status, recipient, diagnostic, original, token
):
    found = sample(name)
    assert found.kind == kind, found.reason
    assert found.token == token
    bounce = found.bounce
    assert bounce is not None
    assert bounce.permanent is (kind == Kind.BOUNCE)
    assert bounce.status == status
    assert bounce.recipient == recipient
    assert bounce.diagnostic == diagnostic
    assert bounce.original_message_id == original
    assert found.calendar is None  # the returned invitation's REQUEST is not an answer


def test_rfc3464_reports_name_their_action():
    assert sample("dsn_5_1_1.eml").bounce.action == "failed"
    assert sample("dsn_4_4_1_delay.eml").bounce.action == "delayed"
    assert sample("exchange_ikke_levert_nb.eml").bounce.action == ""


def test_a_success_report_is_no_bounce():
    text = (SAMPLES / "dsn_5_1_1.eml").read_bytes()
    text = text.replace(b"Action: failed", b"Action: delivered").replace(b"5.1.1", b"2.0.0")
    found = classify(BytesParser(policy=policy.default).parsebytes(text), mailbox=MAILBOX)
    assert found.kind == Kind.AUTO_REPLY
    assert found.bounce is None


def test_a_person_writing_from_postmaster_is_no_bounce():
    message = EmailMessage()
    message["From"] = "postmaster@kommune.example"
    message["Subject"] = "Kan dere sende invitasjonen til en annen adresse?"
    message["Message-ID"] = "<pm@kommune.example>"
    message.set_content("Hei, vi har fått ny postmottaksadresse.")
    assert classify(message).kind == Kind.HUMAN


# Auto-replies and people -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason", "excerpt"),
    [
        (
            "ooo_exchange_automatisk_svar_nb.eml",
            "Auto-Submitted: auto-generated",
            "Jeg er på ferie til 8. mars",
        ),
        ("ooo_gmail_vacation_en.eml", "Auto-Submitted: auto-replied", "I am away until Monday"),
        ("autosvar_precedence_nb.eml", "X-Autorespond", "Takk for din e-post."),
        ("fravaersmelding_subject_only_nb.eml", "subject: Fraværsmelding", "Jeg er tilbake"),
    ],
)
def test_an_auto_reply_is_recognised(name, reason, excerpt):
    found = sample(name)
    assert found.kind == Kind.AUTO_REPLY
    assert found.reason == reason
    assert found.excerpt.startswith(excerpt)
    assert found.token == TOKEN


@pytest.mark.parametrize(
    ("header", "value", "subject"),
    [
        ("Precedence", "bulk", "Hei"),
        ("Precedence", "junk", "Hei"),
        ("X-Autoreply", "yes", "Hei"),
        ("X-MS-Exchange-Inbox-Rules-Loop", "kari@example.org", "Hei"),
        ("X-Other", "1", "Automatic reply: Invitasjon"),
        ("X-Other", "1", "Out of Office: Invitasjon"),
        ("X-Other", "1", "Autosvar: Invitasjon"),
        ("X-Other", "1", "Automatisk svar: Invitasjon"),
    ],
)
def test_each_auto_reply_sign_is_enough(header, value, subject):
    message = EmailMessage()
    message["From"] = "kari@example.org"
    message["Subject"] = subject
    message[header] = value
    message.set_content("Borte.")
    assert classify(message).kind == Kind.AUTO_REPLY


def test_an_auto_reply_subject_counts_only_at_the_start():
    message = EmailMessage()
    message["From"] = "kari@example.org"
    message["Subject"] = "Re: Out of office next week?"
    message.set_content("Ja, jeg er borte da.")
    assert classify(message).kind == Kind.HUMAN


def test_a_person_writing_back_is_human_with_an_excerpt():
    found = sample("human_reply_nb.eml")  # says Auto-Submitted: no
    assert found.kind == Kind.HUMAN
    assert found.sender == "bjorn.as@lag.example"
    assert found.subject == "SV: Invitasjon: Partnerskapskonferansen 2027"
    assert found.token == TOKEN
    assert found.message_id == "<human-0001@lag.example>"
    assert found.excerpt == "Hei! Kan jeg ta med en kollega? Hun heter Åse. Hilsen Bjørn"


# Unreadable ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("garbage.eml", "no From, Subject or Message-ID"),
        ("broken_mime_no_boundary.eml", "broken MIME: NoBoundaryInMultipartDefect"),
        ("broken_calendar_reply.eml", "the REPLY part holds no readable VCALENDAR"),
    ],
)
def test_what_cannot_be_read_says_why(name, reason):
    found = sample(name)
    assert found.kind == Kind.UNREADABLE
    assert found.reason == reason


def test_a_calendar_that_does_not_parse_is_unreadable():
    found = classify(reply_message(b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n:::\r\n"), mailbox=MAILBOX)
    assert found.kind == Kind.UNREADABLE
    assert found.reason


def test_classify_never_raises():
    class Exploding(EmailMessage):
        def get(self, *args, **kwargs):
            raise RuntimeError("boom")

    found = classify(Exploding())
    assert found.kind == Kind.UNREADABLE
    assert "boom" in found.reason


def test_every_sample_is_classified_without_an_error():
    for path in sorted(SAMPLES.glob("*.eml")):
        assert classify(load(path.name), mailbox=MAILBOX).kind in set(Kind)


# Reply addresses -------------------------------------------------------------------------


def test_reply_address_and_back():
    address = reply_address(MAILBOX, TOKEN)
    assert address == f"partnerskap+{TOKEN}@vtfk.example"
    assert token_from_address(address, MAILBOX) == TOKEN
    assert token_from_address(f"Partnerskap <{address}>", MAILBOX) == TOKEN
    assert token_from_address(f"mailto:{address}", MAILBOX) == TOKEN
    assert token_from_address(f"PARTNERSKAP+{TOKEN}@VTFK.example", MAILBOX) == TOKEN


@pytest.mark.parametrize(
    "token", ["", "short", "x" * 15, "x" * 65, "has space in it..", "æøå" * 6, "a+b" * 6, "a.b" * 6]
)
def test_reply_address_refuses_a_bad_token(token):
    with pytest.raises(ValueError):
        reply_address(MAILBOX, token)


@pytest.mark.parametrize(
    "mailbox", ["", "no-at-sign", "partnerskap+x@vtfk.example", "@vtfk.example"]
)
def test_reply_address_refuses_a_bad_mailbox(mailbox):
    with pytest.raises(ValueError):
        reply_address(mailbox, TOKEN)


@pytest.mark.parametrize(
    "address",
    [
        MAILBOX,  # no token
        f"partnerskap+{TOKEN}@other.example",  # another domain
        f"other+{TOKEN}@vtfk.example",  # another mailbox
        f"partnerskap+{TOKEN}x@vtfk.example".replace("x", "!"),  # a character outside the set
        "partnerskap+short@vtfk.example",
        f"partnerskap+{'a' * 65}@vtfk.example",
        f"partnerskap+{TOKEN}+more@vtfk.example",
        f"partnerskap+{TOKEN}@vtfk.example.evil.example",
        "",
        "not an address",
    ],
)
def test_token_from_address_is_strict(address):
    assert token_from_address(address, MAILBOX) is None
