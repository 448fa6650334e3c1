import datetime as dt
import os
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone
from icalendar import Calendar

from events.models import Registration, Session
from invitations.models import EventReminderSettings, Invitation, ReminderDelivery
from invitations.services import reminders
from tests.factories import RegistrationFactory
from worker.models import OutgoingMessage

from .helpers import send_out


@pytest.fixture
def closing_soon(make_event, klima):
    """Registration closes in two days (inside the default three-day reminder window)."""
    now = timezone.now()
    event = make_event(
        registration_closes_at=now + dt.timedelta(days=2),
        starts_at=now + dt.timedelta(days=5),
        ends_at=now + dt.timedelta(days=5, hours=2),
    )
    send_out(event=event, network_ids=[klima.pk])
    return event


def _reminders(kind):
    return OutgoingMessage.objects.filter(kind=kind)


def test_invitee_reminder_reaches_only_those_without_answer_once(closing_soon):
    answered = Invitation.objects.order_by("pk").first()
    Invitation.objects.filter(pk=answered.pk).update(state="declined")
    assert reminders.send_invitee_reminders() == 2
    assert reminders.send_invitee_reminders() == 0
    emails = set(_reminders("invitation_reminder").values_list("to_email", flat=True))
    assert len(emails) == 2 and answered.email not in emails


def test_reminders_skip_an_invitee_who_registered_through_the_public_form(closing_soon):
    invitation = Invitation.objects.order_by("pk").first()
    Registration.objects.create(
        event=closing_soon, status="confirmed", name=invitation.name, email=invitation.email.upper()
    )
    invitee_reminders, _participant_reminders = reminders.send_reminders()
    assert invitee_reminders == 2
    invitation.refresh_from_db()
    assert invitation.state == "registered"
    emails = set(_reminders("invitation_reminder").values_list("to_email", flat=True))
    assert invitation.email not in emails


def test_invitee_reminder_waits_until_n_days_before_close(closing_soon):
    EventReminderSettings.objects.create(event=closing_soon, remind_invitees_days_before_close=1)
    assert reminders.send_invitee_reminders() == 0
    later = closing_soon.registration_closes_at - dt.timedelta(hours=12)
    assert reminders.send_invitee_reminders(now=later) == 3


def test_invitee_reminder_off_when_setting_empty(closing_soon):
    EventReminderSettings.objects.create(event=closing_soon, remind_invitees_days_before_close=None)
    assert reminders.send_invitee_reminders() == 0


def test_participant_reminder_has_calendar_agenda_and_details_once(make_event):
    now = timezone.now()
    event = make_event(
        starts_at=now + dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=1, hours=3),
        registration_closes_at=now + dt.timedelta(hours=12),
        meeting_url="https://meet.example.org/klima",
        venue_address="Storgata 1, Tønsberg",
    )
    Session.objects.create(
        event=event,
        title="Åpning og velkomst",
        starts_at=event.starts_at,
        ends_at=event.starts_at + dt.timedelta(hours=1),
    )
    RegistrationFactory(
        event=event, status="confirmed", name="Deltaker", email="d@example.org", language="en"
    )
    RegistrationFactory(event=event, status="waitlisted", name="Venter", email="v@example.org")
    assert reminders.send_participant_reminders() == 1
    assert reminders.send_participant_reminders() == 0
    row = _reminders("participant_reminder").get()
    assert row.to_email == "d@example.org"
    assert "Åpning og velkomst" in row.text_body
    assert "Storgata 1, Tønsberg" in row.text_body
    assert "https://meet.example.org/klima" in row.text_body
    calendar = Calendar.from_ical(row.calendar)
    assert calendar["METHOD"] == "REQUEST"
    assert calendar.walk("VEVENT")[0]["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"


def _run_concurrently(target, count=2):
    barrier = threading.Barrier(count)
    errors = []

    def run():
        try:
            barrier.wait()
            target()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors


@pytest.mark.django_db(transaction=True)
def test_reminders_reach_each_person_once_when_run_twice_concurrently(make_event, klima):
    if connection.vendor != "postgresql":
        message = "concurrency needs PostgreSQL (set DATABASE_URL=postgres://...)"
        if os.environ.get("PARTNERSKAP_REQUIRE_INTEGRATION") == "1":
            pytest.fail(message)
        pytest.skip(message)
    now = timezone.now()
    event = make_event(
        registration_closes_at=now + dt.timedelta(days=1),
        starts_at=now + dt.timedelta(days=1, hours=1),
        ends_at=now + dt.timedelta(days=1, hours=3),
    )
    send_out(event=event, network_ids=[klima.pk])
    for n in range(20):
        RegistrationFactory(
            event=event, status="confirmed", name="P%d" % n, email="p%d@example.org" % n
        )
    _run_concurrently(reminders.send_reminders, count=3)
    assert _reminders("invitation_reminder").count() == 3
    assert _reminders("participant_reminder").count() == 20
    assert len(set(_reminders("participant_reminder").values_list("to_email", flat=True))) == 20
    assert ReminderDelivery.objects.count() == 23
