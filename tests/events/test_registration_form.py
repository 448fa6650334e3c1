"""The public registration form, through the Django test client."""

import datetime as dt

import pytest
from django.utils import timezone

from events.models import Answer, Event, Question, Registration, SessionChoice
from tests.factories import EventFactory, OrganisationFactory, QuestionFactory, SessionFactory
from worker.models import OutgoingMessage

from .registration_helpers import form_data, outbox, register

pytestmark = pytest.mark.django_db


def test_register_confirms_and_shows_personal_page(client, django_capture_on_commit_callbacks):
    event = EventFactory(capacity=10)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(event.get_absolute_url(), form_data())
    registration = Registration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == "/arrangementer/p/%s/" % registration.token
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.organisation_name == "Tønsberg kommune"
    event.refresh_from_db()
    assert event.seats_taken == 1
    assert len(callbacks) == 1  # delivery is enqueued only after commit
    [mail] = outbox(kind="events.confirmation")
    assert mail.to_email == "kari.nordmann@example.org"
    assert mail.reply_to == event.organiser_email

    page = client.get(response["Location"])
    html = page.content.decode()
    assert "Kari Nordmann" in html and registration.ticket_code in html


def test_register_with_known_organisation_from_the_select(client):
    event = EventFactory()
    usn = OrganisationFactory(name="Universitetet i Sørøst-Norge")
    client.post(event.get_absolute_url(), form_data(organisation=usn.pk, organisation_name=""))
    registration = Registration.objects.get()
    assert registration.organisation == usn and registration.organisation_name == ""


@pytest.mark.parametrize("answered", [False, True], ids=["one-statement", "transaction"])
def test_registration_times_are_stored_as_the_returned_object_has_them(answered):
    event = EventFactory()
    answers = {QuestionFactory(event=event, required=False).pk: "Ja"} if answered else {}
    registration = register(event, answers=answers)
    stored = Registration.objects.get(pk=registration.pk)
    assert (stored.created_at, stored.updated_at) == (
        registration.created_at,
        registration.updated_at,
    )


@pytest.mark.parametrize("answered", [False, True], ids=["one-statement", "transaction"])
def test_register_with_a_known_organisation_typed_links_it(client, answered):
    """Both ways of saving (on PostgreSQL, a registration with answers takes the general one)."""
    event = EventFactory(capacity=1)
    usn = OrganisationFactory(name="Universitetet i Sørøst-Norge")
    extra = {}
    if answered:
        extra["q_%d" % QuestionFactory(event=event, required=False).pk] = "Ja"
    for email, typed in [
        ("a@example.org", "UNIVERSITETET I Sørøst-Norge"),
        ("b@example.org", "Ny"),
    ]:
        response = client.post(
            event.get_absolute_url(), form_data(email=email, organisation_name=typed, **extra)
        )
        assert response.status_code == 302
    first, second = Registration.objects.order_by("id")
    assert (first.organisation, first.organisation_name) == (usn, "")
    assert (second.organisation, second.organisation_name) == (None, "Ny")
    assert second.status == Registration.Status.WAITLISTED and second.waitlisted_at is not None


def test_register_without_organisation_asks_for_one(client):
    event = EventFactory()
    response = client.post(event.get_absolute_url(), form_data(organisation_name=""))
    assert response.status_code == 400
    assert "Choose your organisation or type its name." in response.content.decode()
    assert not Registration.objects.exists()


def test_register_duplicate_email_offers_to_resend_link(client):
    event = EventFactory()
    register(event, email="kari@example.org")
    response = client.post(event.get_absolute_url(), form_data(email="KARI@example.org"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "already registered for this event" in html
    assert 'action="/arrangementer/%d/send-lenke/"' % event.pk in html
    assert Registration.objects.count() == 1


def test_resend_link_same_answer_whether_registered_or_not(
    client, django_capture_on_commit_callbacks
):
    event = EventFactory()
    registration = register(event, email="kari@example.org")
    OutgoingMessage.objects.all().delete()
    url = "/arrangementer/%d/send-lenke/" % event.pk
    known = client.post(url, {"email": "kari@example.org"}, follow=True)
    unknown = client.post(url, {"email": "nobody@example.org"}, follow=True)
    assert known.status_code == unknown.status_code == 200
    message = "If this address is registered for the event, we have sent the personal link to it."
    assert message in known.content.decode() and message in unknown.content.decode()
    [mail] = outbox(kind="events.personal_link")
    assert mail.to_email == "kari@example.org"
    assert registration.token in mail.text_body


def test_register_after_deadline_is_refused_with_message(client):
    event = EventFactory(registration_closes_at=timezone.now() - dt.timedelta(hours=1))
    response = client.post(event.get_absolute_url(), form_data())
    assert response.status_code == 409
    assert "Registration for this event is closed." in response.content.decode()
    assert not Registration.objects.exists()


def test_register_before_opening_is_refused_with_message(client):
    event = EventFactory(registration_opens_at=timezone.now() + dt.timedelta(days=1))
    response = client.get(event.get_absolute_url())
    assert "Registration opens" in response.content.decode()
    assert 'name="email"' not in response.content.decode()
    client.post(event.get_absolute_url(), form_data())
    assert not Registration.objects.exists()


@pytest.mark.parametrize("status", [Event.Status.DRAFT])
def test_register_for_draft_event_is_not_found(client, status):
    event = EventFactory(status=status)
    response = client.post(event.get_absolute_url(), form_data())
    assert response.status_code == 404
    assert "We could not find that event" in response.content.decode()
    assert not Registration.objects.exists()


def test_register_for_cancelled_event_is_refused(client):
    event = EventFactory(status=Event.Status.CANCELLED, cancellation_message="Flyttet til våren.")
    response = client.post(event.get_absolute_url(), form_data())
    html = response.content.decode()
    assert "This event has been cancelled." in html and "Flyttet til våren." in html
    assert not Registration.objects.exists()


def test_register_when_full_joins_waiting_list_with_position(client):
    event = EventFactory(capacity=1)
    register(event, email="first@example.org")
    register(event, email="second@example.org")
    page = client.get(event.get_absolute_url()).content.decode()
    assert "The event is full. Register to join the waiting list" in page
    response = client.post(
        event.get_absolute_url(), form_data(email="third@example.org"), follow=True
    )
    html = response.content.decode()
    assert "You are on the waiting list." in html
    assert "Your place in line: 2" in html
    [receipt] = outbox(kind="events.waiting_list", to="third@example.org")
    assert "Plassen din i køen: 2" in receipt.text_body  # the receipt is in bokmål
    assert not outbox(kind="events.confirmation", to="third@example.org")
    event.refresh_from_db()
    assert event.seats_taken == 1


def test_register_when_full_without_waiting_list_is_refused(client):
    event = EventFactory(capacity=1, waiting_list_mode=Event.WaitingListMode.NONE)
    register(event, email="first@example.org")
    response = client.post(event.get_absolute_url(), form_data())
    assert "The event is full." in response.content.decode()
    assert Registration.objects.count() == 1


def test_register_full_session_is_refused_and_nothing_written(client):
    event = EventFactory(capacity=10)
    workshop = SessionFactory(event=event, capacity=1, title="Sirkulær økonomi")
    register(event, email="first@example.org", session_ids=[workshop.pk])
    response = client.post(event.get_absolute_url(), form_data(sessions=[workshop.pk]))
    assert response.status_code == 400
    assert "The session “Sirkulær økonomi” is full." in response.content.decode()
    assert Registration.objects.count() == 1
    assert outbox(to="kari.nordmann@example.org") == []
    event.refresh_from_db()
    workshop.refresh_from_db()
    assert (event.seats_taken, workshop.seats_taken) == (1, 1)


def test_register_with_session_choice_takes_session_seat(client):
    event = EventFactory()
    workshop = SessionFactory(event=event, capacity=5)
    client.post(event.get_absolute_url(), form_data(sessions=[workshop.pk]))
    workshop.refresh_from_db()
    assert workshop.seats_taken == 1
    assert SessionChoice.objects.get().session == workshop


def test_register_overlapping_sessions_is_refused(client):
    event = EventFactory()
    a = SessionFactory(event=event, title="A")
    b = SessionFactory(event=event, title="B", starts_at=a.starts_at, ends_at=a.ends_at)
    response = client.post(event.get_absolute_url(), form_data(sessions=[a.pk, b.pk]))
    assert "take place at the same time" in response.content.decode()
    assert not Registration.objects.exists()


def test_register_invitation_only_event_is_refused(client):
    event = EventFactory(invitation_only=True)
    html = client.get(event.get_absolute_url()).content.decode()
    assert "by invitation only" in html and 'name="email"' not in html
    response = client.post(event.get_absolute_url(), form_data())
    assert "by invitation only" in response.content.decode()
    assert not Registration.objects.exists()


def test_register_invitation_only_event_through_invitation_service_path():
    event = EventFactory(invitation_only=True)
    registration = register(event, invitation_allowed=True)
    assert registration.status == Registration.Status.CONFIRMED


def test_dietary_text_without_consent_is_not_stored(client):
    event = EventFactory(serves_food=True)
    response = client.post(event.get_absolute_url(), form_data(dietary_needs="Nøtteallergi"))
    assert response.status_code == 400
    assert "Tick the box so that we may store what you wrote" in response.content.decode()
    assert not Registration.objects.exists()
    # The service enforces the rule too, whatever the caller sends.
    registration = register(event, dietary_needs="Nøtteallergi", dietary_consent=False)
    assert registration.dietary_needs == "" and registration.dietary_consent is False


def test_dietary_text_with_consent_is_stored(client):
    event = EventFactory(serves_food=True, offers_assistance=True)
    client.post(
        event.get_absolute_url(),
        form_data(
            dietary_needs="Nøtteallergi",
            dietary_consent="on",
            assistance_needs="Rullestol",
            assistance_consent="on",
        ),
    )
    registration = Registration.objects.get()
    assert registration.dietary_needs == "Nøtteallergi" and registration.dietary_consent
    assert registration.assistance_needs == "Rullestol" and registration.assistance_consent


def test_dietary_not_asked_when_no_food(client):
    event = EventFactory(serves_food=False, offers_assistance=False)
    html = client.get(event.get_absolute_url()).content.decode()
    assert "dietary_needs" not in html and "assistance_needs" not in html
    client.post(
        event.get_absolute_url(),
        form_data(dietary_needs="Nøtteallergi", dietary_consent="on", assistance_needs="x"),
    )
    registration = Registration.objects.get()
    assert registration.dietary_needs == "" and registration.assistance_needs == ""


def test_questions_are_asked_in_order_and_answers_stored(client):
    event = EventFactory()
    q2 = QuestionFactory(
        event=event,
        label="Ønsker du overnatting?",
        kind=Question.Kind.YES_NO,
        position=2,
        required=True,
    )
    q1 = QuestionFactory(
        event=event,
        label="Hvilket tema?",
        kind=Question.Kind.SINGLE_CHOICE,
        choices=["Klima", "Helse"],
        position=1,
    )
    q3 = QuestionFactory(
        event=event,
        label="Hvilke dager?",
        kind=Question.Kind.MULTIPLE_CHOICE,
        choices=["Man", "Tir"],
        position=3,
    )
    q4 = QuestionFactory(event=event, label="Kommentar", kind=Question.Kind.LONG_TEXT, position=4)
    html = client.get(event.get_absolute_url()).content.decode()
    assert (
        html.index("Hvilket tema?")
        < html.index("Ønsker du overnatting?")
        < html.index("Hvilke dager?")
    )
    response = client.post(
        event.get_absolute_url(),
        form_data(
            **{"q_%d" % q1.pk: "Helse", "q_%d" % q2.pk: "no", "q_%d" % q3.pk: ["Tir", "Man"]}
        ),
    )
    assert response.status_code == 302
    answers = {a.question_id: a.value for a in Answer.objects.all()}
    assert answers == {q1.pk: "Helse", q2.pk: False, q3.pk: ["Man", "Tir"]}
    assert q4.pk not in answers


def test_required_question_unanswered_shows_error(client):
    event = EventFactory()
    question = QuestionFactory(event=event, kind=Question.Kind.SHORT_TEXT, required=True)
    response = client.post(event.get_absolute_url(), form_data())
    assert response.status_code == 400
    assert 'id="id_q_%d_error"' % question.pk in response.content.decode()
    assert not Registration.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"email": "not-an-email"},
        {"email": "a@b.c\x00"},
        {"name": "x" * 5000},
        {"sessions": ["abc"]},
        {"sessions": ["99999999999999999999"]},
        {"organisation": "99999999999999999999"},
        {"organisation": "abc"},
        {"language": "xx"},
        {"q_1": "Helse", "q_999": "x"},
    ],
)
def test_register_bad_input_never_500(client, data):
    event = EventFactory()
    SessionFactory(event=event)
    QuestionFactory(event=event, kind=Question.Kind.SINGLE_CHOICE, choices=["Klima"])
    payload = form_data(**data) if data else {}
    response = client.post(event.get_absolute_url(), payload)
    assert response.status_code in (302, 400)
    assert Registration.objects.count() <= 1


@pytest.mark.parametrize(
    "url",
    [
        "/arrangementer/99999999999999999999/",
        "/arrangementer/123456789012345678/",
        "/arrangementer/p/not-a-token/",
        "/arrangementer/p/%s/" % ("x" * 500),
        "/arrangementer/p/not-a-token/endre/",
        "/arrangementer/p/abc%00defghijklmnopqrstu/",
        "/arrangementer/p/not-a-token/avmeld/",
    ],
)
def test_unknown_urls_are_friendly_404(client, db, url):
    response = client.get(url)
    assert response.status_code == 404


def test_resend_link_is_limited_per_hour(client):
    event = EventFactory()
    register(event, email="kari@example.org")
    OutgoingMessage.objects.all().delete()
    for _ in range(5):
        client.post("/arrangementer/%d/send-lenke/" % event.pk, {"email": "kari@example.org"})
    assert len(outbox(kind="events.personal_link")) == 3


def test_resend_link_sends_while_the_cache_is_unreachable(client, unreachable_cache):
    event = EventFactory()
    register(event, email="kari@example.org")
    OutgoingMessage.objects.all().delete()
    url = "/arrangementer/%d/send-lenke/" % event.pk
    response = client.post(url, {"email": "kari@example.org"}, follow=True)
    assert response.status_code == 200
    assert "we have sent the personal link" in response.content.decode()
    [mail] = outbox(kind="events.personal_link")
    assert mail.to_email == "kari@example.org"
