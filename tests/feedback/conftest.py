"""A network of Vestfold with its organiser, an event of it that ended yesterday with three
participants (two checked in, in nb and nn; one confirmed who did not come, in en), and the
event's survey with one question of each kind; Telemark's organiser organises none of it."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from events.models import Event, Registration
from feedback.models import Survey, SurveyInvitation, SurveyQuestion
from partners.models import Host, Network
from tests.factories import (
    EventFactory,
    HostFactory,
    NetworkFactory,
    RegistrationFactory,
    SurveyFactory,
    SurveyQuestionFactory,
)

Kind = SurveyQuestion.Kind


@dataclass
class Feedback:
    host: Host
    network: Network
    organiser: Any
    other_organiser: Any
    event: Event
    survey: Survey
    rating: SurveyQuestion
    single: SurveyQuestion
    multiple: SurveyQuestion
    text: SurveyQuestion
    kari: Registration  # nb, checked in
    nils: Registration  # nn, checked in
    emma: Registration  # en, confirmed, not checked in


def past_event(network: Network, *, ended: dt.timedelta, **kwargs: Any) -> Event:
    ends_at = timezone.now() - ended
    return EventFactory(
        network=network, starts_at=ends_at - dt.timedelta(hours=4), ends_at=ends_at, **kwargs
    )


def add_questions(survey: Survey) -> list[SurveyQuestion]:
    return [
        SurveyQuestionFactory(survey=survey, text="Hvordan var samlingen?", required=True),
        SurveyQuestionFactory(
            survey=survey,
            text="Hvilken del var best?",
            kind=Kind.SINGLE_CHOICE,
            choices=["Foredragene", "Verkstedene"],
        ),
        SurveyQuestionFactory(
            survey=survey,
            text="Hva vil du ha mer av?",
            kind=Kind.MULTIPLE_CHOICE,
            choices=["Mingling", "Fagstoff", "Pauser"],
        ),
        SurveyQuestionFactory(survey=survey, text="Annet du vil si?", kind=Kind.FREE_TEXT),
    ]


@pytest.fixture
def feedback(db, make_organiser) -> Feedback:
    host = HostFactory()
    network = NetworkFactory(name="Klima og miljø", slug="klima")
    network.hosts.add(host)
    telemark = HostFactory(name="Telemark fylkeskommune", slug="telemark")
    event = past_event(network, ended=dt.timedelta(hours=3), title="Klimasamling")
    now = timezone.now()
    kari = RegistrationFactory(
        event=event, name="Kari Nordmann", email="kari@example.org", checked_in_at=now
    )
    nils = RegistrationFactory(
        event=event, name="Nils Nynorsk", email="nils@example.org", language="nn", checked_in_at=now
    )
    emma = RegistrationFactory(
        event=event, name="Emma English", email="emma@example.org", language="en"
    )
    RegistrationFactory(event=event, email="gone@example.org", status=Registration.Status.CANCELLED)
    survey = SurveyFactory(event=event)
    rating, single, multiple, text = add_questions(survey)
    return Feedback(
        host=host,
        network=network,
        organiser=make_organiser("kari-org", network=network),
        other_organiser=make_organiser("ola-org", host=telemark),
        event=event,
        survey=survey,
        rating=rating,
        single=single,
        multiple=multiple,
        text=text,
        kari=kari,
        nils=nils,
        emma=emma,
    )


@pytest.fixture
def sent(feedback) -> Feedback:
    """The survey sent (to those who checked in: Kari and Nils)."""
    from feedback.services.sending import send_due_surveys

    assert send_due_surveys() == 2
    feedback.survey.refresh_from_db()
    return feedback


def invitation_of(registration: Registration) -> SurveyInvitation:
    return SurveyInvitation.objects.get(registration=registration)


def answers(fb: Feedback, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "q%d" % fb.rating.pk: "4",
        "q%d" % fb.single.pk: "Verkstedene",
        "q%d" % fb.multiple.pk: ["Mingling", "Pauser"],
        "q%d" % fb.text.pk: "Mer tid til samtaler.",
    }
    data.update({"q%d" % getattr(fb, k).pk: v for k, v in overrides.items()})
    return data
