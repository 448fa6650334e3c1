"""Survey invitations and named responses past the host's retention period (DESIGN rule 8):
the link dies, the response is no longer the participant's, the survey's counts hold."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from feedback.models import Survey, SurveyInvitation
from feedback.results import survey_results
from feedback.services.answering import submit_survey_response
from feedback.services.retention import apply_feedback_retention

from .conftest import answers, invitation_of


@pytest.fixture
def answered(feedback):
    """Not anonymous, sent to Kari and Nils; Kari answered and signed her text."""
    from feedback.services.sending import send_due_surveys

    Survey.objects.filter(pk=feedback.survey.pk).update(anonymous=False)
    assert send_due_surveys() == 2
    submit_survey_response(
        invitation=invitation_of(feedback.kari),
        data=answers(feedback, text="Takk for sist! Kari Nordmann"),
    )
    return feedback


def test_retention_waits_for_the_hosts_period(answered):
    kari = invitation_of(answered.kari)
    before_cutoff = answered.event.ends_at + dt.timedelta(days=answered.host.retention_days - 1)
    assert apply_feedback_retention(now=before_cutoff).invitations_anonymised == 0
    assert invitation_of(answered.kari).token == kari.token
    assert answered.survey.responses.get().registration == answered.kari


def test_retention_kills_the_links_unlinks_the_answers_and_keeps_the_counts(client, answered):
    links = [invitation_of(r).get_absolute_url() for r in (answered.kari, answered.nils)]
    after = answered.event.ends_at + dt.timedelta(days=answered.host.retention_days + 1)

    result = apply_feedback_retention(now=after)

    assert (result.invitations_anonymised, result.responses_unlinked) == (2, 1)
    for link in links:
        assert client.get(link).status_code == 404
    assert SurveyInvitation.objects.filter(anonymised_at=after).count() == 2
    response = answered.survey.responses.get()
    assert response.registration is None
    results = survey_results(answered.survey)
    assert (results.invited, results.answered) == (2, 1)
    [text] = [q for q in results.questions if q.question == answered.text]
    assert text.texts == ["Takk for sist! –"]
    [rating] = [q for q in results.questions if q.question == answered.rating]
    assert rating.average == 4
    # A second run finds nothing left to do.
    again = apply_feedback_retention(now=after + dt.timedelta(days=1))
    assert (again.invitations_anonymised, again.responses_unlinked) == (0, 0)


def test_the_daily_command_runs_the_feedback_retention(answered):
    answered.host.retention_days = 0  # the event ended three hours ago
    answered.host.save(update_fields=["retention_days"])
    out = StringIO()
    call_command("apply_retention", stdout=out)
    assert "Survey invitations anonymised: 2; survey answers unlinked from the participant: 1" in (
        out.getvalue()
    )
    assert answered.survey.responses.get().registration is None
    [text] = answered.text.answers.all()
    assert "Kari Nordmann" not in text.text
