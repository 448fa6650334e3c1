"""A person with something in every app, and beside them others at the same event and
organisation whose data must never show up in the person's export or go with their erasure."""

import datetime as dt
import email
import re
from dataclasses import dataclass
from email import policy

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone

from calls.models import AnswerAttachment
from events.models import Answer as EventAnswer
from events.models import Event, Registration
from feedback.models import SurveyAnswer, SurveyInvitation, SurveyQuestion, SurveyResponse
from invitations.models import NetworkOptOut
from tests.factories import (
    AnswerFactory,
    CallFactory,
    CallQuestionFactory,
    EventFactory,
    InboundReplyFactory,
    InvitationFactory,
    NetworkFactory,
    OrganisationFactory,
    PersonFactory,
    PersonMembershipFactory,
    QuestionFactory,
    RegistrationFactory,
    SurveyFactory,
    SurveyQuestionFactory,
)
from worker.models import OutgoingMessage
from worker.services import Message, queue_message

NAME = "Siri Sletteby"
EMAIL = "siri.sletteby@example.org"
COWORKER = "Kari Kollegasen"
COWORKER_EMAIL = "kari.kollegasen@example.org"
WAITING = "Wenche Venteliste"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class World:
    future: Event
    past: Event
    registration: Registration
    past_registration: Registration
    coworker_registration: Registration
    waiting: Registration
    survey_response: SurveyResponse  # the person's, to a survey that is not anonymous
    coworker_response: SurveyResponse
    anonymous_response: SurveyResponse  # the person's too, but nothing says so


@pytest.fixture(autouse=True)
def own_cache(settings):
    """A cache of the test's own: the hourly limit of data links counts from nothing."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pd"}
    }
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def private_uploads(settings, tmp_path):
    settings.PRIVATE_UPLOAD_ROOT = tmp_path / "private"
    return settings.PRIVATE_UPLOAD_ROOT


@pytest.fixture
def eager_celery():
    from worker.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = previous


def _sent(message: Message) -> None:
    row = queue_message(message=message)
    OutgoingMessage.objects.filter(pk=row.pk).update(
        state=OutgoingMessage.State.SENT, sent_at=timezone.now(), last_response="250 OK"
    )


@pytest.fixture
def world(db) -> World:
    now = timezone.now()
    organisation = OrganisationFactory(name="Sletteby kommune")
    network = NetworkFactory()
    person = PersonFactory(name=NAME, email=EMAIL, organisation=organisation, phone="+4790011223")
    PersonMembershipFactory(person=person, network=network)
    coworker = PersonFactory(name=COWORKER, email=COWORKER_EMAIL, organisation=organisation)
    PersonMembershipFactory(person=coworker, network=network)

    # Two seats, both taken; one waiting, promoted automatically when a seat frees up.
    future = EventFactory(
        title="Klimasamling", capacity=2, waiting_list_mode=Event.WaitingListMode.AUTOMATIC
    )
    question = QuestionFactory(event=future, label="Hva vil du lære?")
    registration = RegistrationFactory(
        event=future,
        name=NAME,
        email="Siri.Sletteby@Example.org",  # the same address, written otherwise
        person=person,
        organisation=organisation,
        language="nn",
        phone="+4790011223",
        dietary_consent=True,
        dietary_needs="Glutenfri",
    )
    EventAnswer.objects.create(registration=registration, question=question, value="Sirkulært")
    coworker_registration = RegistrationFactory(
        event=future, name=COWORKER, email=COWORKER_EMAIL, organisation=organisation
    )
    waiting = RegistrationFactory(
        event=future,
        name=WAITING,
        email="wenche@example.org",
        status=Registration.Status.WAITLISTED,
        waitlisted_at=now,
    )
    past = EventFactory(title="Vårmøtet", starts_at=now - dt.timedelta(days=10))
    past_registration = RegistrationFactory(event=past, name=NAME, email=EMAIL, person=person)
    past_coworker = RegistrationFactory(event=past, name=COWORKER, email=COWORKER_EMAIL)
    survey_response, coworker_response = _named_survey(past, past_registration, past_coworker)
    anonymous_response = _anonymous_survey(now, person)

    invitation = InvitationFactory(event=future, name=NAME, email=EMAIL, person=person)
    InvitationFactory(event=future, name=COWORKER, email=COWORKER_EMAIL, person=coworker)
    NetworkOptOut.objects.create(network=network, email=EMAIL, person=person)
    InboundReplyFactory(
        event=future, invitation=invitation, sender=EMAIL, excerpt="Hilsen Siri Sletteby"
    )

    call = CallFactory(title="Innspill om regional plan", publishes_answers=True)
    CallQuestionFactory(call=call, order=1, text="Hva bør planen si?")
    answer = AnswerFactory(
        call=call, name=NAME, email=EMAIL, text="Mer samarbeid. Hilsen Siri Sletteby"
    )
    attachment = AnswerAttachment(
        answer=answer,
        original_name="siris-innspill.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="0" * 64,
    )
    attachment.file.save("x.pdf", ContentFile(PDF), save=False)
    attachment.save()
    AnswerFactory(call=call, name=COWORKER, email=COWORKER_EMAIL, text="Kollegaens innspill")

    _sent(Message(to_email=EMAIL, to_name=NAME, subject="Velkommen", text_body="Hei " + NAME))
    _sent(
        Message(to_email=COWORKER_EMAIL, to_name=COWORKER, subject="Til kollegaen", text_body="Hei")
    )
    mail.outbox.clear()
    return World(
        future,
        past,
        registration,
        past_registration,
        coworker_registration,
        waiting,
        survey_response,
        coworker_response,
        anonymous_response,
    )


def _respond(survey, registration, answers: dict[SurveyQuestion, dict]) -> SurveyResponse:
    response = SurveyResponse.objects.create(
        survey=survey, anonymous=survey.anonymous, registration=registration
    )
    for question, values in answers.items():
        SurveyAnswer.objects.create(response=response, question=question, **values)
    return response


def _named_survey(past, registration, coworker) -> tuple[SurveyResponse, SurveyResponse]:
    """Vårmøtet's survey, not anonymous: both were asked and answered, Siri signed her text."""
    survey = SurveyFactory(event=past, anonymous=False, sent_at=timezone.now())
    rating = SurveyQuestionFactory(survey=survey, text="Hvordan var møtet?")
    text = SurveyQuestionFactory(survey=survey, text="Noe mer?", kind=SurveyQuestion.Kind.FREE_TEXT)
    for asked in (registration, coworker):
        SurveyInvitation.objects.create(
            survey=survey, registration=asked, answered_at=timezone.now()
        )
    mine = _respond(
        survey,
        registration,
        {rating: {"rating": 4}, text: {"text": "Bra møte. Hilsen Siri Sletteby"}},
    )
    theirs = _respond(survey, coworker, {rating: {"rating": 2}, text: {"text": "Kollegaens svar"}})
    return mine, theirs


def _anonymous_survey(now, person) -> SurveyResponse:
    """Høstmøtet's survey, anonymous: Siri answered it, and nothing leads from it to her."""
    autumn = EventFactory(title="Høstmøtet", starts_at=now - dt.timedelta(days=20))
    registration = RegistrationFactory(event=autumn, name=NAME, email=EMAIL, person=person)
    survey = SurveyFactory(event=autumn, anonymous=True, sent_at=now)
    text = SurveyQuestionFactory(
        survey=survey, text="Hva syntes du?", kind=SurveyQuestion.Kind.FREE_TEXT
    )
    SurveyInvitation.objects.create(survey=survey, registration=registration, answered_at=now)
    return _respond(survey, None, {text: {"text": "Anonymt og fint"}})


def sent_mail() -> list[tuple[str, str, str]]:
    """(recipient, subject, plain text) of each message the worker handed to the mail backend."""
    found = []
    for sent in mail.outbox:
        parsed = email.message_from_bytes(sent.message().as_bytes(), policy=policy.default)
        text = parsed.get_body(preferencelist=("plain",)).get_content()
        found.append((sent.to[0], str(parsed["Subject"]), text))
    return found


def data_link(client, registration, django_capture_on_commit_callbacks) -> str:
    """Ask for the data link from the registration's personal page; return the mailed path."""
    page = client.get(registration.get_absolute_url()).content.decode()
    ask = re.search(r'href="(/mine-data/be-om/pamelding/[^"]+/)"', page).group(1)
    assert client.get(ask).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ask)
    assert response.status_code == 200
    [(to, _subject, text)] = [m for m in sent_mail() if "mine-data" in m[2]]
    assert to == registration.email
    return re.search(r"https?://[^/\s]+(/mine-data/[^/\s]+/)", text).group(1)
