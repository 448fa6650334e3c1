import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import Event, Registration
from events.participants import ParticipantDetails
from events.services.errors import InvitationOnly
from events.services.registering import register_participant
from invitations.models import Invitation, NetworkOptOut
from invitations.selectors import event_overview
from invitations.services import answers
from partners.models import Person
from worker.models import OutgoingMessage

from .helpers import send_out


def _answer(**values) -> dict:
    """What the invitee submits: the event's registration form (the email field is fixed)."""
    data = {"title": "Miljøsjef", "organisation_name": "Industrial Green Tech", "language": "nb"}
    data.update(values)
    return data


@pytest.fixture
def invitation(event, klima):
    send_out(event=event, person_emails=["jonas.berg@example.org"])
    # These tests read English: the invitee's pages open in the invitation's language.
    Invitation.objects.filter(email="jonas.berg@example.org").update(language="en")
    return Invitation.objects.get(email="jonas.berg@example.org")


def _url(invitation, suffix=""):
    return "/invitasjon/%s/%s" % (invitation.token, suffix)


def test_answer_page_prefills_name_email_and_organisation(client, invitation):
    html = client.get(_url(invitation)).content.decode()
    assert 'value="Jonas Berg"' in html
    assert re.search(
        r'<input type="email" name="email" value="jonas.berg@example.org"[^>]*disabled', html
    )
    assert re.search(r'<option value="\d+" selected>Industrial Green Tech</option>', html)


def test_accept_via_link_registers_and_changes_the_counts(client, invitation):
    response = client.post(
        _url(invitation),
        _answer(name="Jonas Berg", organisation_name="Industrial Green Tech", language="nb"),
    )
    registration = Registration.objects.get()
    assert response.status_code == 302 and response["Location"] == registration.get_absolute_url()
    assert registration.status == "confirmed"
    assert registration.organisation.name == "Industrial Green Tech"
    invitation.refresh_from_db()
    assert invitation.state == "registered" and invitation.registration == registration
    overview = event_overview(invitation.event)
    assert (overview.invited, overview.registered, overview.no_answer) == (1, 1, 0)


def test_accept_via_link_registers_the_invited_address_whatever_is_posted(client, invitation):
    client.post(
        _url(invitation),
        _answer(name="Someone Else", email="someone.else@example.org", language="en"),
    )
    registration = Registration.objects.get()
    assert registration.email == "jonas.berg@example.org"
    assert not Registration.objects.filter(email__iexact="someone.else@example.org").exists()


def test_accept_via_link_on_invitation_only_event_passes_where_public_form_is_refused(
    client, make_event, klima
):
    event = make_event(invitation_only=True)
    with pytest.raises(InvitationOnly):
        register_participant(
            event=event,
            details=ParticipantDetails(name="Uninvited", email="uninvited@example.org"),
        )
    send_out(event=event, person_emails=["jonas.berg@example.org"])
    invitation = Invitation.objects.get()
    client.post(_url(invitation), _answer(name="Jonas Berg", language="nb"))
    assert Registration.objects.get().email == "jonas.berg@example.org"


def test_decline_in_two_clicks_with_reason_changes_the_counts(client, invitation):
    page = client.get(_url(invitation)).content.decode()
    assert _url(invitation, "avsla/") in page  # click one: the link
    response = client.post(_url(invitation, "avsla/"), {"reason": "Ferie"})  # click two
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.state == "declined" and invitation.decline_reason == "Ferie"
    assert invitation.answered_at is not None
    overview = event_overview(invitation.event)
    assert (overview.declined, overview.no_answer) == (1, 0)


def test_decline_then_change_of_mind_registers_through_the_same_link(client, invitation):
    client.post(_url(invitation, "avsla/"), {})
    html = client.get(_url(invitation)).content.decode()
    assert "Changed your mind" in html
    client.post(_url(invitation), _answer(name="Jonas Berg", language="nb"))
    invitation.refresh_from_db()
    assert invitation.state == "registered"
    assert Registration.objects.get().status == "confirmed"


def test_register_then_decline_cancels_the_registration(client, invitation):
    client.post(_url(invitation), _answer(name="Jonas Berg", language="nb"))
    client.post(_url(invitation, "avsla/"), {"reason": "Sjuk"})
    invitation.refresh_from_db()
    assert invitation.state == "declined"
    assert Registration.objects.get().status == "cancelled"


@pytest.fixture
def publicly_registered(event):
    """An invitation left pending although its address registered through the public form."""
    register_participant(
        event=event, details=ParticipantDetails(name="Jonas Berg", email="JONAS.BERG@example.org")
    )
    return Invitation.objects.create(
        event=event,
        email="jonas.berg@example.org",
        name="Jonas Berg",
        person=Person.objects.get(email="jonas.berg@example.org"),
        language="en",
    )


def _rows() -> list:
    return [
        *Invitation.objects.order_by("pk").values(),
        *Registration.objects.order_by("pk").values(),
        *OutgoingMessage.objects.order_by("pk").values(),
    ]


@pytest.mark.parametrize("suffix", ["", "avsla/", "avmeld/"])
def test_invitation_pages_get_leaves_the_database_unchanged(client, publicly_registered, suffix):
    before = _rows()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_url(publicly_registered, suffix))
    assert response.status_code == 200
    writes = [
        q["sql"] for q in queries if q["sql"].split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}
    ]
    assert writes == []
    assert _rows() == before


def test_invitation_of_someone_registered_publicly_counts_as_registered(
    client, publicly_registered
):
    html = client.get(_url(publicly_registered)).content.decode()
    assert "You are registered" in html
    assert "You are registered" in client.get(_url(publicly_registered, "avsla/")).content.decode()
    assert event_overview(publicly_registered.event).registered == 0  # the GET wrote nothing
    assert answers.reconcile_invitations() == 1
    publicly_registered.refresh_from_db()
    assert publicly_registered.state == "registered"
    assert publicly_registered.channel == "web"  # the organiser's list says how it came
    assert publicly_registered.registration == Registration.objects.get()
    assert event_overview(publicly_registered.event).registered == 1
    assert answers.reconcile_invitations() == 0


def test_invitation_of_someone_registered_publicly_declined_cancels_it(client, publicly_registered):
    client.post(_url(publicly_registered, "avsla/"), {"reason": "Sjuk"})
    publicly_registered.refresh_from_db()
    assert publicly_registered.state == "declined"
    assert publicly_registered.registration == Registration.objects.get()
    assert Registration.objects.get().status == "cancelled"


@pytest.mark.parametrize(
    ("change", "text"),
    [
        ({"status": Event.Status.CANCELLED}, "This event has been cancelled."),
        ({"past": True}, "This event has already taken place."),
    ],
)
def test_answer_link_of_cancelled_or_past_event_says_so(client, invitation, change, text):
    event = invitation.event
    if change.get("past"):
        event.starts_at = timezone.now() - dt.timedelta(days=2)
        event.ends_at = timezone.now() - dt.timedelta(days=1)
        event.registration_closes_at = None
    else:
        event.status = change["status"]
    event.save()
    for suffix in ("", "avsla/"):
        response = client.get(_url(invitation, suffix))
        assert response.status_code == 200
        assert text in response.content.decode()
    response = client.post(_url(invitation), _answer(name="Jonas Berg", language="nb"))
    assert response.status_code == 200 and not Registration.objects.exists()


def test_answer_link_unknown_token_is_friendly_404(client, db):
    response = client.get("/invitasjon/not-a-real-token/")
    assert response.status_code == 404
    assert "We could not find this invitation" in response.content.decode()


def test_opt_out_get_confirms_and_post_opts_out_without_login(client, invitation, klima):
    response = client.get(_url(invitation, "avmeld/"))
    assert response.status_code == 200 and "<form" in response.content.decode()
    assert not NetworkOptOut.objects.exists()
    response = client.post(_url(invitation, "avmeld/"))
    assert response.status_code == 200
    assert NetworkOptOut.objects.get().network == klima
    client.post(_url(invitation, "avmeld/"))
    assert NetworkOptOut.objects.count() == 1


def test_opt_out_is_honoured_by_later_sendouts(client, invitation, make_event, klima):
    client.post(_url(invitation, "avmeld/"))
    later = make_event(title="Neste klimamøte")
    sendout = send_out(event=later, network_ids=[klima.pk])
    assert sendout.skipped_opted_out_count == 1
    assert sendout.invited_count == 2
    assert not Invitation.objects.filter(event=later, email="jonas.berg@example.org").exists()


def test_token_has_at_least_128_bits(invitation):
    assert len(invitation.token) >= 43  # 32 random bytes, URL-safe base64


def test_accept_via_link_asks_the_events_questions_and_dietary_needs(client, make_event, klima):
    from events.models import Question

    event = make_event(serves_food=True)
    question = Question.objects.create(
        event=event, label="Which workshop theme interests you?", kind="short_text", required=True
    )
    send_out(event=event, person_emails=["jonas.berg@example.org"])
    invitation = Invitation.objects.get()
    page = client.get(_url(invitation)).content.decode()
    assert "Which workshop theme interests you?" in page and "dietary_consent" in page
    refused = client.post(_url(invitation), _answer(name="Jonas Berg"))
    assert refused.status_code == 200 and not Registration.objects.exists()
    client.post(
        _url(invitation),
        _answer(
            name="Jonas Berg",
            dietary_consent="on",
            dietary_needs="Vegetar",
            **{f"q_{question.pk}": "Sirkulær økonomi"},
        ),
    )
    registration = Registration.objects.get()
    assert registration.dietary_needs == "Vegetar"
    assert registration.answers.get().value == "Sirkulær økonomi"


def _calendars_to(email: str) -> list[tuple[str, str, int]]:
    """(METHOD, UID, SEQUENCE) of every calendar to the address, as the worker composes them."""
    from tests.events.calendar_support import parse_with_icalendar
    from tests.events.registration_helpers import outbox

    found = []
    for row in outbox(to=email):
        if row.calendar:
            parsed = parse_with_icalendar(row.calendar)
            found.append((parsed.method, parsed.uid, parsed.sequence))
    return found


def test_waitlisted_invitee_who_cancels_gets_the_invitation_calendar_cancelled(
    client, make_event, klima
):
    """The invitation put the event in their calendar (REQUEST); cancelling from the waiting
    list sends CANCEL with the same UID and a higher SEQUENCE, so Outlook and Apple Calendar
    take it out again (the rule of an event cancellation and an expired offer)."""
    event = make_event(capacity=1)
    register_participant(
        event=event, details=ParticipantDetails(name="Først", email="forst@example.org")
    )
    send_out(event=event, person_emails=["jonas.berg@example.org"])
    invitation = Invitation.objects.get(email="jonas.berg@example.org")
    client.post(_url(invitation), _answer(name="Jonas Berg"))
    registration = Registration.objects.get(email="jonas.berg@example.org")
    assert registration.status == Registration.Status.WAITLISTED

    client.post("/arrangementer/p/%s/avmeld/" % registration.token)

    calendars = _calendars_to("jonas.berg@example.org")
    assert [method for method, _, _ in calendars] == ["REQUEST", "CANCEL"]
    (_, request_uid, request_sequence), (_, cancel_uid, cancel_sequence) = calendars
    assert cancel_uid == request_uid and cancel_sequence > request_sequence


def test_waitlisted_registrant_never_sent_a_calendar_gets_none_on_cancelling(client, make_event):
    event = make_event(capacity=1)
    register_participant(
        event=event, details=ParticipantDetails(name="Først", email="forst@example.org")
    )
    waiting = register_participant(
        event=event, details=ParticipantDetails(name="Andre", email="andre@example.org")
    )
    assert waiting.status == Registration.Status.WAITLISTED

    client.post("/arrangementer/p/%s/avmeld/" % waiting.token)

    assert _calendars_to("andre@example.org") == []
    assert OutgoingMessage.objects.filter(kind="events.cancellation").count() == 1


SAME_ANSWER = {
    "name": "Jonas Berg",
    "organisation_name": "Industrial Green Tech",
    "title": "Miljøsjef",
    "phone": "+47 900 00 000",
    "language": "nn",
    "list_consent": "on",
    "dietary_consent": "on",
    "dietary_needs": "Vegetar",
}
COMPARED = (
    "name",
    "organisation_name",
    "title",
    "phone",
    "language",
    "list_consent",
    "dietary_consent",
    "dietary_needs",
)


def test_invitation_page_and_public_form_register_the_same_details(client, make_event, klima):
    """Both pages hand the service RegistrationForm.participant_details(); only the address
    differs (the invitation's, whatever is posted)."""
    event = make_event(serves_food=True)
    send_out(event=event, person_emails=["jonas.berg@example.org"])
    invitation = Invitation.objects.get()
    client.post(event.get_absolute_url(), {**SAME_ANSWER, "email": "public@example.org"})
    client.post(_url(invitation), {**SAME_ANSWER, "email": "someone.else@example.org"})

    public = Registration.objects.get(email="public@example.org")
    invited = Registration.objects.get(email="jonas.berg@example.org")
    assert [getattr(invited, f) for f in COMPARED] == [getattr(public, f) for f in COMPARED]
    assert invited.language == "nn" and invited.dietary_needs == "Vegetar"


def test_register_via_invitation_keeps_the_invited_address_and_falls_back_to_its_language(
    invitation,
):
    registration = answers.register_via_invitation(
        invitation=invitation,
        details=ParticipantDetails(
            name="Jonas Berg", email="someone.else@example.org", language="", title="Miljøsjef"
        ),
    )
    assert (registration.email, registration.language) == ("jonas.berg@example.org", "en")
    assert registration.title == "Miljøsjef"


@pytest.mark.parametrize(
    ("state", "text"),
    [
        (Invitation.State.ACCEPTED, "You accepted the invitation in your calendar."),
        (Invitation.State.TENTATIVE, "You answered “maybe” in your calendar."),
    ],
)
def test_answer_page_after_a_calendar_answer_asks_to_finish_and_registers(
    client, invitation, state, text
):
    Invitation.objects.filter(pk=invitation.pk).update(state=state, channel="calendar")
    html = client.get(_url(invitation)).content.decode()
    assert text in html
    assert '<form method="post"' in html
    response = client.post(_url(invitation), _answer(name="Jonas Berg"))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.REGISTERED
    assert invitation.registration.status == Registration.Status.CONFIRMED
