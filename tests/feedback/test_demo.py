"""The demo surveys: the 2021 conference's results page shows answers and compares the first
question with 2020; the seed is idempotent; seed_demo builds them."""

import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from events.demo import seed_events
from events.demo.building import demo_uid
from events.models import Event
from feedback.demo import seed_feedback
from feedback.models import Survey, SurveyAnswer, SurveyInvitation, SurveyResponse
from partners.demo import seed_organisers


@pytest.fixture
def demo_feedback(demo):
    seed_organisers()
    seed_events()
    seed_feedback()
    return Event.objects.get(uid=demo_uid("conference-2021"))


def _snapshot():
    return {
        "surveys": sorted(Survey.objects.values_list("event__uid", "sent_at", "audience")),
        "invitations": sorted(
            SurveyInvitation.objects.values_list(
                "registration__email", "token", "answered_at", "reminded_at"
            )
        ),
        "responses": SurveyResponse.objects.count(),
        "answers": sorted(SurveyAnswer.objects.values_list("question__text", "rating", "text")),
    }


def test_the_2021_conference_results_show_answers_and_compare_with_2020(client, demo_feedback):
    client.force_login(User.objects.get(username="arrangor-partnerskapet"))
    client.cookies["django_language"] = "nb"
    survey_page = client.get("/arrangor/tilbakemelding/%d/" % demo_feedback.pk).content.decode()
    assert "Hvordan var konferansen alt i alt?" in survey_page
    response = client.get("/arrangor/tilbakemelding/%d/resultater/" % demo_feedback.pk)
    html = response.content.decode()
    assert response.status_code == 200
    counts = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", html))
    assert (counts["Spurt"], counts["Besvart"]) == ("3", "2")
    assert "66,7 %" in html
    assert "<svg" in html and "Verkstedene" in html
    assert "Flere eksempler fra små kommuner, takk." in html
    assert "Partnerskapskonferansen 2020" in html  # the same first question, a year earlier


def test_the_demo_surveys_are_anonymous_and_sent(demo_feedback):
    survey = Survey.objects.get(event=demo_feedback)
    assert survey.sent_at is not None and survey.anonymous
    assert SurveyResponse.objects.filter(registration__isnull=False).count() == 0
    assert survey.invitations.filter(answered_at__isnull=False).count() == 2
    assert survey.invitations.count() == 3  # those who checked in


def test_the_feedback_seed_changes_nothing_the_second_time(demo_feedback):
    first = _snapshot()
    assert len(first["surveys"]) == 2
    seed_events()
    seed_feedback()
    assert _snapshot() == first


def test_seed_demo_builds_the_surveys(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert Survey.objects.filter(event__uid=demo_uid("conference-2021")).exists()
    assert SurveyResponse.objects.count() == 3
