"""events.calendar: iTIP REQUEST/CANCEL and PUBLISH, read back by two independent parsers."""

from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest
from django.template.loader import render_to_string
from django.test import override_settings

from events.calendar.itip import Attendee, itip_cancel, itip_request
from events.calendar.links import (
    google_calendar_url,
    google_subscribe_url,
    outlook_calendar_url,
    webcal_url,
)
from events.calendar.organizer import find_reply_token
from events.calendar.publish import publish
from events.calendar.sequences import take_sequence, take_sequences
from events.calendar.vtimezone import build_vtimezone
from events.models import CalendarSequence, Event, Registration
from tests.factories import OSLO, EventFactory, RegistrationFactory, oslo
from worker.models import OutgoingMessage

from .calendar_support import PARSERS, parse_with_icalendar, parse_with_vobject
from .registration_helpers import outbox, register

pytestmark = pytest.mark.django_db

CONFIRMED = Attendee(email="ola@example.no", name="Ola Nordmann", partstat="ACCEPTED", rsvp=False)
INVITED = Attendee(email="ola@example.no", name="Ola Nordmann", partstat="NEEDS-ACTION", rsvp=True)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize("parse", PARSERS)
def test_request_has_method_uid_sequence_and_one_attendee(parse):
    event = EventFactory(in_tonsberg=True)
    parsed = parse(itip_request(event=event, attendee=CONFIRMED, sequence=3))
    assert parsed.method == "REQUEST"
    assert parsed.uid == "%s@localhost" % event.uid
    assert parsed.sequence == 3
    assert parsed.status == "CONFIRMED"
    assert len(parsed.attendees) == 1
    assert parsed.attendees[0]["email"] == "mailto:ola@example.no"
    assert parsed.attendees[0]["CN"] == "Ola Nordmann"


@override_settings(
    SITE_URL="https://partnerskap.vtfk.example", ORGANISER_MAILBOX="arr@vtfk.example"
)
@pytest.mark.parametrize("parse", PARSERS)
def test_request_organizer_is_mailbox_not_recipient(parse):
    event = EventFactory(in_tonsberg=True, organiser_name="Kari Nordmann")
    parsed = parse(itip_request(event=event, attendee=CONFIRMED, sequence=0))
    assert parsed.organizer == "mailto:arr@vtfk.example"
    assert parsed.organizer_cn == "Kari Nordmann"
    assert parsed.uid == "%s@partnerskap.vtfk.example" % event.uid
    assert all(a["email"] != parsed.organizer for a in parsed.attendees)


@pytest.mark.parametrize("parse", PARSERS)
@pytest.mark.parametrize(
    ("attendee", "partstat", "rsvp"),
    [(CONFIRMED, "ACCEPTED", "FALSE"), (INVITED, "NEEDS-ACTION", "TRUE")],
    ids=["confirmation", "invitation"],
)
def test_request_attendee_partstat_and_rsvp_fit_the_kind(
    parse, attendee, partstat, rsvp, mailbox_read
):
    parsed = parse(
        itip_request(event=EventFactory(in_tonsberg=True), attendee=attendee, sequence=0)
    )
    (only,) = parsed.attendees
    assert (only["PARTSTAT"], only["RSVP"]) == (partstat, rsvp)


@pytest.mark.parametrize("attendee", [CONFIRMED, INVITED], ids=["confirmation", "invitation"])
def test_request_asks_no_answer_when_no_mailbox_is_read(attendee):
    vevent = icalendar.Calendar.from_ical(
        itip_request(event=EventFactory(in_tonsberg=True), attendee=attendee, sequence=0)
    ).walk("VEVENT")[0]
    assert vevent["ATTENDEE"].params["RSVP"] == "FALSE"


@pytest.mark.django_db
def test_organizer_carries_one_token_per_address_and_event(mailbox_read):
    event, other = EventFactory(in_tonsberg=True), EventFactory(in_tonsberg=True)

    def organizer(event, email):
        calendar = itip_request(event=event, attendee=Attendee(email=email), sequence=0)
        return str(icalendar.Calendar.from_ical(calendar).walk("VEVENT")[0]["ORGANIZER"])

    first = organizer(event, "Kari@Example.no")
    assert first == organizer(event, "kari@example.no ")  # the same person sees one organiser
    assert first != organizer(event, "ola@example.no")
    assert first != organizer(other, "kari@example.no")
    token = first.removeprefix("mailto:partnerskap+").removesuffix("@vtfk.example")
    assert len(token) == 32 and token == token.lower()
    found = find_reply_token(token.upper())  # a mail system that changed the case
    assert (found.event, found.email_key) == (event, "kari@example.no")
    cancel = itip_cancel(event=event, attendee=Attendee(email="kari@example.no"), sequence=1)
    cancelled = icalendar.Calendar.from_ical(cancel).walk("VEVENT")[0]
    assert str(cancelled["ORGANIZER"]) == first


def test_request_has_dtstamp_url_and_description_with_link():
    event = EventFactory(in_tonsberg=True, description="Program kommer.")
    vevent = icalendar.Calendar.from_ical(
        itip_request(event=event, attendee=CONFIRMED, sequence=0)
    ).walk("VEVENT")[0]
    link = "http://localhost:8000/arrangementer/%s/" % event.pk
    assert vevent.decoded("dtstamp").tzinfo is not None
    assert str(vevent["url"]) == link
    assert str(vevent["description"]) == "Program kommer.\n\n" + link


@pytest.mark.parametrize("parse", PARSERS)
def test_uid_stable_and_sequence_rises_request_update_cancel(parse):
    event = EventFactory(in_tonsberg=True)
    email = RegistrationFactory(event=event, name="Ola Nordmann", email="ola@example.no").email
    first = parse(
        itip_request(
            event=event, attendee=CONFIRMED, sequence=take_sequence(event=event, email=email)
        )
    )
    event.sequence += 1  # the organiser moves the event
    event.save()
    update = parse(
        itip_request(
            event=event, attendee=CONFIRMED, sequence=take_sequence(event=event, email=email)
        )
    )
    cancel = parse(
        itip_cancel(
            event=event, attendee=CONFIRMED, sequence=take_sequence(event=event, email=email)
        )
    )
    assert first.uid == update.uid == cancel.uid
    assert first.sequence < update.sequence < cancel.sequence
    assert (first.method, update.method, cancel.method) == ("REQUEST", "REQUEST", "CANCEL")
    assert CalendarSequence.objects.get(event=event).sequence == cancel.sequence


def test_sequence_is_per_address_whatever_the_case_or_the_registration():
    event = EventFactory(in_tonsberg=True, sequence=4)
    other = EventFactory(in_tonsberg=True)
    confirmed_at = take_sequence(event=event, email="ola@example.no")
    cancelled_at = take_sequence(event=event, email=" Ola@Example.NO ")
    # A new registration for the same address is the same calendar entry on their side.
    reconfirmed_at = take_sequence(event=event, email="OLA@example.no")
    assert 4 == confirmed_at < cancelled_at < reconfirmed_at
    # Other addresses and other events start from the event's own sequence.
    assert take_sequence(event=event, email="kari@example.no") == 4
    assert take_sequence(event=other, email="ola@example.no") == 0
    assert CalendarSequence.objects.filter(event=event).count() == 2


def test_sequence_follows_the_event_when_the_event_is_ahead():
    event = EventFactory(in_tonsberg=True)
    assert take_sequence(event=event, email="ola@example.no") == 0
    # A stale Event object cannot hold it back: the statement reads the event's row.
    Event.objects.filter(pk=event.pk).update(sequence=9)
    assert take_sequence(event=event, email="ola@example.no") == 9
    assert take_sequence(event=event, email="ola@example.no") == 10


def test_take_sequences_for_many_addresses_in_one_statement(django_assert_num_queries):
    event = EventFactory(in_tonsberg=True, sequence=2)
    take_sequence(event=event, email="b@example.no")
    emails = ["a@example.no", "B@example.no", "c@example.no", "a@example.no"]
    with django_assert_num_queries(1):
        taken = take_sequences(event=event, emails=emails)
    assert taken == {"a@example.no": 2, "b@example.no": 3, "c@example.no": 2}


def _calendars_to(email: str) -> list[tuple[str, int]]:
    """(METHOD, SEQUENCE) of every calendar queued for the address, composing what the worker
    composes when it sends, in the order the rows were written."""
    rows = [row for row in outbox() if row.to_email.lower() == email.lower() and row.calendar]
    found = []
    for row in rows:
        parsed = parse_with_icalendar(row.calendar)
        found.append((parsed.method, parsed.sequence))
    return found


def test_register_cancel_register_again_and_a_move_never_go_back_in_time(django_user_model):
    from events.services.organising import update_event
    from events.services.registering import cancel_registration

    organiser = django_user_model.objects.create_superuser("admin", "admin@example.org")
    event = EventFactory(in_tonsberg=True, capacity=10)
    first = register(event, email="kari@example.org")
    outbox()  # the worker composes the receipt
    cancel_registration(registration_id=first.pk)
    register(event, email="Kari@Example.org")
    outbox()
    update_event(
        event=event,
        by_user=organiser,
        values={"starts_at": event.starts_at + timedelta(hours=1), "ends_at": event.ends_at},
    )
    calendars = _calendars_to("kari@example.org")
    assert [method for method, _ in calendars] == ["REQUEST", "CANCEL", "REQUEST", "REQUEST"]
    sequences = [sequence for _, sequence in calendars]
    assert sequences == sorted(set(sequences)), sequences  # was 0, 1, 0, 1


def test_a_receipt_composed_after_the_event_moved_goes_above_the_change_notice(
    django_user_model,
):
    from events.services.organising import update_event

    organiser = django_user_model.objects.create_superuser("admin", "admin@example.org")
    event = EventFactory(in_tonsberg=True, capacity=10)
    register(event, email="kari@example.org")  # the receipt waits for the worker
    update_event(event=event, by_user=organiser, values={"venue_name": "Bølgen"})
    calendars = _calendars_to("kari@example.org")
    # Rows in the order written: the receipt (composed last), then the change notice.
    assert [method for method, _ in calendars] == ["REQUEST", "REQUEST"]
    receipt, change = (sequence for _, sequence in calendars)
    assert receipt > change


@pytest.mark.parametrize("parse", PARSERS)
def test_cancel_has_status_cancelled_higher_sequence_and_message(parse):
    event = EventFactory(in_tonsberg=True)
    event.sequence = 2
    event.save()
    parsed = parse(
        itip_cancel(event=event, attendee=CONFIRMED, sequence=3, message="Avlyst, dessverre.")
    )
    assert parsed.method == "CANCEL"
    assert parsed.status == "CANCELLED"
    assert parsed.sequence == 3
    assert parsed.description.startswith("Avlyst, dessverre.")
    assert len(parsed.attendees) == 1


def test_vtimezone_has_rrules_and_no_rdate():
    text = itip_request(event=EventFactory(in_tonsberg=True), attendee=CONFIRMED, sequence=0)
    cal = icalendar.Calendar.from_ical(text)
    (tz,) = cal.walk("VTIMEZONE")
    assert str(tz["tzid"]) == "Europe/Oslo"
    subs = {sub.name: sub for sub in tz.subcomponents}
    assert set(subs) == {"STANDARD", "DAYLIGHT"}
    assert "RDATE" not in text
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in text
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in text
    assert subs["DAYLIGHT"]["tzoffsetto"].td == timedelta(hours=2)
    assert subs["STANDARD"]["tzoffsetto"].td == timedelta(hours=1)
    assert "DTSTART;TZID=Europe/Oslo:" in text and "DTEND;TZID=Europe/Oslo:" in text
    # The VTIMEZONE comes before the event that refers to it.
    assert text.index("BEGIN:VTIMEZONE") < text.index("BEGIN:VEVENT")


def test_vtimezone_offsets_match_tz_database_from_2025_to_2040():
    ours = build_vtimezone().to_tz(lookup_tzid=False)
    moment = datetime(2025, 1, 1, tzinfo=UTC)
    while moment < datetime(2040, 1, 1, tzinfo=UTC):
        assert moment.astimezone(ours).utcoffset() == moment.astimezone(OSLO).utcoffset(), moment
        moment += timedelta(hours=7)


@pytest.mark.parametrize("parse", PARSERS)
@pytest.mark.parametrize(
    ("start", "end", "utc_start", "utc_end"),
    [
        # Spring change: 02:00 CET becomes 03:00 CEST on 28 March 2027.
        (
            oslo(2027, 3, 28, 1, 30),
            oslo(2027, 3, 28, 4, 0),
            utc(2027, 3, 28, 0, 30),
            utc(2027, 3, 28, 2, 0),
        ),
        # Autumn change: 03:00 CEST becomes 02:00 CET on 31 October 2027.
        (
            oslo(2027, 10, 31, 1, 30),
            oslo(2027, 10, 31, 4, 0),
            utc(2027, 10, 30, 23, 30),
            utc(2027, 10, 31, 3, 0),
        ),
        (
            oslo(2027, 3, 27, 10, 0),
            oslo(2027, 3, 27, 12, 0),
            utc(2027, 3, 27, 9, 0),
            utc(2027, 3, 27, 11, 0),
        ),
        (
            oslo(2027, 3, 29, 10, 0),
            oslo(2027, 3, 29, 12, 0),
            utc(2027, 3, 29, 8, 0),
            utc(2027, 3, 29, 10, 0),
        ),
        (
            oslo(2027, 10, 30, 10, 0),
            oslo(2027, 10, 30, 12, 0),
            utc(2027, 10, 30, 8, 0),
            utc(2027, 10, 30, 10, 0),
        ),
        (
            oslo(2027, 11, 1, 10, 0),
            oslo(2027, 11, 1, 12, 0),
            utc(2027, 11, 1, 9, 0),
            utc(2027, 11, 1, 11, 0),
        ),
    ],
    ids=[
        "spring-change",
        "autumn-change",
        "before-spring",
        "after-spring",
        "before-autumn",
        "after-autumn",
    ],
)
def test_times_right_on_both_sides_of_dst_changes(parse, start, end, utc_start, utc_end):
    event = EventFactory(
        in_tonsberg=True, starts_at=start.astimezone(UTC), ends_at=end.astimezone(UTC)
    )
    parsed = parse(itip_request(event=event, attendee=CONFIRMED, sequence=0))
    assert (parsed.start, parsed.end) == (utc_start, utc_end)


@pytest.mark.parametrize("parse", PARSERS)
@pytest.mark.parametrize(
    ("starts_at", "ends_at", "first", "exclusive_end"),
    [
        (oslo(2027, 6, 3, 0, 0), oslo(2027, 6, 3, 23, 59), date(2027, 6, 3), date(2027, 6, 4)),
        (oslo(2027, 6, 3, 0, 0), oslo(2027, 6, 4, 0, 0), date(2027, 6, 3), date(2027, 6, 4)),
        (oslo(2027, 6, 3, 0, 0), oslo(2027, 6, 5, 23, 59), date(2027, 6, 3), date(2027, 6, 6)),
        (oslo(2027, 12, 31, 0, 0), oslo(2028, 1, 1, 23, 59), date(2027, 12, 31), date(2028, 1, 2)),
    ],
    ids=["one-day", "one-day-midnight-end", "three-days", "over-new-year"],
)
def test_all_day_event_uses_dates_with_exclusive_end(
    parse, starts_at, ends_at, first, exclusive_end
):
    event = EventFactory(in_tonsberg=True, all_day=True, starts_at=starts_at, ends_at=ends_at)
    text = itip_request(event=event, attendee=CONFIRMED, sequence=0)
    parsed = parse(text)
    assert (parsed.start, parsed.end) == (first, exclusive_end)
    assert "DTSTART;VALUE=DATE:%s" % first.strftime("%Y%m%d") in text
    assert "VTIMEZONE" not in text  # nothing refers to a time zone


@pytest.mark.parametrize("parse", PARSERS)
def test_multi_day_timed_event_keeps_both_ends(parse):
    event = EventFactory(
        in_tonsberg=True, starts_at=oslo(2027, 10, 29, 9, 0), ends_at=oslo(2027, 11, 2, 16, 0)
    )
    parsed = parse(itip_request(event=event, attendee=CONFIRMED, sequence=0))
    assert parsed.start == utc(2027, 10, 29, 7, 0)
    assert parsed.end == utc(2027, 11, 2, 15, 0)  # winter time by then


@pytest.mark.parametrize("parse", PARSERS)
def test_norwegian_letters_commas_and_semicolons_round_trip(parse):
    event = EventFactory(
        in_tonsberg=True,
        title="Møte om klima; Ærlig talt, Øst-Åsen",
        description='Agenda: kaffe, te; vann\\brus\n«Sitat» og "anførsel"',
        venue_name="Bø hotell, sal Ø",
        venue_address="Gullbringvegen 32; 3800 Bø i Telemark",
        organiser_name="Åse Ødegård, Vestfold",
    )
    attendee = Attendee(email="ase@example.no", name='Ødegård, Åse; "Æ"', partstat="ACCEPTED")
    parsed = parse(itip_request(event=event, attendee=attendee, sequence=0))
    assert parsed.summary == "Møte om klima; Ærlig talt, Øst-Åsen"
    assert parsed.location == "Bø hotell, sal Ø, Gullbringvegen 32; 3800 Bø i Telemark"
    assert parsed.description.startswith('Agenda: kaffe, te; vann\\brus\n«Sitat» og "anførsel"')
    assert parsed.organizer_cn == "Åse Ødegård, Vestfold"
    assert parsed.attendees[0]["CN"] == "Ødegård, Åse; 'Æ'"


def test_lines_are_folded_at_75_octets():
    event = EventFactory(
        in_tonsberg=True, title="Årsmøte for Bærekraftige Vestfold og Telemark " * 4
    )
    text = itip_request(event=event, attendee=CONFIRMED, sequence=0)
    lines = text.split("\r\n")
    assert any(line.startswith(" ") for line in lines)
    assert max(len(line.encode("utf-8")) for line in lines) <= 75
    assert parse_with_vobject(text).summary == event.title


@pytest.mark.parametrize("include", [True, False])
def test_meeting_link_only_when_requested(include):
    event = EventFactory(
        in_tonsberg=True,
        meeting_url="https://teams.example/l/meetup-join/abc",
        venue_name="",
        venue_address="",
    )
    text = itip_request(event=event, attendee=CONFIRMED, sequence=0, include_meeting_link=include)
    parsed = parse_with_icalendar(text)
    assert ("teams.example" in text) is include
    assert ("https://teams.example/l/meetup-join/abc" in parsed.description) is include
    assert ("teams.example" in publish(events=[event], include_meeting_link=include)) is include
    assert "teams.example" not in itip_cancel(event=event, attendee=CONFIRMED, sequence=0)


@pytest.mark.parametrize("parse", PARSERS)
def test_publish_has_no_attendee_and_keeps_cancelled(parse):
    live = EventFactory(in_tonsberg=True, title="Levende")
    cancelled = EventFactory(in_tonsberg=True, title="Avlyst", status=Event.Status.CANCELLED)
    text = publish(events=[live, cancelled], name="Klima, Vestfold; Telemark")
    assert "ATTENDEE" not in text
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in text
    assert "X-PUBLISHED-TTL:PT1H" in text
    assert "X-WR-CALNAME:Klima\\, Vestfold\\; Telemark" in text
    assert text.count("BEGIN:VTIMEZONE") == 1
    cal = icalendar.Calendar.from_ical(text)
    statuses = {str(v["summary"]): str(v["status"]) for v in cal.walk("VEVENT")}
    assert statuses == {"Levende": "CONFIRMED", "Avlyst": "CANCELLED"}
    assert str(cal["method"]) == "PUBLISH"
    assert {v.summary.value for v in __import__("vobject").readOne(text).vevent_list} == {
        "Levende",
        "Avlyst",
    }


def test_google_calendar_url_has_utc_dates_and_details():
    event = EventFactory(
        in_tonsberg=True,
        title="Møte, Bø",
        starts_at=oslo(2027, 3, 28, 1, 30),
        ends_at=oslo(2027, 3, 28, 4, 0),
    )
    url = google_calendar_url(event)
    assert url.startswith("https://calendar.google.com/calendar/render?")
    query = parse_qs(urlsplit(url).query)
    assert query["action"] == ["TEMPLATE"]
    assert query["text"] == ["Møte, Bø"]
    assert query["dates"] == ["20270328T003000Z/20270328T020000Z"]
    assert query["location"] == ["Quality Hotel Tønsberg, Ollebukta 3, 3126 Tønsberg"]
    assert "/arrangementer/%s/" % event.pk in query["details"][0]


def test_google_calendar_url_all_day_uses_dates_with_exclusive_end():
    event = EventFactory(
        in_tonsberg=True, all_day=True, starts_at=oslo(2027, 6, 3), ends_at=oslo(2027, 6, 4, 23, 59)
    )
    query = parse_qs(urlsplit(google_calendar_url(event)).query)
    assert query["dates"] == ["20270603/20270605"]


def test_outlook_calendar_url_has_compose_path_and_times():
    event = EventFactory(
        in_tonsberg=True, starts_at=oslo(2027, 10, 31, 1, 30), ends_at=oslo(2027, 10, 31, 4, 0)
    )
    url = outlook_calendar_url(event)
    assert url.startswith("https://outlook.live.com/calendar/0/deeplink/compose?")
    query = parse_qs(urlsplit(url).query)
    assert query["startdt"] == ["2027-10-30T23:30:00Z"]
    assert query["enddt"] == ["2027-10-31T03:00:00Z"]
    assert query["path"] == ["/calendar/action/compose"]
    assert query["rru"] == ["addevent"]
    assert query["subject"] == [event.title]


def test_calendar_links_meeting_link_only_when_asked():
    event = EventFactory(in_tonsberg=True, meeting_url="https://meet.example/abc")
    assert "meet.example" not in google_calendar_url(event)
    assert "meet.example" not in outlook_calendar_url(event)
    assert "meet.example" in google_calendar_url(event, include_meeting_link=True)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://p.example/kalender/nettverk/klima.ics",
            "webcal://p.example/kalender/nettverk/klima.ics",
        ),
        ("http://localhost:8000/kalender/x.ics", "webcal://localhost:8000/kalender/x.ics"),
        ("webcal://p.example/a.ics", "webcal://p.example/a.ics"),
    ],
)
def test_webcal_url_replaces_http_scheme(url, expected):
    assert webcal_url(url) == expected


def test_google_subscribe_url_carries_webcal_feed():
    url = google_subscribe_url("https://p.example/kalender/nettverk/klima.ics")
    assert parse_qs(urlsplit(url).query)["cid"] == [
        "webcal://p.example/kalender/nettverk/klima.ics"
    ]


def test_calendar_links_include_renders_three_links():
    event = EventFactory(
        in_tonsberg=True, title="Møte & mer", meeting_url="https://meet.example/abc"
    )
    html = render_to_string("events/_calendar_links.html", {"event": event})
    assert "https://calendar.google.com/calendar/render?action=TEMPLATE" in html
    assert "https://outlook.live.com/calendar/0/deeplink/compose?" in html
    assert 'href="http://localhost:8000/kalender/arrangement/%s.ics"' % event.pk in html
    assert "meet.example" not in html
    with_link = render_to_string(
        "events/_calendar_links.html", {"event": event, "meeting_link": True}
    )
    assert "meet.example" in with_link


def test_an_organisers_resend_goes_higher_and_a_stale_one_is_refused(client, django_user_model):
    from events.services.organising import update_event

    organiser = django_user_model.objects.create_superuser("admin", "admin@example.org")
    client.force_login(organiser)
    event = EventFactory(in_tonsberg=True, capacity=10)
    register(event, email="kari@example.org")
    [receipt] = outbox()
    OutgoingMessage.objects.update(state=OutgoingMessage.State.SENT)

    def resend(row):
        return client.post("/arrangor/arrangementer/meldinger/%d/send-igjen/" % row.pk, follow=True)

    assert resend(receipt).status_code == 200
    copy = OutgoingMessage.objects.get(resend_of=receipt)
    assert (
        parse_with_icalendar(copy.calendar).sequence
        > parse_with_icalendar(receipt.calendar).sequence
    )
    assert copy.calendar.replace(
        "SEQUENCE:%d" % parse_with_icalendar(copy.calendar).sequence, ""
    ) == receipt.calendar.replace(
        "SEQUENCE:%d" % parse_with_icalendar(receipt.calendar).sequence, ""
    )

    # The event moves: the old confirmation would move it back in the participant's calendar.
    update_event(event=event, by_user=organiser, values={"venue_name": "Bølgen"})
    OutgoingMessage.objects.update(state=OutgoingMessage.State.SENT)
    page = resend(receipt).content.decode()
    assert "A newer calendar update has gone to this address" in page
    assert OutgoingMessage.objects.filter(resend_of=receipt).count() == 1
    change = OutgoingMessage.objects.get(kind="event_changed")
    resend(change)
    again = OutgoingMessage.objects.get(resend_of=change)
    assert (
        parse_with_icalendar(again.calendar).sequence
        > parse_with_icalendar(change.calendar).sequence
    )


def test_an_offer_given_up_after_the_event_changed_takes_the_event_out_of_the_calendar(
    django_user_model,
):
    from events.services.organising import update_event
    from events.services.registering import cancel_registration
    from events.services.waiting_list import expire_offers

    organiser = django_user_model.objects.create_superuser("admin", "admin@example.org")
    event = EventFactory(in_tonsberg=True, capacity=1)
    first = register(event, email="first@example.org")
    register(event, email="kari@example.org")
    register(event, email="ola@example.org")
    cancel_registration(registration_id=first.pk)  # Kari is offered the seat
    update_event(event=event, by_user=organiser, values={"venue_name": "Bølgen"})
    kari = Registration.objects.get(email="kari@example.org")
    cancel_registration(registration_id=kari.pk)  # Ola is offered it next
    update_event(event=event, by_user=organiser, values={"venue_name": "Tårnet"})
    Registration.objects.filter(email="ola@example.org").update(
        offer_expires_at=datetime.now(UTC) - timedelta(minutes=1)
    )
    assert expire_offers() == 1
    for email in ("kari@example.org", "ola@example.org"):
        calendars = _calendars_to(email)
        assert [method for method, _ in calendars] == ["REQUEST", "CANCEL"], email
        assert calendars[0][1] < calendars[1][1]
