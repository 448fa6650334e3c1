from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import Event, Registration, Session
from partners.models import OrganiserRole
from tests.factories import EventFactory, RegistrationFactory
from worker.models import OutgoingMessage

from .conftest import Api, assert_error_shape


def titles(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {e["title"] for e in response.json()["items"]}


PUBLIC = {"Klimasamling", "Mobilitetsdag", "I fjor"}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", PUBLIC),
        ("other_organiser", PUBLIC | {"Hemmelig"}),
        ("organiser", PUBLIC | {"Utkast"}),
        ("superuser", PUBLIC | {"Utkast", "Hemmelig"}),
    ],
)
def test_event_list_shows_published_events_and_the_callers_own_drafts(world, who, expected):
    api = Api() if who == "anonymous" else Api(world.token(getattr(world, who)))
    assert titles(api.get("/events")) == expected


def test_event_list_filters(world, anon):
    assert titles(anon.get("/events", {"upcoming": "true"})) == {"Klimasamling", "Mobilitetsdag"}
    assert titles(anon.get("/events", {"past": "true"})) == {"I fjor"}
    assert titles(anon.get("/events", {"network": "mobilitet"})) == {"Mobilitetsdag"}
    assert titles(anon.get("/events", {"status": "draft"})) == set()


@pytest.mark.parametrize(
    ("who", "event", "status"),
    [
        ("anonymous", "published", 200),
        ("anonymous", "draft", 404),
        ("other_organiser", "draft", 404),
        ("organiser", "draft", 200),
        ("superuser", "other_draft", 200),
    ],
)
def test_event_detail_permissions(world, who, event, status):
    api = Api() if who == "anonymous" else Api(world.token(getattr(world, who)))
    response = api.get("/events/%d" % getattr(world, event).pk)
    assert response.status_code == status


def test_event_detail_has_agenda_and_questions_and_hides_the_meeting_link_from_the_public(
    world, anon, as_organiser, as_other
):
    path = "/events/%d" % world.published.pk
    body = anon.get(path).json()
    assert [s["title"] for s in body["sessions"]] == ["Velkommen"]
    assert [q["label"] for q in body["questions"]] == ["Hvorfor kommer du?"]
    assert body["meeting_url"] is None
    assert as_other.get(path).json()["meeting_url"] is None
    assert as_organiser.get(path).json()["meeting_url"] == "https://meet.example.org/secret-room"


def _queries(api: Api, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(path, {"limit": 200})
        assert response.status_code == 200
    return len(ctx.captured_queries)


def test_event_list_costs_the_same_queries_for_1_and_50_events(world, as_organiser, anon):
    Event.objects.exclude(pk=world.published.pk).delete()
    before = (_queries(anon, "/events"), _queries(as_organiser, "/events"))
    for i in range(50):
        event = EventFactory(
            title="E%d" % i,
            host=world.vestfold,
            network=world.klima,
            meeting_url="https://meet.example.org/secret-room",
        )
        Session.objects.create(
            event=event, title="S", starts_at=event.starts_at, ends_at=event.ends_at
        )
    assert anon.get("/events", {"limit": 200}).json()["count"] == 51
    assert (_queries(anon, "/events"), _queries(as_organiser, "/events")) == before


# Registrations (organisers) --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "event", "status"),
    [
        ("anonymous", "published", 401),
        ("nobody", "published", 403),
        ("other_organiser", "published", 403),
        ("other_organiser", "draft", 404),
        ("organiser", "published", 200),
        ("organiser", "draft", 200),
        ("superuser", "published", 200),
    ],
)
@pytest.mark.parametrize("listing", ["registrations", "messages"])
def test_organiser_lists_permission_matrix(world, who, event, status, listing):
    if who == "anonymous":
        api = Api()
    elif who == "nobody":
        # A token can only be made for organisers; one that lost its roles sees nothing.
        api = Api(world.token(world.organiser))
        world.organiser.organiser_roles.all().delete()
    else:
        api = Api(world.token(getattr(world, who)))
    response = api.get("/events/%d/%s" % (getattr(world, event).pk, listing))
    assert response.status_code == status, response.content
    if status != 200:
        assert set(response.json()) == {"code", "message", "errors"}


def test_registration_list_filters_and_search(world, as_organiser):
    RegistrationFactory(
        event=world.published, name="Kari Nordmann", organisation_name="Bamble kommune"
    )
    RegistrationFactory(
        event=world.published,
        name="Deltaker 2",
        organisation_name="Skien kommune",
        status=Registration.Status.WAITLISTED,
        waitlisted_at=timezone.now(),
    )
    RegistrationFactory(
        event=world.published,
        name="Deltaker 3",
        organisation_name="Notodden kommune",
        checked_in_at=timezone.now(),
    )
    path = "/events/%d/registrations" % world.published.pk
    names = lambda params: [r["name"] for r in as_organiser.get(path, params).json()["items"]]  # noqa: E731
    assert names({}) == ["Kari Nordmann", "Deltaker 2", "Deltaker 3"]
    assert names({"status": "waitlisted"}) == ["Deltaker 2"]
    assert names({"status": "checked_in"}) == ["Deltaker 3"]
    assert names({"search": "nordmann"}) == ["Kari Nordmann"]
    # Every word must match some field: "Org 3" also found an address with a 3 in it.
    assert names({"search": "Notodden kommune"}) == ["Deltaker 3"]


def test_registration_list_costs_the_same_queries_for_1_and_50(world, as_organiser):
    session = Session.objects.create(
        event=world.published,
        title="W",
        starts_at=world.published.starts_at,
        ends_at=world.published.ends_at,
        requires_signup=True,
    )
    path = "/events/%d/registrations" % world.published.pk
    RegistrationFactory(event=world.published).session_choices.create(session=session)
    one = _queries(as_organiser, path)
    for i in range(1, 50):
        RegistrationFactory(event=world.published).session_choices.create(session=session)
    assert as_organiser.get(path, {"limit": 200}).json()["count"] == 50
    assert _queries(as_organiser, path) == one


def test_message_list_shows_each_message_and_its_state(world, as_organiser):
    for i, state in enumerate(["queued", "sent", "failed"]):
        OutgoingMessage.objects.create(
            message_id="<m%d@x>" % i,
            from_email="a@x",
            to_email="p%d@example.org" % i,
            subject="Hei",
            text_body="...",
            state=state,
            event_ref=world.published.pk,
        )
    OutgoingMessage.objects.create(
        message_id="<other@x>",
        from_email="a@x",
        to_email="o@example.org",
        subject="Annet",
        text_body="...",
        event_ref=world.other_published.pk,
    )
    path = "/events/%d/messages" % world.published.pk
    body = as_organiser.get(path).json()
    assert body["count"] == 3
    assert {m["state"] for m in body["items"]} == {"queued", "sent", "failed"}
    assert {m["composed"] for m in body["items"]} == {True}
    assert [m["to_email"] for m in as_organiser.get(path, {"state": "failed"}).json()["items"]] == [
        "p2@example.org"
    ]
    one = _queries(as_organiser, path)
    for i in range(50):
        OutgoingMessage.objects.create(
            message_id="<n%d@x>" % i,
            from_email="a@x",
            to_email="n@example.org",
            subject="Hei",
            text_body="...",
            event_ref=world.published.pk,
        )
    assert _queries(as_organiser, path) == one


# Organiser writes ------------------------------------------------------------------------------

NEW_EVENT = {
    "title": "Vårsamling",
    "kind": "network_meeting",
    "network": "klima",
    "starts_at": "2031-05-02T09:00:00+02:00",
    "ends_at": "2031-05-02T15:00:00+02:00",
    "venue_name": "Bøgata 1",
    "capacity": 40,
    "serves_food": True,
}


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("other_organiser", 403), ("organiser", 201), ("superuser", 201)],
)
def test_create_event_permission_matrix(world, who, status):
    api = Api() if who == "anonymous" else Api(world.token(getattr(world, who)))
    response = api.post("/events", NEW_EVENT)
    assert response.status_code == status, response.content
    if status == 201:
        body = response.json()
        assert body["status"] == "draft"
        assert body["host"] == "vestfold"
        assert body["starts_at"].startswith("2031-05-02T07:00:00")
        event = Event.objects.get(pk=body["id"])
        assert event.serves_food and event.capacity == 40
    else:
        assert not Event.objects.filter(title="Vårsamling").exists()


def test_create_publish_patch_cancel_an_event(world, as_organiser):
    created = as_organiser.post("/events", NEW_EVENT).json()
    path = "/events/%d" % created["id"]
    published = as_organiser.post(path + "/publish")
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert Api().get(path).status_code == 200
    patched = as_organiser.patch(path, {"title": "Vårsamling 2031", "capacity": 60})
    assert patched.status_code == 200, patched.content
    assert patched.json()["title"] == "Vårsamling 2031"
    assert patched.json()["venue_name"] == "Bøgata 1"  # untouched
    assert_error_shape(as_organiser.patch(path, {"title": None}), 422, "validation_error")
    cancelled = as_organiser.post(path + "/cancel", {"message": "Vi må dessverre avlyse."})
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancellation_message"] == "Vi må dessverre avlyse."
    assert_error_shape(as_organiser.patch(path, {"title": "Igjen"}), 409, "conflict")


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("other_organiser", 403), ("organiser", 200), ("superuser", 200)],
)
@pytest.mark.parametrize("action", ["patch", "publish", "cancel"])
def test_event_write_permission_matrix(world, who, status, action):
    api = Api() if who == "anonymous" else Api(world.token(getattr(world, who)))
    event = world.published if action != "publish" else world.draft
    if action == "publish" and who == "other_organiser":
        status = 404  # someone else's draft does not exist for them
    path = "/events/%d" % event.pk
    if action == "patch":
        response = api.patch(path, {"title": "Endret"})
    elif action == "publish":
        response = api.post(path + "/publish")
    else:
        response = api.post(path + "/cancel", {"message": "Avlyst."})
    assert response.status_code == status, response.content
    event.refresh_from_db()
    changed = {
        "patch": event.title == "Endret",
        "publish": event.status == Event.Status.PUBLISHED,
        "cancel": event.status == Event.Status.CANCELLED,
    }[action]
    assert changed == (status == 200)


def test_create_event_network_must_exist(world, as_organiser):
    body = assert_error_shape(
        as_organiser.post("/events", {**NEW_EVENT, "network": "nope"}), 422, "validation_error"
    )
    assert [e["field"] for e in body["errors"]] == ["network"]


def _host_organiser(world):
    user = get_user_model().objects.create_user("vestfold-arrangor")
    OrganiserRole.objects.create(user=user, host=world.vestfold)
    return user


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("nb", "Dette feltet må fylles ut. Velg en av: telemark, vestfold."),
        ("nn", "Dette feltet må fyllast ut. Vel ein av: telemark, vestfold."),
        ("en", "This field is required. Choose one of: telemark, vestfold."),
    ],
)
def test_create_event_without_host_in_a_two_host_network_names_the_hosts(world, language, message):
    world.klima.hosts.set([world.vestfold, world.telemark])
    api = Api(world.token(world.organiser), language=language)
    body = assert_error_shape(api.post("/events", NEW_EVENT), 422, "validation_error")
    assert body["errors"] == [{"field": "host", "message": message}]
    created = api.post("/events", {**NEW_EVENT, "host": "telemark"})
    assert created.status_code == 201, created.content
    assert created.json()["host"] == "telemark"


def test_create_event_with_an_unknown_host_names_the_networks_hosts(world, as_organiser):
    world.klima.hosts.set([world.vestfold, world.telemark])
    response = as_organiser.post(
        "/events", {**NEW_EVENT, "host": "oslo"}, headers={"Accept-Language": "en"}
    )
    body = assert_error_shape(response, 422, "validation_error")
    assert body["errors"][0]["field"] == "host"
    assert body["errors"][0]["message"].endswith("Choose one of: telemark, vestfold.")
    assert not Event.objects.filter(title="Vårsamling").exists()


def test_create_event_host_is_inferred_from_the_organisers_host_role(world):
    world.klima.hosts.set([world.vestfold, world.telemark])
    api = Api(world.token(_host_organiser(world)))
    created = api.post("/events", NEW_EVENT)
    assert created.status_code == 201, created.content
    assert created.json()["host"] == "vestfold"


def test_create_event_without_network_or_host_names_the_users_hosts(world):
    api = Api(world.token(_host_organiser(world)), language="en")
    body = assert_error_shape(
        api.post("/events", {**NEW_EVENT, "network": None}), 422, "validation_error"
    )
    assert body["errors"][0]["message"] == ("This field is required. Choose one of: vestfold.")


def test_cancel_needs_a_message(world, as_organiser):
    response = as_organiser.post("/events/%d/cancel" % world.published.pk, {"message": ""})
    body = assert_error_shape(response, 422, "validation_error")
    assert body["errors"][0]["field"] == "message"


# Check-in --------------------------------------------------------------------------------------


def test_check_in_by_ticket_code(world, as_organiser, as_other):
    registration = RegistrationFactory(event=world.published)
    path = "/events/%d/checkins" % world.published.pk
    code = registration.ticket_code.lower()
    assert as_other.post(path, {"ticket_code": code}).status_code == 403
    first = as_organiser.post(path, {"ticket_code": code})
    assert first.status_code == 200 and first.json()["outcome"] == "checked_in"
    again = as_organiser.post(path, {"ticket_code": code})
    assert again.json()["outcome"] == "already_checked_in"
    assert (
        again.json()["registration"]["checked_in_at"]
        == first.json()["registration"]["checked_in_at"]
    )
    assert_error_shape(as_organiser.post(path, {"ticket_code": "NOPE"}), 404, "unknown_ticket")
    waiting = RegistrationFactory(
        event=world.published, status=Registration.Status.WAITLISTED, waitlisted_at=timezone.now()
    )
    assert_error_shape(
        as_organiser.post(path, {"ticket_code": waiting.ticket_code}), 409, "not_confirmed"
    )


def test_check_in_for_an_event_on_another_day_still_answers(world, as_organiser):
    event = EventFactory(
        host=world.vestfold,
        network=world.klima,
        starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=2),
        meeting_url="https://meet.example.org/secret-room",
    )
    registration = RegistrationFactory(event=event)
    response = as_organiser.post(
        "/events/%d/checkins" % event.pk, {"ticket_code": registration.ticket_code}
    )
    assert response.status_code == 200
