"""GET /events/{id}/invitations (each invitation's answer, channel and time, registration,
undeliverable address) and the bounced state in GET /events/{id}/messages."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from invitations.models import Invitation
from tests.factories import InvitationFactory, RegistrationFactory
from worker.models import OutgoingMessage, UndeliverableAddress

from .conftest import Api, assert_error_shape

FIELDS = {
    "id",
    "email",
    "name",
    "answer",
    "channel",
    "answered_at",
    "registration",
    "undeliverable",
    "created_at",
}


@pytest.fixture
def invited(world):
    answered_at = dt.datetime(2026, 11, 3, 13, 5, tzinfo=dt.UTC)
    registration = RegistrationFactory(
        event=world.published, name="Kari Påmeldt", email="kari.p@example.org"
    )
    return {
        "registered": InvitationFactory(
            event=world.published,
            name="Kari Påmeldt",
            email="kari.p@example.org",
            state="registered",
            channel="calendar",
            answered_at=answered_at,
            registration=registration,
        ),
        "accepted": InvitationFactory(
            event=world.published,
            name="Anne Godtatt",
            email="anne@example.org",
            state="accepted",
            channel="calendar",
            answered_at=answered_at,
        ),
        "pending": InvitationFactory(
            event=world.published, name="Per Venter", email="Per.Dead@example.org"
        ),
        "elsewhere": InvitationFactory(event=world.other_published, email="x@example.org"),
    }


def test_invitations_show_answer_channel_time_registration_and_undeliverable(
    world, invited, as_organiser
):
    UndeliverableAddress.objects.create(email_key="per.dead@example.org", status="5.1.1")
    response = as_organiser.get("/events/%d/invitations" % world.published.pk)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 3
    by_name = {item["name"]: item for item in body["items"]}
    assert all(set(item) == FIELDS for item in body["items"])
    assert by_name["Anne Godtatt"]["answer"] == "accepted"
    assert by_name["Anne Godtatt"]["channel"] == "calendar"
    assert by_name["Anne Godtatt"]["answered_at"] == "2026-11-03T13:05:00Z"
    assert by_name["Anne Godtatt"]["registration"] is None
    kari = by_name["Kari Påmeldt"]
    assert (kari["answer"], kari["registration"]) == (
        "registered",
        invited["registered"].registration_id,
    )
    per = by_name["Per Venter"]
    assert (per["answer"], per["channel"], per["answered_at"]) == ("pending", "", None)
    assert per["undeliverable"] is True
    assert kari["undeliverable"] is False
    only = as_organiser.get("/events/%d/invitations" % world.published.pk, {"answer": "accepted"})
    assert [item["name"] for item in only.json()["items"]] == ["Anne Godtatt"]


@pytest.mark.parametrize(
    ("who", "event", "status"),
    [
        ("anonymous", "published", 401),
        ("other_organiser", "published", 403),
        ("other_organiser", "draft", 404),
        ("organiser", "published", 200),
        ("organiser", "draft", 200),
        ("superuser", "other_published", 200),
    ],
)
def test_invitation_list_permission_matrix(world, invited, who, event, status):
    api = Api() if who == "anonymous" else Api(world.token(getattr(world, who)))
    response = api.get("/events/%d/invitations" % getattr(world, event).pk)
    if status == 200:
        assert response.status_code == 200
    else:
        assert_error_shape(
            response,
            status,
            {401: "not_authenticated", 403: "permission_denied"}.get(status, "not_found"),
        )


def test_invitation_list_refuses_an_unknown_answer_and_event(world, as_organiser):
    response = as_organiser.get("/events/%d/invitations" % world.published.pk, {"answer": "maybe"})
    assert_error_shape(response, 422, "validation_error")
    assert_error_shape(as_organiser.get("/events/999999/invitations"), 404, "not_found")


def test_invitation_list_costs_the_same_queries_for_1_and_50(world, as_organiser):
    path = "/events/%d/invitations" % world.published.pk
    InvitationFactory(event=world.published)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert as_organiser.get(path, {"limit": 200}).status_code == 200
        return len(ctx.captured_queries)

    one = queries()
    for i in range(49):
        registration = RegistrationFactory(event=world.published, email="r%d@example.org" % i)
        InvitationFactory(
            event=world.published, email=registration.email, registration=registration
        )
    assert queries() == one


def test_messages_show_bounced_with_its_time_and_filter(world, as_organiser):
    bounced_at = timezone.now()
    for i, state in enumerate(["sent", "bounced"]):
        OutgoingMessage.objects.create(
            message_id="<m%d@x>" % i,
            from_email="a@x",
            to_email="p%d@example.org" % i,
            subject="Invitasjon",
            text_body="...",
            state=state,
            sent_at=bounced_at,
            bounced_at=bounced_at if state == "bounced" else None,
            last_response="5.1.1 User unknown" if state == "bounced" else "250 OK",
            event_ref=world.published.pk,
        )
    path = "/events/%d/messages" % world.published.pk
    items = as_organiser.get(path, {"state": "bounced"}).json()["items"]
    assert [(m["to_email"], m["state"], m["last_response"]) for m in items] == [
        ("p1@example.org", "bounced", "5.1.1 User unknown")
    ]
    assert items[0]["bounced_at"] is not None
    sent = as_organiser.get(path, {"state": "sent"}).json()["items"]
    assert [m["bounced_at"] for m in sent] == [None]


def test_sendout_answer_counts_bounced_answered_and_auto_replies(world, as_organiser):
    from invitations.services import sendouts
    from tests.factories import InboundReplyFactory

    sendout = sendouts.create_sendout(
        event=world.published, created_by=world.organiser, network_ids=[world.klima.pk]
    )
    invitation = InvitationFactory(
        event=world.published, sendout=sendout, state=Invitation.State.DECLINED
    )
    InvitationFactory(event=world.published, sendout=sendout)
    OutgoingMessage.objects.create(
        message_id="<s@x>",
        from_email="a@x",
        to_email=invitation.email,
        subject="Invitasjon",
        text_body="...",
        state="bounced",
        sendout_ref=sendout.pk,
        event_ref=world.published.pk,
    )
    InboundReplyFactory(event=world.published, invitation=invitation, kind="auto_reply")
    body = as_organiser.get("/sendouts/%d" % sendout.pk).json()
    assert (body["bounced"], body["answered"], body["auto_replies"], body["sent"]) == (1, 1, 1, 0)
