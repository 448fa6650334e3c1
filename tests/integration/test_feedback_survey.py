"""End to end: an event ended three hours ago (time moved by setting its end in the past); the
real worker's beat finds its survey due and sends one email per participant who checked in,
each in the participant's language, through the SMTP server. The link in the email takes one
answer; the reminder goes once, to the one who has not answered."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from feedback.models import Survey, SurveyInvitation, SurveyResponse
from feedback.services.sending import send_due_surveys, send_survey_reminders
from tests.factories import HostFactory, NetworkFactory, RegistrationFactory, SurveyFactory
from tests.feedback.conftest import add_questions, past_event
from tests.integration.harness import wait_for
from worker.models import OutgoingMessage

pytestmark = pytest.mark.django_db(transaction=True)
LINK = re.compile(r"https?://\S+/tilbakemelding/([\w-]+)/")


def _text(received) -> str:
    return received.message.get_body(preferencelist=("plain",)).get_content()


def test_the_worker_sends_the_survey_after_the_event_and_one_reminder(
    client, smtp_server, celery_worker_factory
):
    network = NetworkFactory(name="Klima og miljø")
    network.hosts.add(HostFactory())
    event = past_event(network, ended=dt.timedelta(hours=3), title="Klimasamling")
    now = timezone.now()
    RegistrationFactory(
        event=event, name="Nils Nynorsk", email="nils@example.org", language="nn", checked_in_at=now
    )
    RegistrationFactory(
        event=event, name="Kari Nordmann", email="kari@example.org", checked_in_at=now
    )
    RegistrationFactory(event=event, email="kom-ikke@example.org")  # confirmed, did not come
    survey = SurveyFactory(event=event, send_after_hours=2)
    rating, single, multiple, text = add_questions(survey)

    celery_worker_factory(env={"FEEDBACK_BEAT_SECONDS": "1"})
    wait_for(lambda: smtp_server.count() >= 2, timeout=90, message="the survey emails")
    by_recipient = {m.rcpt_tos[0]: m for m in smtp_server.messages}
    assert set(by_recipient) == {"nils@example.org", "kari@example.org"}
    nils = by_recipient["nils@example.org"]
    assert nils.message["Subject"] == "Korleis var Klimasamling?"
    body = _text(nils)
    assert "Takk for at du var med." in body and "Svar på undersøkinga" in body
    assert by_recipient["kari@example.org"].message["Subject"] == "Hvordan var Klimasamling?"
    [token] = LINK.findall(body)
    assert SurveyInvitation.objects.get(token=token).registration.email == "nils@example.org"

    page = client.get("/tilbakemelding/%s/" % token)
    assert page.status_code == 200 and "Korleis var Klimasamling?" in page.content.decode()
    data = {
        "q%d" % rating.pk: "5",
        "q%d" % single.pk: "Verkstedene",
        "q%d" % multiple.pk: ["Fagstoff"],
        "q%d" % text.pk: "Godt opplegg.",
    }
    assert client.post("/tilbakemelding/%s/" % token, data).status_code == 302
    assert client.post("/tilbakemelding/%s/" % token, data).status_code == 409
    assert SurveyResponse.objects.count() == 1
    assert SurveyResponse.objects.get().registration_id is None  # anonymous

    # Three days later (moved, not waited for): the beat reminds Kari, once.
    Survey.objects.filter(pk=survey.pk).update(sent_at=timezone.now() - dt.timedelta(hours=73))
    wait_for(lambda: smtp_server.count() >= 3, timeout=60, message="the reminder")
    reminder = smtp_server.messages[-1]
    assert reminder.rcpt_tos == ["kari@example.org"]
    assert reminder.message["Subject"] == "Påminnelse: hvordan var Klimasamling?"
    assert send_due_surveys() == 0 and send_survey_reminders() == 0
    assert OutgoingMessage.objects.filter(kind="feedback_survey_reminder").count() == 1
    assert OutgoingMessage.objects.filter(kind="feedback_survey").count() == 2
