"""The participant emails: what the registrant receives, parsed as a mail client would."""

import email
from email import policy

import pytest
from django.core import mail
from icalendar import Calendar

from events import emails
from events.models import Registration
from tests.factories import EventFactory, winter_event
from worker.models import OutgoingMessage

from .registration_helpers import outbox, register

pytestmark = pytest.mark.django_db


def test_confirmation_message_has_name_oslo_time_qr_and_calendar():
    event = winter_event(title="Klimanettverket møtes", meeting_url="https://meet.example.org/k")
    registration = register(event, name="Kari Nordmann", email="kari@example.org")
    message = emails.confirmation(registration=registration)
    assert message.to_name == "Kari Nordmann" and message.to_email == "kari@example.org"
    assert message.reply_to == event.organiser_email
    assert "Klimanettverket møtes" in message.subject
    for body in (message.text_body, message.html_body):
        assert "Kari Nordmann" in body
        # 08:00 UTC in winter is 09:00 in Oslo; in the registrant's language (nb).
        assert "torsdag 14. januar 2027 kl. 09.00–15.00" in body
        assert "08.00" not in body
        assert registration.ticket_code in body
        assert "https://meet.example.org/k" in body  # confirmed: the meeting link is included
    [qr] = message.attachments
    assert qr.content_type == "image/png" and qr.content.startswith(b"\x89PNG\r\n\x1a\n")
    calendar = Calendar.from_ical(message.calendar)
    assert calendar["METHOD"] == "REQUEST" and message.calendar_method == "REQUEST"
    [vevent] = calendar.walk("VEVENT")
    attendee = vevent["ATTENDEE"]
    assert str(attendee).lower() == "mailto:kari@example.org"
    assert attendee.params["PARTSTAT"] == "ACCEPTED"
    assert attendee.params["CN"] == "Kari Nordmann"
    assert "https://meet.example.org/k" in str(vevent["DESCRIPTION"])


def test_confirmation_in_english_for_english_registrant():
    event = winter_event()
    registration = register(event, language="en")
    body = emails.confirmation(registration=registration).text_body
    assert "Thursday 14 January 2027, 09:00–15:00" in body and "You are registered" in body


def test_waiting_list_message_has_no_meeting_link_or_calendar():
    event = winter_event(capacity=0, meeting_url="https://meet.example.org/k")
    registration = register(event)
    assert registration.status == Registration.Status.WAITLISTED
    [row] = outbox()
    assert row.kind == "events.waiting_list" and row.calendar == "" and row.attachments == []
    assert "https://meet.example.org/k" not in row.text_body + row.html_body
    assert "Plassen din i køen: 1" in row.text_body  # the participant chose bokmål


def test_confirmation_delivered_as_mail_with_qr_and_calendar(
    settings, django_capture_on_commit_callbacks
):
    """Through the outbox and the worker's send task (eager), into the locmem mailbox."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from worker.celery import app

    app.conf.task_always_eager = True
    try:
        event = winter_event(title="Partnerskapskonferansen")
        with django_capture_on_commit_callbacks(execute=True):
            registration = register(event, name="Ola Hansen", email="ola@example.org")
    finally:
        app.conf.task_always_eager = False
    assert OutgoingMessage.objects.get().state == OutgoingMessage.State.SENT
    [sent] = mail.outbox
    parsed = email.message_from_bytes(sent.message().as_bytes(), policy=policy.default)
    assert "Ola Hansen" in parsed["To"]
    assert parsed["Reply-To"] == event.organiser_email
    text = parsed.get_body(preferencelist=("plain",)).get_content()
    assert "Ola Hansen" in text and "kl. 09.00" in text
    pngs = [p for p in parsed.walk() if p.get_content_type() == "image/png"]
    assert pngs and pngs[0].get_content().startswith(b"\x89PNG")
    calendars = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
    assert calendars
    cal = Calendar.from_ical(calendars[0].get_content())
    assert cal["METHOD"] == "REQUEST"
    assert str(cal.walk("VEVENT")[0]["ATTENDEE"]).lower() == "mailto:ola@example.org"
    assert registration.token in text


def test_offer_message_shows_deadline_in_oslo_time():
    from events.services.registering import cancel_registration

    event = EventFactory(capacity=1, offer_hours=48)
    first = register(event, email="a@example.org")
    second = register(event, email="b@example.org")
    cancel_registration(registration_id=first.pk)
    [row] = outbox(kind="events.seat_offered")
    second.refresh_from_db()
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    deadline = timezone.localtime(second.offer_expires_at, ZoneInfo("Europe/Oslo"))
    assert deadline.strftime("%H.%M") in row.text_body  # bokmål writes 10.58 (events/dates.py)
    assert second.get_absolute_url() in row.text_body


def test_the_receipt_says_what_is_true_when_it_is_sent(settings):
    """Written at registration, composed at sending: a registration promoted or cancelled in
    between gets no receipt contradicting the message about that (its row is 'not sent')."""
    from events.services.registering import cancel_registration
    from events.services.waiting_list import promote_from_waiting_list
    from tests.events.registration_helpers import compose_pending
    from worker.delivery import deliver_messages

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    event = winter_event(capacity=1)
    seated = register(event, email="first@example.org")
    waiting = register(event, email="waiting@example.org")
    promoted = register(event, email="promoted@example.org")
    cancelled = register(event, email="gone@example.org")
    assert promoted.status == cancelled.status == Registration.Status.WAITLISTED
    rows = {r.to_email: r for r in OutgoingMessage.objects.filter(kind="events.registration")}
    cancel_registration(registration_id=cancelled.pk)
    event.capacity = 3
    event.save(update_fields=["capacity"])
    promote_from_waiting_list(registration_id=promoted.pk)
    deliver_messages(message_ids=[r.pk for r in rows.values()])

    states = {
        r.to_email: (r.state, r.kind)
        for r in OutgoingMessage.objects.filter(pk__in=[r.pk for r in rows.values()])
    }
    assert states["first@example.org"] == ("sent", "events.confirmation")
    assert states["waiting@example.org"] == ("sent", "events.waiting_list")
    assert states["promoted@example.org"][0] == "skipped"
    assert states["gone@example.org"][0] == "skipped"
    skipped = OutgoingMessage.objects.get(pk=rows["gone@example.org"].pk)
    assert skipped.last_response == "not sent: the registration is cancelled by now"
    assert seated.status == Registration.Status.CONFIRMED and waiting.pk
    assert sorted(m.to[0] for m in mail.outbox) == ["first@example.org", "waiting@example.org"]
    # What the other two hear about instead:
    other = OutgoingMessage.objects.exclude(kind="events.registration").exclude(
        pk__in=[r.pk for r in rows.values()]
    )
    assert sorted(other.values_list("to_email", flat=True)) == [
        "gone@example.org",
        "promoted@example.org",
    ]
    compose_pending()
