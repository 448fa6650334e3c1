"""The bytes the worker sends, parsed back with the email package."""

from email import message_from_bytes, policy

import pytest

from tests.factories import PNG, confirmation
from tests.integration.harness import attachments, mime_tree
from worker.mime import render_message
from worker.services import Attachment, queue_message

pytestmark = pytest.mark.django_db


def _lf(text: str) -> str:
    """Decoded MIME text keeps the wire's CRLF line ends; compare by lines."""
    return text.replace("\r\n", "\n")


def _parsed(row):
    return message_from_bytes(render_message(row), policy=policy.default)


def test_mime_with_calendar_and_qr_code_has_the_rule_7_tree():
    row = queue_message(message=confirmation(1, qr=True))
    message = _parsed(row)

    assert mime_tree(message) == (
        "multipart/mixed",
        ("multipart/alternative", "text/plain", "text/html", "text/calendar"),
        "application/ics",
        "image/png",
    )
    alternative = message.get_payload()[0]
    plain, html, calendar = alternative.get_payload()
    assert _lf(plain.get_content()) == row.text_body
    assert "<strong>påmeldt</strong>" in html.get_content()
    assert calendar["Content-Type"].params == {"method": "REQUEST", "charset": "UTF-8"}
    assert _lf(calendar.get_content()) == _lf(row.calendar)

    files = attachments(message)
    assert set(files) == {"invite.ics", "qr.png"}
    assert files["invite.ics"].get_content().decode("utf-8") == row.calendar
    assert files["invite.ics"].get_content_disposition() == "attachment"
    assert files["qr.png"].get_content() == PNG


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL", "PUBLISH"])
def test_mime_calendar_part_carries_the_method(method):
    row = queue_message(message=confirmation(1, method=method))
    calendar = _parsed(row).get_payload()[0].get_payload()[2]
    assert calendar.get_content_type() == "text/calendar"
    assert calendar.get_param("method") == method
    assert f"METHOD:{method}" in calendar.get_content()


def test_mime_without_calendar_or_attachments_is_just_the_alternative():
    row = queue_message(message=confirmation(1, calendar=False))
    assert mime_tree(_parsed(row)) == ("multipart/alternative", "text/plain", "text/html")


def test_mime_text_only_is_a_single_part():
    row = queue_message(message=confirmation(1, calendar=False, html_body=""))
    message = _parsed(row)
    assert mime_tree(message) == "text/plain"
    assert _lf(message.get_content()) == row.text_body


def test_mime_attachment_without_calendar_goes_into_mixed():
    row = queue_message(message=confirmation(1, calendar=False, qr=True))
    assert mime_tree(_parsed(row)) == (
        "multipart/mixed",
        ("multipart/alternative", "text/plain", "text/html"),
        "image/png",
    )


def test_mime_inline_image_goes_beside_the_html_in_related():
    logo = Attachment("logo.png", "image/png", PNG, content_id="logo@partnerskap")
    row = queue_message(message=confirmation(1, attachments=[logo]))
    message = _parsed(row)
    assert mime_tree(message) == (
        "multipart/mixed",
        (
            "multipart/alternative",
            "text/plain",
            ("multipart/related", "text/html", "image/png"),
            "text/calendar",
        ),
        "application/ics",
    )
    related = message.get_payload()[0].get_payload()[1]
    assert related.get_param("type") == "text/html"
    image = related.get_payload()[1]
    assert image["Content-ID"] == "<logo@partnerskap>"
    assert image.get_content_disposition() == "inline" and image.get_content() == PNG


def test_mime_inline_image_without_calendar_needs_no_mixed():
    logo = Attachment("logo.png", "image/png", PNG, content_id="logo@partnerskap")
    row = queue_message(message=confirmation(1, calendar=False, attachments=[logo]))
    assert mime_tree(_parsed(row)) == (
        "multipart/alternative",
        "text/plain",
        ("multipart/related", "text/html", "image/png"),
    )


def test_mime_headers(settings):
    row = queue_message(message=confirmation(7))
    message = _parsed(row)

    assert message["Message-ID"] == row.message_id
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    assert message["To"].addresses[0].display_name == "Åse Ødegård 7"
    assert message["To"].addresses[0].addr_spec == "deltaker7@example.org"
    assert message["Reply-To"] == "Arrangør <arrangor@vtfk.example>"
    assert message["Subject"] == "Påmelding bekreftet: Partnerskapskonferansen (7)"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Date"].datetime is not None
    assert message["Content-Language"] == "nb"
    assert all(len(line) <= 998 for line in render_message(row).split(b"\r\n"))


def test_mime_message_id_is_stable_across_renders():
    row = queue_message(message=confirmation(1))
    assert _parsed(row)["Message-ID"] == _parsed(row)["Message-ID"] == row.message_id


def test_mime_header_injection_is_flattened():
    row = queue_message(message=confirmation(1, subject="Hei\r\nBcc: victim@example.org"))
    message = _parsed(row)
    assert message["Bcc"] is None
    assert message["Subject"] == "Hei Bcc: victim@example.org"


def test_mime_long_non_ascii_lines_are_wrapped():
    text = "æ" * 3000 + "\n" + "." + "x" * 10
    row = queue_message(message=confirmation(1, text_body=text, calendar=False, html_body=""))
    raw = render_message(row)
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78
    assert _lf(message_from_bytes(raw, policy=policy.default).get_content()) == text + "\n"


def test_mime_internationalised_domain_is_sent_in_its_ascii_form():
    row = queue_message(message=confirmation(3, email="kari@tønsberg.no"))
    message = _parsed(row)
    assert message["To"].addresses[0].addr_spec == "kari@xn--tnsberg-q1a.no"
