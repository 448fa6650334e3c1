"""Results: the numbers on the page match the answers; SVG charts readable without JavaScript;
free texts; the XLSX read back; the same question at an earlier event; the API."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from feedback.services.answering import submit_survey_response
from feedback.services.sending import send_due_surveys
from partners.api_tokens import create_api_token
from tests.factories import RegistrationFactory, SurveyFactory
from tests.html_checks import page_problems

from .conftest import add_questions, answers, invitation_of, past_event


def _answer(fb, registration, **overrides):
    submit_survey_response(invitation=invitation_of(registration), data=answers(fb, **overrides))


@pytest.fixture
def answered(sent):
    _answer(sent, sent.kari, rating="5", multiple=["Mingling"], text="=1+1 og mer kaffe")
    _answer(sent, sent.nils, rating="3", single="Foredragene", text="")
    return sent


@pytest.fixture
def organiser_client(client, feedback):
    client.force_login(feedback.organiser)
    return client


def _results(event):
    return "/arrangor/tilbakemelding/%d/resultater/" % event.pk


def test_the_results_page_shows_the_numbers_of_the_answers(organiser_client, answered):
    response = organiser_client.get(_results(answered.event))
    assert response.status_code == 200
    html = response.content.decode()
    assert page_problems(html) == []
    assert "<dt>Asked</dt><dd>2</dd>" in html and "<dt>Answered</dt><dd>2</dd>" in html
    assert "100.0 %" in html
    assert "Average: 4.00" in html
    rating_svg = html.split("<svg", 2)[1]
    assert 'role="img"' in rating_svg
    assert 'aria-label="Hvordan var samlingen?: answers per option (2 answered)"' in rating_svg
    assert "<title>5: 1 (50.0 %)</title>" in rating_svg
    assert "<title>4: 0 (0.0 %)</title>" in rating_svg
    assert (
        '<th scope="row">Verkstedene</th><td class="num">1</td><td class="num">50.0 %</td>' in html
    )
    assert '<th scope="row">Mingling</th><td class="num">2</td>' in html
    assert '<ul class="free-texts"><li>=1+1 og mer kaffe</li></ul>' in html


def test_the_xlsx_reads_back_with_the_same_numbers(organiser_client, answered):
    response = organiser_client.get(
        "/arrangor/tilbakemelding/%d/resultater.xlsx" % answered.event.pk
    )
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    counts = [row for row in workbook["Counts"].iter_rows(values_only=True)]
    assert counts[0][:3] == ("Question", "Answer", "Count")
    assert ("Response rate", None, 2, 2, 100) == counts[1][:5]
    assert ("Hvordan var samlingen?", "5", 1, 2, 50) in [r[:5] for r in counts]
    assert ("Hvordan var samlingen?", "Average", 4, 2, None) in [r[:5] for r in counts]
    texts = [row for row in workbook["Free text"].iter_rows(values_only=True)][1:]
    assert texts == [("Annet du vil si?", "'=1+1 og mer kaffe")]  # shown as text, never run


def test_the_same_question_at_an_earlier_event_is_compared(organiser_client, answered):
    later = past_event(answered.network, ended=dt.timedelta(hours=3), title="Vårsamling")
    type(later).objects.filter(pk=later.pk).update(
        starts_at=answered.event.starts_at + dt.timedelta(hours=1),
        ends_at=answered.event.ends_at + dt.timedelta(minutes=30),
    )
    later.refresh_from_db()
    survey = SurveyFactory(event=later)
    add_questions(survey)
    RegistrationFactory(event=later, email="ny@example.org", checked_in_at=timezone.now())
    send_due_surveys()
    html = organiser_client.get(_results(later)).content.decode()
    assert "The same question at Klimasamling: 2 answers. Average: 4.00." in html
    assert '<th scope="col" class="num">Klimasamling</th>' in html


def test_the_results_page_costs_the_same_queries_with_one_or_many_answers(
    organiser_client, sent, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _answer(sent, sent.kari)
    with CaptureQueriesContext(connection) as queries:
        organiser_client.get(_results(sent.event))
    _answer(sent, sent.nils)
    with django_assert_num_queries(len(queries)):
        organiser_client.get(_results(sent.event))


def _api(client, event, token=None):
    headers = {"Authorization": "Bearer " + token} if token else {}
    return client.get("/api/v1/events/%d/survey/results" % event.pk, headers=headers)


def test_the_api_gives_the_organiser_the_results(client, answered):
    response = _api(client, answered.event, create_api_token(user=answered.organiser, name="t").raw)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["invited"], body["answered"], body["response_rate"], body["anonymous"]) == (
        2,
        2,
        100.0,
        True,
    )
    rating = body["questions"][0]
    assert rating["text"] == "Hvordan var samlingen?" and rating["average"] == 4.0
    assert [(o["label"], o["count"]) for o in rating["options"]] == [
        ("1", 0),
        ("2", 0),
        ("3", 1),
        ("4", 0),
        ("5", 1),
    ]
    assert body["questions"][3]["texts"] == ["=1+1 og mer kaffe"]


def test_the_api_refuses_another_host_and_no_token(client, answered):
    other = _api(
        client, answered.event, create_api_token(user=answered.other_organiser, name="t").raw
    )
    assert other.status_code == 403  # a published event: seen, not organised
    assert other.json()["code"] == "permission_denied"
    anonymous = _api(client, answered.event)
    assert anonymous.status_code == 401
