"""Registering and checking in someone at the door, through the check-in page's form; and
check-in per agenda session."""

import pytest

from events.models import Event, Registration, SessionCheckIn, SessionChoice, WalkIn
from tests.events.registration_helpers import compose_pending
from tests.factories import EventFactory, RegistrationFactory, SessionFactory
from worker.models import OutgoingMessage


@pytest.fixture
def event(klima):
    return EventFactory(minimal=True, network=klima, capacity=2)


def _url(event) -> str:
    return f"/arrangor/arrangementer/{event.pk}/innsjekk/pa-doren/"


WALK_IN = {
    "name": "Sara Čáhcesuolu",
    "email": "sara@example.org",
    "organisation_name": "Sámediggi",
    "title": "Rådgiver",
}


def test_check_in_page_has_the_walk_in_form(logged_in, event):
    html = logged_in.get(f"/arrangor/arrangementer/{event.pk}/innsjekk/").content.decode()
    assert f'action="{_url(event)}"' in html and "Register and check in" in html


def test_walk_in_under_capacity_is_registered_checked_in_and_mailed(
    logged_in, event, organiser, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = logged_in.post(_url(event), WALK_IN, follow=True)
    registration = Registration.objects.get(event=event, email="sara@example.org")
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.checked_in_at is not None and registration.checked_in_by == organiser
    assert registration.organisation_name == "Sámediggi" and registration.title == "Rådgiver"
    assert WalkIn.objects.get(registration=registration).capacity_raised is False
    receipt = OutgoingMessage.objects.get(registration_ref=registration.pk)
    assert receipt.to_email == "sara@example.org" and receipt.kind == "events.registration"
    assert callbacks  # the receipt is handed to delivery after the commit
    html = response.content.decode()
    assert "Registered and checked in: Sara Čáhcesuolu (Sámediggi)." in html
    assert "1 of 1 checked in" in html
    event.refresh_from_db()
    assert event.seats_taken == 1 and event.capacity == 2


def test_walk_in_at_capacity_is_refused_with_the_message_and_nothing_saved(logged_in, event):
    RegistrationFactory.create_batch(2, event=event)
    response = logged_in.post(_url(event), WALK_IN)
    assert response.status_code == 409
    html = response.content.decode()
    assert "The event is full." in html and "2 of 2 seats are taken." in html
    assert "Put on the waiting list" in html
    assert "Register and check in on an extra seat (capacity 2 → 3)" in html
    assert not Registration.objects.filter(email="sara@example.org").exists()
    assert not OutgoingMessage.objects.filter(to_email="sara@example.org").exists()


def test_walk_in_at_capacity_can_join_the_waiting_list(logged_in, event):
    RegistrationFactory.create_batch(2, event=event)
    response = logged_in.post(_url(event), {**WALK_IN, "when_full": "waiting_list"}, follow=True)
    registration = Registration.objects.get(email="sara@example.org")
    assert registration.status == Registration.Status.WAITLISTED
    assert registration.checked_in_at is None and registration.checked_in_by is None
    assert WalkIn.objects.filter(registration=registration).exists()
    assert OutgoingMessage.objects.filter(registration_ref=registration.pk).exists()
    assert "is on the waiting list and not checked in" in response.content.decode()
    event.refresh_from_db()
    assert event.capacity == 2 and event.seats_taken == 2


def test_extra_seat_needs_the_box_ticked(logged_in, event):
    RegistrationFactory.create_batch(2, event=event)
    response = logged_in.post(_url(event), {**WALK_IN, "when_full": "extra_seat"})
    assert response.status_code == 400
    assert "Tick the box to confirm a seat beyond the capacity." in response.content.decode()
    assert not Registration.objects.filter(email="sara@example.org").exists()
    event.refresh_from_db()
    assert event.capacity == 2


def test_extra_seat_raises_capacity_and_says_so(logged_in, event, organiser):
    RegistrationFactory.create_batch(2, event=event)
    revision = Event.objects.get(pk=event.pk).revision
    response = logged_in.post(
        _url(event),
        {**WALK_IN, "when_full": "extra_seat", "confirm_extra_seat": "on"},
        follow=True,
    )
    registration = Registration.objects.get(email="sara@example.org")
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.checked_in_by == organiser
    assert WalkIn.objects.get(registration=registration).capacity_raised is True
    event.refresh_from_db()
    assert (event.capacity, event.seats_taken) == (3, 3)
    assert event.revision > revision
    html = response.content.decode()
    assert "Registered and checked in: Sara Čáhcesuolu (Sámediggi)." in html
    assert "The event was full, so its capacity was raised from 2 to 3." in html


def test_full_event_without_waiting_list_offers_only_the_extra_seat(logged_in, event):
    Event.objects.filter(pk=event.pk).update(waiting_list_mode=Event.WaitingListMode.NONE)
    RegistrationFactory.create_batch(2, event=event)
    html = logged_in.post(_url(event), WALK_IN).content.decode()
    assert "This event has no waiting list." in html and "Put on the waiting list" not in html


def test_walk_in_after_registration_closed_is_still_taken(logged_in, event):
    from django.utils import timezone

    Event.objects.filter(pk=event.pk).update(registration_closes_at=timezone.now())
    logged_in.post(_url(event), WALK_IN)
    assert Registration.objects.get(email="sara@example.org").checked_in_at is not None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({**WALK_IN, "email": "not an address"}, "Enter a valid email address."),
        ({**WALK_IN, "name": ""}, "This field is required."),
    ],
)
def test_walk_in_bad_input_is_a_message(logged_in, event, data, message):
    response = logged_in.post(_url(event), data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Registration.objects.exists()


def test_walk_in_already_registered_is_refused_with_the_reason(logged_in, event):
    RegistrationFactory(event=event, email="sara@example.org")
    response = logged_in.post(_url(event), WALK_IN)
    assert response.status_code == 400
    assert "already registered for this event" in response.content.decode()
    assert Registration.objects.filter(email="sara@example.org").count() == 1


def test_walk_in_for_a_cancelled_event_is_refused(logged_in, event):
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    response = logged_in.post(_url(event), WALK_IN)
    assert "This event has been cancelled." in response.content.decode()
    assert not Registration.objects.exists()


def test_walk_in_page_is_for_the_events_organisers_only(client, make_organiser, event):
    client.force_login(make_organiser("nobody"))
    assert client.post(_url(event), WALK_IN).status_code in (403, 404)
    assert not Registration.objects.exists()


# Per session ----------------------------------------------------------------------------------


@pytest.fixture
def session(event):
    return SessionFactory(event=event, title="Verksted om vindkraft", capacity=5)


def _session_url(event, session) -> str:
    return f"/arrangor/arrangementer/{event.pk}/innsjekk/okt/{session.pk}/"


def test_session_check_in_and_undo(logged_in, event, session, organiser):
    anne = RegistrationFactory(event=event, name="Anne Berg")
    choice = SessionChoice.objects.create(registration=anne, session=session)
    page = logged_in.get(f"/arrangor/arrangementer/{event.pk}/innsjekk/").content.decode()
    assert _session_url(event, session) in page
    response = logged_in.post(
        _session_url(event, session), {"ticket_code": anne.ticket_code.lower()}, follow=True
    )
    row = SessionCheckIn.objects.get(choice=choice)
    assert row.checked_in_by == organiser
    html = response.content.decode()
    assert "Checked in to the session: Anne Berg." in html
    assert "1 of 1 signed up checked in" in html
    again = logged_in.post(
        _session_url(event, session), {"ticket_code": anne.ticket_code}, follow=True
    )
    assert "Anne Berg was already checked in to the session at" in again.content.decode()
    assert SessionCheckIn.objects.count() == 1
    undone = logged_in.post(
        _session_url(event, session),
        {"ticket_code": anne.ticket_code, "action": "undo"},
        follow=True,
    )
    assert "Session check-in undone: Anne Berg." in undone.content.decode()
    assert not SessionCheckIn.objects.exists()
    anne.refresh_from_db()
    assert anne.checked_in_at is None  # the event's own check-in is separate


def test_session_check_in_refuses_who_did_not_sign_up(logged_in, event, session):
    bo = RegistrationFactory(event=event, name="Bo")
    waiting = RegistrationFactory(event=event, name="Vera", status=Registration.Status.WAITLISTED)
    SessionChoice.objects.create(registration=waiting, session=session)
    html = logged_in.post(
        _session_url(event, session), {"ticket_code": bo.ticket_code}, follow=True
    ).content.decode()
    assert "Bo did not sign up for this session." in html
    html = logged_in.post(
        _session_url(event, session), {"ticket_code": waiting.ticket_code}, follow=True
    ).content.decode()
    assert "Not checked in: Vera is on the waiting list, not confirmed." in html
    html = logged_in.post(
        _session_url(event, session), {"ticket_code": "NOPE"}, follow=True
    ).content.decode()
    assert "No ticket with this code for this event." in html
    assert not SessionCheckIn.objects.exists()


def test_session_page_of_a_session_without_signup_is_404(logged_in, event):
    plenary = SessionFactory(event=event, requires_signup=False, capacity=None)
    assert logged_in.get(_session_url(event, plenary)).status_code == 404


@pytest.mark.parametrize("count", [1, 20])
def test_session_page_queries_are_fixed(
    logged_in, event, session, count, django_assert_num_queries
):
    Event.objects.filter(pk=event.pk).update(capacity=None)
    people = RegistrationFactory.create_batch(count, event=event)
    SessionChoice.objects.bulk_create(
        [SessionChoice(registration=r, session=session) for r in people]
    )
    logged_in.get(_session_url(event, session))
    with django_assert_num_queries(7):
        response = logged_in.get(_session_url(event, session))
    assert response.content.decode().count("<li>") >= count


@pytest.mark.parametrize(
    ("language", "subject_word"), [("nn", "Påmelding"), ("en", "Registration")]
)
def test_walk_in_receipt_is_in_the_language_chosen_at_the_door(
    logged_in, event, language, subject_word
):
    page = logged_in.get(_url(event)).content.decode()
    assert '<option value="en" selected>' in page  # the form opens on the organiser's language
    logged_in.post(_url(event), {**WALK_IN, "language": language})
    registration = Registration.objects.get(event=event, email="sara@example.org")
    assert registration.language == language
    compose_pending()  # as the worker writes it when it sends it
    receipt = OutgoingMessage.objects.get(registration_ref=registration.pk)
    assert subject_word in receipt.subject, receipt.subject


def test_walk_in_with_an_unknown_language_is_refused(logged_in, event):
    response = logged_in.post(_url(event), {**WALK_IN, "language": "de"})
    assert response.status_code == 400
    assert not Registration.objects.filter(event=event).exists()
