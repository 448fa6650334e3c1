"""Changing a survey question in place on the organiser's survey page, before it is sent."""

import re

import pytest

from tests.html_checks import page_problems

from .test_organiser import _url


@pytest.fixture
def organiser_client(client, feedback):
    client.force_login(feedback.organiser)
    return client


def _edit(fb, question):
    return _url(fb.event, "sporsmal/%d/endre/" % question.pk)


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_the_survey_page_opens_the_question_in_place(organiser_client, feedback, language):
    organiser_client.cookies["django_language"] = language
    page = organiser_client.get(_url(feedback.event)).content.decode()
    assert 'href="%s#edit-question"' % _edit(feedback, feedback.single) in page

    response = organiser_client.get(_edit(feedback, feedback.single))
    html = response.content.decode()
    assert response.status_code == 200
    assert page_problems(html) == []
    found = re.search(r'<tr id="edit-question">(.*?)</tr>', html, re.S)
    assert found is not None
    form = found.group(1)
    assert 'value="Hvilken del var best?"' in form
    assert "Foredragene\nVerkstedene" in form
    # The other questions stay rows of the table, the add form is still there.
    assert '<th scope="row">Hvordan var samlingen?' in html
    assert 'id="id_text"' in html and 'id="id_edit-text"' in html


def test_change_label_kind_choices_and_required(organiser_client, feedback):
    position = feedback.single.position
    response = organiser_client.post(
        _edit(feedback, feedback.single),
        {
            "edit-text": "Hvilke deler var best?",
            "edit-kind": "multiple_choice",
            "edit-choices": "Foredragene\nVerkstedene\nLunsjen",
            "edit-required": "on",
        },
        follow=True,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "The question was saved." in html
    assert "Hvilke deler var best?" in html and "Foredragene, Verkstedene, Lunsjen" in html
    feedback.single.refresh_from_db()
    assert (feedback.single.text, feedback.single.kind) == (
        "Hvilke deler var best?",
        "multiple_choice",
    )
    assert feedback.single.choices == ["Foredragene", "Verkstedene", "Lunsjen"]
    assert feedback.single.required is True and feedback.single.position == position

    # A choice question turned into a rating loses its choices.
    organiser_client.post(
        _edit(feedback, feedback.single), {"edit-text": "Karakter?", "edit-kind": "rating"}
    )
    feedback.single.refresh_from_db()
    assert (feedback.single.kind, feedback.single.choices, feedback.single.required) == (
        "rating",
        [],
        False,
    )


@pytest.mark.parametrize(
    ("data", "language", "message"),
    [
        (
            {"edit-text": "Beste del?", "edit-kind": "single_choice", "edit-choices": "Bare én"},
            "nn",
            "Skriv minst to svaralternativ, eitt per linje.",
        ),
        (
            {"edit-text": "Beste del?", "edit-kind": "single_choice", "edit-choices": "A"},
            "en",
            "Give at least two choices, one per line.",
        ),
        ({"edit-text": "   ", "edit-kind": "rating"}, "en", "This field is required."),
        ({"edit-text": "Beste del?", "edit-kind": "ukjent"}, "en", "Select a valid choice."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_changes(
    organiser_client, feedback, data, language, message
):
    organiser_client.cookies["django_language"] = language
    response = organiser_client.post(_edit(feedback, feedback.single), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert page_problems(html) == []
    assert 'id="edit-question"' in html  # the form stays in place, with the error
    feedback.single.refresh_from_db()
    assert feedback.single.text == "Hvilken del var best?"
    assert feedback.single.choices == ["Foredragene", "Verkstedene"]


def test_a_sent_survey_keeps_its_questions(organiser_client, sent):
    page = organiser_client.get(_url(sent.event)).content.decode()
    assert "/endre/" not in page
    response = organiser_client.post(
        _edit(sent, sent.rating), {"edit-text": "Endret?", "edit-kind": "rating"}, follow=True
    )
    assert "The survey has been sent and can no longer be changed." in response.content.decode()
    sent.rating.refresh_from_db()
    assert sent.rating.text == "Hvordan var samlingen?"


def test_another_hosts_organiser_cannot_change_a_question(client, feedback):
    client.force_login(feedback.other_organiser)
    response = client.post(
        _edit(feedback, feedback.rating), {"edit-text": "Hacket", "edit-kind": "rating"}
    )
    assert response.status_code == 404
    feedback.rating.refresh_from_db()
    assert feedback.rating.text == "Hvordan var samlingen?"
