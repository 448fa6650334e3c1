"""The waiting list through the personal link: cancel, offer, accept, expire, automatic mode."""

import datetime as dt
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from events.models import Event, Registration
from events.services.errors import EventFull, OfferExpired
from events.services.waiting_list import (
    expire_offers,
    fill_free_seats,
    promote_from_waiting_list,
    recount_seats,
)
from tests.factories import EventFactory, SessionFactory

from .registration_helpers import outbox, register

pytestmark = pytest.mark.django_db

Status = Registration.Status


def full_event(**kwargs) -> tuple[Event, Registration, Registration, Registration]:
    event = EventFactory(capacity=1, **kwargs)
    first = register(event, email="first@example.org", name="Første")
    second = register(event, email="second@example.org", name="Andre")
    third = register(event, email="third@example.org", name="Tredje")
    return event, first, second, third


def refreshed(*objs):
    for obj in objs:
        obj.refresh_from_db()
    return objs


def test_cancel_through_link_offers_seat_to_first_in_line(client):
    event, first, second, third = full_event(offer_hours=48)
    assert (second.status, third.status) == (Status.WAITLISTED, Status.WAITLISTED)
    confirm_page = client.get("/arrangementer/p/%s/avmeld/" % first.token)
    assert "Cancel your registration?" in confirm_page.content.decode()
    assert first.status == Status.CONFIRMED  # the GET changed nothing
    response = client.post("/arrangementer/p/%s/avmeld/" % first.token, follow=True)
    assert "This registration is cancelled." in response.content.decode()
    refreshed(event, first, second, third)
    assert first.status == Status.CANCELLED
    assert second.status == Status.OFFERED and third.status == Status.WAITLISTED
    assert event.seats_taken == 1  # the offer holds the seat
    assert timezone.now() + dt.timedelta(hours=47) < second.offer_expires_at
    [offer] = outbox(kind="events.seat_offered", to="second@example.org")
    assert second.token in offer.text_body
    [receipt] = outbox(kind="events.cancellation", to="first@example.org")
    assert receipt.calendar_method == "CANCEL" and "METHOD:CANCEL" in receipt.calendar
    assert "Your place in line: 1" in client.get(third.get_absolute_url()).content.decode()


def test_accept_offer_through_link_confirms(client):
    event, first, second, third = full_event()
    client.post("/arrangementer/p/%s/avmeld/" % first.token)
    page = client.get(second.get_absolute_url()).content.decode()
    assert "A seat is held for you." in page and "Yes, I take the seat" in page
    response = client.post("/arrangementer/p/%s/takk-ja/" % second.token, follow=True)
    assert "you are registered" in response.content.decode()
    refreshed(event, second)
    assert second.status == Status.CONFIRMED and event.seats_taken == 1
    [confirmation] = outbox(kind="events.confirmation", to="second@example.org")
    assert confirmation.calendar_method == "REQUEST"


def test_offer_expires_and_passes_to_next_in_line(client):
    event, first, second, third = full_event(offer_hours=2)
    client.post("/arrangementer/p/%s/avmeld/" % first.token)
    assert expire_offers() == 0  # not yet
    later = timezone.now() + dt.timedelta(hours=3)
    with mock.patch("django.utils.timezone.now", return_value=later):
        response = client.post("/arrangementer/p/%s/takk-ja/" % second.token, follow=True)
        assert "The offer has expired" in response.content.decode()
        assert expire_offers() == 1
    refreshed(event, second, third)
    assert second.status == Status.CANCELLED
    assert third.status == Status.OFFERED
    assert event.seats_taken == 1
    assert outbox(kind="events.offer_expired", to="second@example.org")
    assert outbox(kind="events.seat_offered", to="third@example.org")


def test_offer_never_held_past_registration_deadline():
    closes = timezone.now() + dt.timedelta(hours=5)
    event, first, second, _ = full_event(offer_hours=48, registration_closes_at=closes)
    from events.services.registering import cancel_registration

    cancel_registration(registration_id=first.pk)
    refreshed(second)
    assert second.offer_expires_at == closes


def test_seat_freed_after_deadline_is_given_back_not_offered():
    event, first, second, _ = full_event(
        registration_closes_at=timezone.now() + dt.timedelta(hours=1)
    )
    Event.objects.filter(pk=event.pk).update(
        registration_closes_at=timezone.now() - dt.timedelta(minutes=1)
    )
    from events.services.registering import cancel_registration

    cancel_registration(registration_id=first.pk)
    refreshed(event, second)
    assert second.status == Status.WAITLISTED and event.seats_taken == 0


def test_automatic_mode_promotes_directly(client):
    event, first, second, third = full_event(waiting_list_mode=Event.WaitingListMode.AUTOMATIC)
    client.post("/arrangementer/p/%s/avmeld/" % first.token)
    refreshed(event, second, third)
    assert second.status == Status.CONFIRMED and third.status == Status.WAITLISTED
    assert event.seats_taken == 1
    assert outbox(kind="events.confirmation", to="second@example.org")


def test_waitlisted_cancel_keeps_seat_count_and_moves_line_up(client):
    event, first, second, third = full_event()
    client.post("/arrangementer/p/%s/avmeld/" % second.token)
    refreshed(event, second)
    assert second.status == Status.CANCELLED and event.seats_taken == 1
    receipt = outbox(kind="events.cancellation", to="second@example.org")[0]
    assert receipt.calendar == ""  # they never had the event in their calendar
    assert "Your place in line: 1" in client.get(third.get_absolute_url()).content.decode()


def test_promote_by_hand_needs_a_free_seat():
    event, first, second, third = full_event()
    with pytest.raises(EventFull):
        promote_from_waiting_list(registration_id=third.pk)
    refreshed(third)
    assert third.status == Status.WAITLISTED
    Event.objects.filter(pk=event.pk).update(capacity=2)
    promoted = promote_from_waiting_list(registration_id=third.pk)
    refreshed(event)
    assert promoted.status == Status.CONFIRMED and event.seats_taken == 2


def test_raising_capacity_then_fill_free_seats_offers_in_order():
    event, first, second, third = full_event()
    Event.objects.filter(pk=event.pk).update(capacity=3)
    assert fill_free_seats(event_id=event.pk) == 2
    refreshed(event, second, third)
    assert (second.status, third.status) == (Status.OFFERED, Status.OFFERED)
    assert event.seats_taken == 3


def test_expired_offer_cannot_be_accepted_by_service():
    from events.services.registering import cancel_registration
    from events.services.waiting_list import accept_offer

    event, first, second, _ = full_event(offer_hours=1)
    cancel_registration(registration_id=first.pk)
    with mock.patch(
        "django.utils.timezone.now", return_value=timezone.now() + dt.timedelta(hours=2)
    ):
        with pytest.raises(OfferExpired):
            accept_offer(registration_id=second.pk)


# What the change form sends besides the participation fields (as register() set them).
change_details = {"organisation_name": "Tønsberg kommune", "title": "Rådgiver", "language": "nb"}


def test_change_answers_and_sessions_through_link(client):
    event = EventFactory()
    a = SessionFactory(event=event, capacity=2, title="A")
    b = SessionFactory(
        event=event,
        capacity=2,
        title="B",
        starts_at=a.ends_at,
        ends_at=a.ends_at + dt.timedelta(hours=1),
    )
    registration = register(event, session_ids=[a.pk])
    page = client.get("/arrangementer/p/%s/endre/" % registration.token)
    assert page.status_code == 200 and 'value="%d"' % a.pk in page.content.decode()
    response = client.post(
        "/arrangementer/p/%s/endre/" % registration.token,
        {**change_details, "sessions": [b.pk], "list_consent": "on"},
        follow=True,
    )
    assert "Your changes are saved." in response.content.decode()
    refreshed(a, b, registration)
    assert (a.seats_taken, b.seats_taken) == (0, 1)
    assert registration.list_consent is True
    assert [c.session_id for c in registration.session_choices.all()] == [b.pk]


def test_change_to_full_session_is_refused_and_nothing_changes(client):
    event = EventFactory()
    a = SessionFactory(event=event, capacity=5, title="A")
    b = SessionFactory(
        event=event,
        capacity=1,
        title="Fullt verksted",
        starts_at=a.ends_at,
        ends_at=a.ends_at + dt.timedelta(hours=1),
    )
    register(event, email="other@example.org", session_ids=[b.pk])
    registration = register(event, session_ids=[a.pk])
    response = client.post(
        "/arrangementer/p/%s/endre/" % registration.token, {**change_details, "sessions": [b.pk]}
    )
    assert "The session “Fullt verksted” is full." in response.content.decode()
    refreshed(a, b)
    assert (a.seats_taken, b.seats_taken) == (1, 1)
    assert [c.session_id for c in registration.session_choices.all()] == [a.pk]


def test_cancel_gives_back_session_seats():
    from events.services.registering import cancel_registration

    event = EventFactory()
    a = SessionFactory(event=event, capacity=2)
    registration = register(event, session_ids=[a.pk])
    cancel_registration(registration_id=registration.pk)
    refreshed(a, event)
    assert a.seats_taken == 0 and event.seats_taken == 0


def test_meeting_link_only_for_confirmed(client):
    event, first, second, _ = full_event(meeting_url="https://meet.example.org/abc")
    assert "https://meet.example.org/abc" in client.get(first.get_absolute_url()).content.decode()
    assert (
        "https://meet.example.org/abc" not in client.get(second.get_absolute_url()).content.decode()
    )
    assert (
        "https://meet.example.org/abc" not in client.get(event.get_absolute_url()).content.decode()
    )


def test_recount_seats_reports_and_fixes_drift(capsys):
    event, *_ = full_event()
    assert recount_seats() == []
    Event.objects.filter(pk=event.pk).update(seats_taken=0)
    with pytest.raises(Exception, match="drift"):
        call_command("recount_seats")
    assert "counter 0, registrations 1" in capsys.readouterr().out
    call_command("recount_seats", "--fix")
    refreshed(event)
    assert event.seats_taken == 1 and recount_seats() == []


def test_expire_offers_task_runs_service():
    from events.tasks import expire_offers as task

    assert task.name == "events.expire_offers"
    assert task.apply().get() == 0


def test_no_seat_is_given_on_a_cancelled_event():
    from events.services.errors import EventUnavailable
    from events.services.waiting_list import accept_offer, promote_from_waiting_list

    event = EventFactory(capacity=1)
    register(event, email="first@example.org")
    waiting = register(event, email="second@example.org")
    offered = register(event, email="third@example.org")
    Registration.objects.filter(pk=offered.pk).update(status="offered")
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    with pytest.raises(EventUnavailable):
        promote_from_waiting_list(registration_id=waiting.pk)
    with pytest.raises(EventUnavailable):
        accept_offer(registration_id=offered.pk)
    assert set(Registration.objects.filter(event=event).values_list("status", flat=True)) == {
        "confirmed",
        "waitlisted",
        "offered",
    }
