"""A registration may be decided on this process's copy of the public event
(events.selectors.public.cached_public_event). Another gunicorn worker's change reaches this
process only as a changed row with a higher revision (its signals clear its own copies, not
ours): the very next registration, through the form and through the API, follows the change."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import Event, Question, Registration
from events.participants import ParticipantDetails
from events.selectors.public import cached_public_event
from events.services import organising
from events.services.errors import EventChanged
from events.services.registering import register_participant
from tests.api.conftest import Api
from tests.factories import EventFactory, QuestionFactory, SessionFactory

from .registration_helpers import form_data

pytestmark = pytest.mark.django_db

SIDES = ["form", "api"]


def another_process_changes(event: Event, **values) -> None:
    """What an organiser's save in another worker leaves behind: the row changed and its
    revision bumped; this process's copy untouched (a queryset update sends no signals)."""
    Event.objects.filter(pk=event.pk).update(revision=F("revision") + 1, **values)


def post(side: str, event: Event, email: str, client):
    if side == "form":
        return client.post(event.get_absolute_url(), form_data(email=email))
    person = {
        "name": "Kari Nordmann",
        "email": email,
        "organisation": "Tønsberg kommune",
        "title": "Rådgiver",
        "language": "nb",
    }
    return Api().post("/events/%d/registrations" % event.pk, person)


def registered(response) -> bool:
    return response.status_code in (201, 302)


def first_registration(side: str, event: Event, client) -> None:
    """Register someone, so that this process holds its copy of the event."""
    assert registered(post(side, event, "forste@example.org", client))
    assert cached_public_event(pk=event.pk) is not None


@pytest.mark.parametrize("side", SIDES)
def test_the_next_registration_reads_no_event_row(side, client):
    event = EventFactory()
    first_registration(side, event, client)
    with CaptureQueriesContext(connection) as queries:
        assert registered(post(side, event, "andre@example.org", client))
    assert not [q for q in queries.captured_queries if "has_sessions" in q["sql"]]


@pytest.mark.parametrize("side", SIDES)
def test_registration_closed_in_another_process_is_refused(side, client):
    event = EventFactory()
    first_registration(side, event, client)
    another_process_changes(event, registration_closes_at=timezone.now() - dt.timedelta(minutes=1))

    response = post(side, event, "sen@example.org", client)

    assert response.status_code == 409
    if side == "form":
        assert "Registration for this event is closed." in response.content.decode()
    else:
        assert response.json()["code"] == "closed"
    assert not Registration.objects.filter(email="sen@example.org").exists()


@pytest.mark.parametrize("side", SIDES)
def test_capacity_lowered_without_waiting_list_in_another_process_is_respected(side, client):
    event = EventFactory(capacity=5)
    first_registration(side, event, client)
    another_process_changes(event, capacity=1, waiting_list_mode=Event.WaitingListMode.NONE)

    response = post(side, event, "andre@example.org", client)

    assert response.status_code == 409  # full, and no waiting list to join
    assert not Registration.objects.filter(email="andre@example.org").exists()


@pytest.mark.parametrize("side", SIDES)
def test_capacity_raised_in_another_process_takes_the_next_registration(side, client):
    """The copy says full (no waiting list): that refusal is decided again on the row."""
    event = EventFactory(capacity=1, waiting_list_mode=Event.WaitingListMode.NONE)
    first_registration(side, event, client)
    client.get(event.get_absolute_url())  # the copy now holds the full event
    assert cached_public_event(pk=event.pk).event.seats_taken == 1
    another_process_changes(event, capacity=2)

    response = post(side, event, "andre@example.org", client)

    assert registered(response), response.content
    assert Registration.objects.get(email="andre@example.org").status == "confirmed"


@pytest.mark.parametrize("side", SIDES)
def test_required_question_added_in_another_process_is_asked(side, client):
    event = EventFactory()
    first_registration(side, event, client)
    # bulk_create sends no signals, as another process's insert reaches none of ours.
    (question,) = Question.objects.bulk_create(
        [Question(event=event, label="Allergier?", kind="short_text", required=True, position=0)]
    )
    another_process_changes(event)

    response = post(side, event, "andre@example.org", client)

    if side == "form":
        assert response.status_code == 400
        assert "Allergier?" in response.content.decode()
    else:
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "answers.%d" % question.pk
    assert not Registration.objects.filter(email="andre@example.org").exists()


@pytest.mark.parametrize("answered", [False, True], ids=["one-statement", "transaction"])
def test_a_registration_read_at_an_old_revision_saves_nothing(answered):
    """Both ways of saving check the revision (on PostgreSQL, answers take the transaction)."""
    event = EventFactory()
    answers = {QuestionFactory(event=event, required=False).pk: "Ja"} if answered else {}
    read = Event.objects.get(pk=event.pk)
    another_process_changes(event, title="Flyttet")

    details = ParticipantDetails(
        name="Kari Nordmann",
        email="kari@example.org",
        organisation_name="Tønsberg kommune",
        title="Rådgiver",
        answers=answers,
    )
    with pytest.raises(EventChanged):
        register_participant(event=read, details=details, revision=read.revision)

    assert not Registration.objects.exists()
    assert Event.objects.get(pk=event.pk).seats_taken == 0


def _revision(event: Event) -> int:
    return Event.objects.values_list("revision", flat=True).get(pk=event.pk)


CHANGES = {
    "event saved": lambda event: Event.objects.get(pk=event.pk).save(),
    "event saved, some fields": lambda event: event.save(update_fields=["title"]),
    "session added": lambda event: SessionFactory(event=event),
    "session deleted": lambda event: SessionFactory(event=event).delete() and None,
    "question changed": lambda event: QuestionFactory(event=event).save(update_fields=["label"]),
    "question deleted": lambda event: QuestionFactory(event=event).delete() and None,
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_every_change_bumps_the_revision_and_drops_the_copy(change, client):
    event = EventFactory()
    client.get(event.get_absolute_url())
    assert cached_public_event(pk=event.pk) is not None
    before = _revision(event)

    change(event)

    assert _revision(event) > before
    assert cached_public_event(pk=event.pk) is None


def test_moving_a_question_bumps_the_revision():
    event = EventFactory()
    first, _second = QuestionFactory(event=event), QuestionFactory(event=event)
    before = _revision(event)
    organising.move_question(question=first, direction="down")
    assert _revision(event) == before + 1


def test_two_saves_of_copies_read_at_one_revision_give_two_revisions():
    """Each save writes revision + 1 in its UPDATE, not the number its copy holds."""
    event = EventFactory()
    one, two = Event.objects.get(pk=event.pk), Event.objects.get(pk=event.pk)
    before = _revision(event)
    one.title = "En"
    one.save()
    two.title = "To"
    two.save()
    assert _revision(event) == before + 2
