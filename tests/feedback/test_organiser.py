"""The organiser's survey pages: settings, questions, copying from an earlier survey, scoping."""

import datetime as dt

import pytest

from feedback.models import Survey, SurveyQuestion
from tests.factories import EventFactory, HostFactory, SurveyFactory, SurveyQuestionFactory

from .conftest import add_questions, past_event


@pytest.fixture
def organiser_client(client, feedback):
    client.force_login(feedback.organiser)
    return client


def _url(event, rest=""):
    return "/arrangor/tilbakemelding/%d/%s" % (event.pk, rest)


def test_the_event_pages_link_to_the_survey(organiser_client, feedback):
    html = organiser_client.get("/arrangor/arrangementer/%d/" % feedback.event.pk).content.decode()
    assert 'href="%s"' % _url(feedback.event) in html


def test_create_a_survey_with_settings(organiser_client, feedback):
    event = EventFactory(network=feedback.network)
    page = organiser_client.get(_url(event))
    assert page.status_code == 200 and "Create the survey" in page.content.decode()
    response = organiser_client.post(
        _url(event),
        {
            "send_after_hours": "6",
            "audience": "confirmed",
            "reminder_after_hours": "",
            "open_days": "7",
        },
    )
    assert response.status_code == 302
    survey = Survey.objects.get(event=event)
    assert (survey.send_after_hours, survey.audience, survey.anonymous) == (6, "confirmed", False)
    assert (survey.reminder_after_hours, survey.open_days) == (None, 7)


def test_a_reminder_after_the_survey_closes_is_refused(organiser_client, feedback):
    response = organiser_client.post(
        _url(feedback.event),
        {
            "send_after_hours": "2",
            "audience": "checked_in",
            "reminder_after_hours": "400",
            "open_days": "14",
        },
    )
    assert response.status_code == 400
    assert "The reminder must go out while the survey is open." in response.content.decode()
    feedback.survey.refresh_from_db()
    assert feedback.survey.reminder_after_hours == 72


def test_add_questions_of_each_kind_in_order(organiser_client, feedback):
    SurveyQuestion.objects.all().delete()
    for data in [
        {"text": "Hvordan var det?", "kind": "rating", "required": "on"},
        {"text": "Beste del?", "kind": "single_choice", "choices": "A\nB"},
        {"text": "Mer av?", "kind": "multiple_choice", "choices": "X\nY\nZ"},
        {"text": "Annet?", "kind": "free_text"},
    ]:
        assert organiser_client.post(_url(feedback.event, "sporsmal/"), data).status_code == 302
    stored = list(feedback.survey.questions.values_list("text", "kind", "choices", "required"))
    assert stored == [
        ("Hvordan var det?", "rating", [], True),
        ("Beste del?", "single_choice", ["A", "B"], False),
        ("Mer av?", "multiple_choice", ["X", "Y", "Z"], False),
        ("Annet?", "free_text", [], False),
    ]
    last = feedback.survey.questions.last()
    organiser_client.post(_url(feedback.event, "sporsmal/%d/flytt/" % last.pk), {"direction": "up"})
    assert [q.text for q in feedback.survey.questions.all()][2:] == ["Annet?", "Mer av?"]
    organiser_client.post(_url(feedback.event, "sporsmal/%d/slett/" % last.pk))
    assert feedback.survey.questions.count() == 3


def test_a_choice_question_needs_two_choices(organiser_client, feedback):
    before = feedback.survey.questions.count()
    response = organiser_client.post(
        _url(feedback.event, "sporsmal/"),
        {"text": "Beste del?", "kind": "single_choice", "choices": "A"},
    )
    assert response.status_code == 400
    assert "Give at least two choices, one per line." in response.content.decode()
    assert feedback.survey.questions.count() == before


def test_nothing_changes_once_sent(organiser_client, sent):
    response = organiser_client.post(
        _url(sent.event, "sporsmal/"), {"text": "Ny?", "kind": "rating"}, follow=True
    )
    html = response.content.decode()
    assert "The survey has been sent and can no longer be changed." in html
    assert "Add question" not in html
    assert sent.survey.questions.count() == 4


def test_copy_questions_from_an_earlier_survey_the_organiser_sees(organiser_client, feedback):
    new_event = EventFactory(network=feedback.network, title="Neste samling")
    survey = SurveyFactory(event=new_event)
    telemark_event = EventFactory(host=HostFactory(name="Telemark fylkeskommune", slug="telemark"))
    foreign = SurveyFactory(event=telemark_event)
    SurveyQuestionFactory(survey=foreign, text="Hemmelig spørsmål")
    page = organiser_client.get(_url(new_event)).content.decode()
    assert "Klimasamling" in page and telemark_event.title not in page
    refused = organiser_client.post(_url(new_event, "kopier/"), {"source": foreign.pk})
    assert refused.status_code == 400
    assert not survey.questions.exists()
    response = organiser_client.post(_url(new_event, "kopier/"), {"source": feedback.survey.pk})
    assert response.status_code == 302
    assert [q.text for q in survey.questions.all()] == [
        "Hvordan var samlingen?",
        "Hvilken del var best?",
        "Hva vil du ha mer av?",
        "Annet du vil si?",
    ]


@pytest.mark.parametrize("rest", ["", "resultater/", "resultater.xlsx"])
def test_another_hosts_organiser_gets_a_404(client, feedback, rest):
    client.force_login(feedback.other_organiser)
    assert client.get(_url(feedback.event, rest)).status_code == 404


def test_the_survey_page_costs_the_same_queries_with_one_or_many_earlier_surveys(
    organiser_client, feedback, django_assert_num_queries
):
    event = EventFactory(network=feedback.network)
    SurveyFactory(event=event)
    organiser_client.get(_url(event))

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert organiser_client.get(_url(event)).status_code == 200
        return len(queries)

    one = count()
    for days in range(2, 7):
        add_questions(
            SurveyFactory(event=past_event(feedback.network, ended=dt.timedelta(days=days)))
        )
    with django_assert_num_queries(one):
        organiser_client.get(_url(event))
