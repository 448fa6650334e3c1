import pytest

from invitations.models import SendOut
from invitations.services import sendouts
from partners.models import Person, PersonMembership
from worker.models import OutgoingMessage

from .conftest import Api, assert_error_shape


@pytest.fixture
def members(world):
    people = []
    for i in range(3):
        person = Person.objects.create(
            name="Medlem %d" % i, email="medlem%d@example.org" % i, organisation=world.kommune
        )
        PersonMembership.objects.create(network=world.klima, person=person)
        people.append(person)
    return people


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("other_organiser", 403), ("organiser", 201), ("superuser", 201)],
)
def test_create_sendout_permission_matrix(world, members, who, status):
    api = Api() if who == "anonymous" else Api(world.token(getattr(world, who)))
    response = api.post("/events/%d/sendouts" % world.published.pk, {"networks": ["klima"]})
    assert response.status_code == status, response.content
    assert SendOut.objects.exists() == (status == 201)


def test_sendout_is_created_as_a_draft_then_sent_and_its_delivery_followed(
    world, members, as_organiser, as_other
):
    created = as_organiser.post(
        "/events/%d/sendouts" % world.published.pk,
        {
            "networks": ["klima"],
            "people": [],
            "new_people": "name,email\nNy Person,ny@example.org\n",
            "message": "Velkommen!",
        },
        headers={"Idempotency-Key": "sendout-1"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["state"] == "draft"
    assert (body["total"], body["queued"], body["sent"], body["failed"]) == (0, 0, 0, 0)
    assert Person.objects.filter(email="ny@example.org").exists()
    path = "/sendouts/%d" % body["id"]
    assert_error_shape(as_other.get(path), 404, "not_found")

    sent = as_organiser.post(path + "/send", {})
    assert sent.status_code == 200 and sent.json()["state"] in ("scheduled", "sending", "done")
    sendouts.expand_sendout(sendout_id=body["id"])  # what the Celery task does
    OutgoingMessage.objects.filter(sendout_ref=body["id"], to_email="medlem0@example.org").update(
        state="sent"
    )
    progress = as_organiser.get(path).json()
    assert progress["state"] == "done"
    assert progress["invited"] == 4
    assert (progress["total"], progress["queued"], progress["sent"], progress["failed"]) == (
        4,
        3,
        1,
        0,
    )
    assert_error_shape(as_organiser.post(path + "/send", {}), 409, "conflict")


def test_sendout_needs_recipients_that_exist(world, members, as_organiser):
    path = "/events/%d/sendouts" % world.published.pk
    assert_error_shape(as_organiser.post(path, {}), 409, "conflict")
    body = assert_error_shape(
        as_organiser.post(path, {"networks": ["finnes-ikke"]}), 422, "validation_error"
    )
    assert body["errors"][0]["field"] == "networks"
    body = assert_error_shape(
        as_organiser.post(path, {"people": ["ukjent@example.org"]}), 422, "validation_error"
    )
    assert body["errors"][0]["field"] == "people"
    body = assert_error_shape(
        as_organiser.post(path, {"new_people": "name,email\nUten adresse,\n"}),
        422,
        "validation_error",
    )
    assert body["errors"][0]["field"].startswith("new_people")
    assert not SendOut.objects.exists()


def test_sendout_to_a_past_event_is_409(world, members, as_organiser):
    response = as_organiser.post("/events/%d/sendouts" % world.past.pk, {"networks": ["klima"]})
    assert_error_shape(response, 409, "conflict")
