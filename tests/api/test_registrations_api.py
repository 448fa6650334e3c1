import datetime as dt

import pytest
from django.utils import timezone

from events.models import Event, Question, Registration
from events.selectors.public import waitlist_position
from tests.factories import RegistrationFactory
from worker.models import OutgoingMessage

from .conftest import Api, assert_error_shape

PERSON = {
    "name": "Ingrid Hansen",
    "email": "ingrid@example.org",
    "organisation": "skien kommune",
    "title": "Rådgiver",
    "phone": "+47 900 00 000",
    "language": "nn",
    "consents": {"participant_list": True},
}


def register(event: Event, data: dict | None = None, **headers: str):
    return Api().post("/events/%d/registrations" % event.pk, data or PERSON, headers=headers)


def test_register_confirms_and_answers_with_the_personal_link(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        response = register(world.published)
    assert response.status_code == 201, response.content
    body = response.json()
    registration = Registration.objects.get(pk=body["id"])
    assert body == {
        "id": registration.pk,
        "status": "confirmed",
        "waiting_list_position": None,
        "manage_url": "http://localhost:8000/arrangementer/p/%s/" % registration.token,
    }
    assert registration.organisation == world.kommune  # a known organisation typed by hand
    assert registration.language == "nn" and registration.list_consent
    assert OutgoingMessage.objects.filter(to_email="ingrid@example.org").exists()


def test_register_when_full_joins_the_waiting_list_with_its_position(world):
    Event.objects.filter(pk=world.published.pk).update(capacity=1)
    assert register(world.published, {**PERSON, "email": "a@example.org"}).json()["status"] == (
        "confirmed"
    )
    second = register(world.published, {**PERSON, "email": "b@example.org"}).json()
    third = register(world.published, {**PERSON, "email": "c@example.org"}).json()
    assert (second["status"], second["waiting_list_position"]) == ("waitlisted", 1)
    assert (third["status"], third["waiting_list_position"]) == ("waitlisted", 2)


def test_the_waiting_list_position_counts_only_those_still_waiting_ahead(world):
    """The answer's place in line (on PostgreSQL counted by the registering statement itself)
    is the one the waiting list shows afterwards: not the cancelled, the offered, a later
    joiner or another event's waiting list."""
    # Full: the one seat is held by the offer below.
    Event.objects.filter(pk=world.published.pk).update(capacity=1)
    earlier = timezone.now() - dt.timedelta(hours=1)
    waiting = Registration.Status.WAITLISTED
    for status in [waiting, waiting, Registration.Status.CANCELLED]:
        RegistrationFactory(event=world.published, status=status, waitlisted_at=earlier)
    RegistrationFactory(event=world.published, status=Registration.Status.OFFERED)
    RegistrationFactory(
        event=world.published, status=waiting, waitlisted_at=timezone.now() + dt.timedelta(days=1)
    )
    other = Event.objects.exclude(pk=world.published.pk).first()
    if other is not None:
        RegistrationFactory(event=other, status=waiting, waitlisted_at=earlier)

    body = register(world.published).json()

    assert (body["status"], body["waiting_list_position"]) == ("waitlisted", 3)
    assert waitlist_position(Registration.objects.get(pk=body["id"])) == 3


def test_register_with_answers_and_sessions(world):
    question = world.published.questions.get()
    response = register(
        world.published, {**PERSON, "answers": [{"question": question.pk, "value": "Nettverk"}]}
    )
    assert response.status_code == 201
    assert Registration.objects.get().answers.get().value == "Nettverk"


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"email": "ikke-en-adresse"}, 422, "validation_error", "email"),
        ({"name": ""}, 422, "validation_error", "name"),
        ({"language": "sv"}, 422, "validation_error", "language"),
        ({"sessions": [999999]}, 422, "validation_error", "sessions"),
        ({"answers": [{"question": 999999, "value": "x"}]}, 422, "validation_error", None),
    ],
)
def test_register_bad_input(world, change, status, code, field):
    body = assert_error_shape(register(world.published, {**PERSON, **change}), status, code)
    if field:
        assert field in [e["field"] for e in body["errors"]]
    assert not Registration.objects.exists()


def test_a_required_question_left_unanswered_is_a_field_error(world):
    question = Question.objects.create(
        event=world.published, label="Allergier?", kind="yes_no", required=True
    )
    body = assert_error_shape(register(world.published), 422, "validation_error")
    assert body["errors"][0]["field"] == "answers.%d" % question.pk


def test_registering_twice_is_409_on_email(world):
    assert register(world.published).status_code == 201
    body = assert_error_shape(
        register(world.published, {**PERSON, "email": "INGRID@example.org"}), 409, "duplicate"
    )
    assert body["errors"][0]["field"] == "email"


@pytest.mark.parametrize(
    ("event", "status", "code"),
    [("draft", 404, "not_found"), ("past", 409, "closed")],
)
def test_register_for_an_event_that_is_not_open(world, event, status, code):
    assert_error_shape(register(getattr(world, event)), status, code)


def test_register_for_an_invitation_only_event_is_403(world):
    Event.objects.filter(pk=world.published.pk).update(invitation_only=True)
    assert_error_shape(register(world.published), 403, "invitation_only")


def test_register_for_a_cancelled_event_is_409(world):
    Event.objects.filter(pk=world.published.pk).update(status=Event.Status.CANCELLED)
    assert_error_shape(register(world.published), 409, "unavailable")


def test_resend_link_answers_the_same_whether_registered_or_not(world):
    register(world.published)
    path = "/events/%d/registrations/resend-link" % world.published.pk
    registered = Api().post(path, {"email": "ingrid@example.org"})
    unknown = Api().post(path, {"email": "ukjent@example.org"})
    assert registered.status_code == unknown.status_code == 202
    assert registered.json() == unknown.json()
    assert OutgoingMessage.objects.filter(to_email="ingrid@example.org").count() == 2
    assert not OutgoingMessage.objects.filter(to_email="ukjent@example.org").exists()
    assert_error_shape(Api().post(path, {"email": "nope"}), 422, "validation_error")
    assert_error_shape(
        Api().post("/events/%d/registrations/resend-link" % world.draft.pk, {"email": "a@b.no"}),
        404,
        "not_found",
    )


# Promote and cancel (organisers) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("other_organiser", 403), ("organiser", 200), ("superuser", 200)],
)
def test_promote_permission_matrix(world, who, status):
    waiting = RegistrationFactory(
        event=world.published, status=Registration.Status.WAITLISTED, waitlisted_at=timezone.now()
    )
    api = Api() if who == "anonymous" else Api(world.token(getattr(world, who)))
    response = api.post("/registrations/%d/promote" % waiting.pk)
    assert response.status_code == status, response.content
    waiting.refresh_from_db()
    assert (waiting.status == Registration.Status.CONFIRMED) == (status == 200)
    if status == 200:
        assert response.json()["status"] == "confirmed"
        world.published.refresh_from_db()
        assert world.published.seats_taken == 1


def test_promote_someone_already_confirmed_is_409(world, as_organiser):
    confirmed = register(world.published).json()
    assert_error_shape(
        as_organiser.post("/registrations/%d/promote" % confirmed["id"]), 409, "conflict"
    )


def test_promote_with_no_free_seat_is_409_and_changes_nothing(world, as_organiser):
    Event.objects.filter(pk=world.published.pk).update(capacity=1)
    register(world.published, {**PERSON, "email": "a@example.org"})
    waiting = register(world.published, {**PERSON, "email": "b@example.org"}).json()
    assert_error_shape(as_organiser.post("/registrations/%d/promote" % waiting["id"]), 409, "full")
    assert Registration.objects.get(pk=waiting["id"]).status == "waitlisted"


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("other_organiser", 403), ("organiser", 200), ("superuser", 200)],
)
def test_cancel_registration_permission_matrix(world, who, status):
    created = register(world.published).json()
    api = Api() if who == "anonymous" else Api(world.token(getattr(world, who)))
    response = api.post("/registrations/%d/cancel" % created["id"])
    assert response.status_code == status, response.content
    cancelled = Registration.objects.get(pk=created["id"]).status == "cancelled"
    assert cancelled == (status == 200)


def test_cancelling_frees_the_seat_for_the_waiting_list(world, as_organiser):
    Event.objects.filter(pk=world.published.pk).update(capacity=1)
    first = register(world.published, {**PERSON, "email": "a@example.org"}).json()
    waiting = register(world.published, {**PERSON, "email": "b@example.org"}).json()
    response = as_organiser.post("/registrations/%d/cancel" % first["id"])
    assert response.json()["status"] == "cancelled"
    assert Registration.objects.get(pk=waiting["id"]).status == "offered"


def test_unknown_registration_is_404(world, as_organiser):
    assert_error_shape(as_organiser.post("/registrations/999999/cancel"), 404, "not_found")
