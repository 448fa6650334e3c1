"""events.emails.notify_event_*: one outbox row per participant, in their language, with the right iTIP."""

import pytest
from django.db import transaction

from events.calendar.sequences import take_sequence
from events.emails import notify_event_cancelled, notify_event_changed
from events.models import CalendarSequence, Registration
from tests.factories import EventFactory, RegistrationFactory, oslo
from worker.models import OutgoingMessage

from .calendar_support import parse_with_icalendar, parse_with_vobject

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return EventFactory(
        in_tonsberg=True,
        title="Klimasamling, Bø; dag 1",
        starts_at=oslo(2027, 3, 28, 9, 0),
        ends_at=oslo(2027, 3, 28, 15, 0),
        meeting_url="https://meet.example/klima",
        organiser_email="kari.nordmann@vtfk.example",
    )


@pytest.fixture
def participants(event):
    """Confirmed (nb, en, nn), offered, waitlisted and cancelled, each sent a confirmation."""
    people = {
        "bokmal": RegistrationFactory(
            event=event, email="bokmal@example.no", language="nb", name="Ola Nordmann"
        ),
        "english": RegistrationFactory(
            event=event, email="english@example.com", language="en", name="Ola Nordmann"
        ),
        "nynorsk": RegistrationFactory(
            event=event, email="nynorsk@example.no", language="nn", name="Ola Nordmann"
        ),
        "offered": RegistrationFactory(
            event=event,
            email="offered@example.no",
            status=Registration.Status.OFFERED,
            name="Ola Nordmann",
        ),
        "waitlisted": RegistrationFactory(
            event=event,
            email="waitlisted@example.no",
            status=Registration.Status.WAITLISTED,
            name="Ola Nordmann",
        ),
        "cancelled": RegistrationFactory(
            event=event,
            email="cancelled@example.no",
            status=Registration.Status.CANCELLED,
            name="Ola Nordmann",
        ),
    }
    for key in ("bokmal", "english", "nynorsk", "offered"):
        take_sequence(event=event, email=people[key].email)
    return people


def sent_sequence(event, email: str) -> int:
    return CalendarSequence.objects.get(event=event, email_key=email.lower()).sequence


def rows() -> dict[str, OutgoingMessage]:
    return {row.to_email: row for row in OutgoingMessage.objects.all()}


def test_notify_event_changed_queues_one_message_per_confirmed_and_offered(event, participants):
    event.starts_at = oslo(2027, 3, 28, 10, 0)
    event.sequence += 1
    event.save()
    assert notify_event_changed(event=event, changes=["starts_at"]) == 4
    sent = rows()
    assert set(sent) == {
        "bokmal@example.no",
        "english@example.com",
        "nynorsk@example.no",
        "offered@example.no",
    }
    for row in sent.values():
        assert row.calendar_method == "REQUEST"
        assert row.kind == "event_changed"
        assert row.reply_to == "kari.nordmann@vtfk.example"
        assert row.event_ref == event.pk


def test_notify_event_changed_writes_in_each_participants_language(event, participants):
    event.sequence += 1
    event.save()
    notify_event_changed(event=event, changes=["time"])
    sent = rows()
    assert sent["bokmal@example.no"].language == "nb"
    assert sent["english@example.com"].language == "en"
    # Dates are formatted by the participant's locale, in Oslo time.
    assert "28. mars 2027" in sent["bokmal@example.no"].text_body
    assert "28. mars 2027" in sent["nynorsk@example.no"].text_body
    assert "Sunday 28 March 2027" in sent["english@example.com"].text_body
    assert "March" not in sent["bokmal@example.no"].text_body
    assert "Klimasamling, Bø; dag 1" in sent["english@example.com"].subject
    assert "The time has changed." in sent["english@example.com"].text_body
    assert '<html lang="en">' in sent["english@example.com"].html_body
    assert '<html lang="nb">' in sent["bokmal@example.no"].html_body


@pytest.mark.parametrize("parse", [parse_with_icalendar, parse_with_vobject])
def test_notify_event_changed_calendar_is_request_with_higher_sequence(
    parse, event, participants, mailbox_read
):
    before = {
        key: sent_sequence(event, reg.email)
        for key, reg in participants.items()
        if key != "waitlisted" and key != "cancelled"
    }
    event.venue_name = "Bø hotell"
    event.sequence += 1
    event.save()
    notify_event_changed(event=event, changes=["venue_name"])
    sent = rows()
    confirmed = parse(sent["bokmal@example.no"].calendar)
    offered = parse(sent["offered@example.no"].calendar)
    assert confirmed.method == offered.method == "REQUEST"
    assert confirmed.uid == "%s@localhost" % event.uid
    assert confirmed.sequence > before["bokmal"]
    assert confirmed.sequence >= event.sequence
    assert confirmed.location.startswith("Bø hotell")
    assert [(a["email"], a["PARTSTAT"], a["RSVP"]) for a in confirmed.attendees] == [
        ("mailto:bokmal@example.no", "ACCEPTED", "FALSE")
    ]
    assert [(a["email"], a["PARTSTAT"], a["RSVP"]) for a in offered.attendees] == [
        ("mailto:offered@example.no", "NEEDS-ACTION", "TRUE")
    ]
    # Each recipient's own ORGANIZER, with the token their answers come back by.
    assert confirmed.organizer.startswith("mailto:partnerskap+")
    assert offered.organizer.startswith("mailto:partnerskap+")
    assert confirmed.organizer != offered.organizer
    assert "meet.example/klima" in confirmed.description
    assert "meet.example" not in sent["offered@example.no"].calendar
    assert "meet.example" not in sent["offered@example.no"].text_body
    assert sent_sequence(event, "bokmal@example.no") == confirmed.sequence


def test_notify_event_changed_goes_above_a_participants_own_history(event):
    RegistrationFactory(
        event=event,
        email="ola@example.no",
        status=Registration.Status.CANCELLED,
        name="Ola Nordmann",
    )
    # They cancelled once, then registered again.
    CalendarSequence.objects.create(event=event, email_key="ola@example.no", sequence=7)
    RegistrationFactory(event=event, email="Ola@Example.no", name="Ola Nordmann")
    event.sequence = 1
    event.save()
    notify_event_changed(event=event, changes=["time"])
    (row,) = OutgoingMessage.objects.all()
    assert parse_with_icalendar(row.calendar).sequence == 8


def test_notify_event_changed_notes_each_change_once(event, participants):
    event.sequence += 1
    event.save()
    notify_event_changed(
        event=event, changes=["starts_at", "ends_at", "venue_address", "meeting_url"]
    )
    english = rows()["english@example.com"].text_body
    assert english.count("The time has changed.") == 1
    assert "The place has changed." in english
    assert "The digital meeting link has changed." in english
    offered = rows()["offered@example.no"].text_body
    assert "meeting link" not in offered


def test_notify_event_changed_enqueues_after_commit(
    event, participants, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        notify_event_changed(event=event, changes=["time"])
    assert len(callbacks) == 1
    assert sorted(callbacks[0].keywords["message_ids"]) == sorted(
        OutgoingMessage.objects.values_list("pk", flat=True)
    )


def test_notify_rolls_back_with_the_callers_transaction(event, participants):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify_event_changed(event=event, changes=["time"])
        raise RuntimeError("the organiser's change failed")
    assert OutgoingMessage.objects.count() == 0
    assert sent_sequence(event, "bokmal@example.no") == 0  # the confirmation's, as before


@pytest.mark.parametrize("parse", [parse_with_icalendar, parse_with_vobject])
def test_notify_event_cancelled_sends_cancel_to_every_active_registration(
    parse, event, participants
):
    sequence_before = max(CalendarSequence.objects.values_list("sequence", flat=True))
    event.status = event.Status.CANCELLED
    event.sequence += 1
    event.save()
    assert notify_event_cancelled(event=event, message="Vi må dessverre avlyse, beklager.") == 5
    sent = rows()
    assert "cancelled@example.no" not in sent
    for email in ("bokmal@example.no", "english@example.com", "offered@example.no"):
        row = sent[email]
        assert row.calendar_method == "CANCEL"
        assert row.kind == "event_cancelled"
        assert "Vi må dessverre avlyse, beklager." in row.text_body
        parsed = parse(row.calendar)
        assert parsed.method == "CANCEL"
        assert parsed.status == "CANCELLED"
        assert parsed.uid == "%s@localhost" % event.uid
        assert parsed.sequence > max(sequence_before, event.sequence - 1)
        assert parsed.sequence > event.sequence - 1
        assert [a["email"] for a in parsed.attendees] == ["mailto:" + email]
        assert "meet.example" not in row.calendar
    # Never sent a calendar, so nothing to remove: the email alone.
    assert sent["waitlisted@example.no"].calendar == ""
    assert sent["waitlisted@example.no"].calendar_method == ""
    assert "Vi må dessverre avlyse" in sent["waitlisted@example.no"].text_body
    assert "Cancelled: Klimasamling" in sent["english@example.com"].subject


def test_notify_event_cancelled_sends_no_calendar_to_an_offer_never_sent_one(event):
    RegistrationFactory(event=event, email="offered@example.no", status=Registration.Status.OFFERED)
    event.status = event.Status.CANCELLED
    event.save()
    assert notify_event_cancelled(event=event, message="Avlyst") == 1
    row = rows()["offered@example.no"]
    assert (row.calendar, row.calendar_method) == ("", "")
    assert "Avlyst" in row.text_body
    assert not CalendarSequence.objects.filter(event=event).exists()


def test_notify_event_cancelled_sequence_above_last_update(event, participants):
    event.sequence += 1
    event.save()
    notify_event_changed(event=event, changes=["time"])
    update = parse_with_icalendar(rows()["bokmal@example.no"].calendar).sequence
    OutgoingMessage.objects.all().delete()
    event.status = event.Status.CANCELLED
    event.save()  # even without a bump, the cancellation goes higher than the update
    notify_event_cancelled(event=event, message="")
    assert parse_with_icalendar(rows()["bokmal@example.no"].calendar).sequence > update


@pytest.mark.parametrize("count", [1, 10])
def test_notify_query_count_does_not_grow_with_recipients(event, django_assert_num_queries, count):
    for number in range(count):
        RegistrationFactory(event=event, email="p%s@example.no" % number, name="Person %s" % number)
    # Select the registrations; take their sequences (one upsert); insert the rows.
    with django_assert_num_queries(3):
        assert notify_event_changed(event=event, changes=["time"]) == count
    # The same, and which addresses have been sent a calendar before.
    with django_assert_num_queries(4):
        assert notify_event_cancelled(event=event, message="Avlyst") == count


@pytest.mark.parametrize(
    ("fields", "language", "expected"),
    [
        (
            {"starts_at": oslo(2027, 3, 28, 1, 30), "ends_at": oslo(2027, 3, 28, 4, 0)},
            "nb",
            "søndag 28. mars 2027 kl. 01.30–04.00",
        ),
        (
            {"starts_at": oslo(2027, 10, 31, 1, 30), "ends_at": oslo(2027, 10, 31, 4, 0)},
            "nb",
            "søndag 31. oktober 2027 kl. 01.30–04.00",
        ),
        (
            {"all_day": True, "starts_at": oslo(2027, 6, 3), "ends_at": oslo(2027, 6, 3, 23, 59)},
            "nb",
            "torsdag 3. juni 2027",
        ),
        (
            {"all_day": True, "starts_at": oslo(2027, 6, 3), "ends_at": oslo(2027, 6, 5, 23, 59)},
            "en",
            "Thursday 3 June 2027 – Saturday 5 June 2027",
        ),
    ],
    ids=["spring-change", "autumn-change", "all-day", "multi-day"],
)
def test_format_when_shows_oslo_time_in_the_language(fields, language, expected):
    from django.utils import translation

    from events.dates import format_when

    with translation.override(language):
        assert format_when(EventFactory(in_tonsberg=True, **fields)) == expected
