"""The personal link: the survey as a plain form, answered once, closed after its days;
bad input gets a translated message and stores nothing; anonymous answers lead back to nobody."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from feedback.models import SurveyAnswer, SurveyInvitation, SurveyResponse
from tests.html_checks import page_problems

from .conftest import answers, invitation_of


def _url(invitation: SurveyInvitation) -> str:
    return "/tilbakemelding/%s/" % invitation.token


def test_the_page_shows_the_questions_in_fieldsets_in_the_participants_language(client, sent):
    client.defaults.pop("HTTP_ACCEPT_LANGUAGE", None)
    response = client.get(_url(invitation_of(sent.nils)))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="nn">' in html
    assert "Korleis var Klimasamling?" in html
    assert html.count("<fieldset") == 3  # rating, single and multiple choice
    assert "<legend>Hvordan var samlingen?</legend>" in html
    assert 'type="radio" name="q%d" id="q%d_0" value="1"' % (sent.rating.pk, sent.rating.pk) in html
    assert '<label for="q%d">Annet du vil si? (valfritt)</label>' % sent.text.pk in html
    assert "<script" not in html
    assert page_problems(html) == []


def test_answering_once_stores_one_anonymous_response(client, sent):
    client.cookies["django_language"] = "en"  # the reader's choice over the registration's nb
    invitation = invitation_of(sent.kari)
    response = client.post(_url(invitation), answers(sent))
    assert response.status_code == 302
    thanks = client.get(response["Location"])
    assert "Thank you for your answers" in thanks.content.decode()
    second = client.post(_url(invitation), answers(sent, rating="1"))
    assert second.status_code == 409
    assert "already been answered" in second.content.decode()
    assert SurveyResponse.objects.count() == 1
    stored = SurveyResponse.objects.get()
    assert stored.anonymous and stored.registration_id is None
    by_question = {a.question_id: a for a in stored.answers.all()}
    assert by_question[sent.rating.pk].rating == 4
    assert by_question[sent.single.pk].chosen == ["Verkstedene"]
    assert by_question[sent.multiple.pk].chosen == ["Mingling", "Pauser"]
    assert by_question[sent.text.pk].text == "Mer tid til samtaler."
    invitation.refresh_from_db()
    assert invitation.answered_at is not None
    assert "already been answered" in client.get(_url(invitation)).content.decode()


def test_an_anonymous_response_has_no_column_that_leads_to_a_person(db):
    with connection.cursor() as cursor:
        columns = {
            c.name
            for c in connection.introspection.get_table_description(
                cursor, "feedback_surveyresponse"
            )
        }
        answer_columns = {
            c.name
            for c in connection.introspection.get_table_description(cursor, "feedback_surveyanswer")
        }
    assert columns == {"id", "survey_id", "anonymous", "registration_id"}
    assert answer_columns == {"id", "response_id", "question_id", "rating", "chosen", "text"}


def test_the_database_refuses_an_anonymous_response_with_a_registration(sent):
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyResponse.objects.create(survey=sent.survey, anonymous=True, registration=sent.kari)


def test_a_named_survey_links_the_registration_once(client, sent):
    type(sent.survey).objects.filter(pk=sent.survey.pk).update(anonymous=False)
    assert client.post(_url(invitation_of(sent.nils)), answers(sent)).status_code == 302
    assert SurveyResponse.objects.get().registration == sent.nils
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyResponse.objects.create(survey=sent.survey, anonymous=False, registration=sent.nils)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"rating": "7"}, "rating", "Vel ein karakter frå 1 til 5."),
        ({"rating": ""}, "rating", "Svar på dette spørsmålet."),
        ({"single": ["Foredragene", "Verkstedene"]}, "single", "Vel eitt av alternativa."),
        ({"multiple": ["Mingling", "Sol"]}, "multiple", "Vel eitt av alternativa."),
        ({"text": "x" * 4001}, "text", "Hald svaret under 4000 teikn."),
    ],
)
def test_bad_input_gets_a_translated_message_and_stores_nothing(
    client, sent, overrides, field, message
):
    client.cookies["django_language"] = "nn"
    invitation = invitation_of(sent.kari)
    response = client.post(_url(invitation), answers(sent, **overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'id="q%d_error"' % getattr(sent, field).pk in html
    assert page_problems(html) == []
    assert not SurveyResponse.objects.exists() and not SurveyAnswer.objects.exists()
    invitation.refresh_from_db()
    assert invitation.answered_at is None


def test_the_form_keeps_what_was_given_after_an_error(client, sent):
    response = client.post(_url(invitation_of(sent.kari)), answers(sent, rating="7"))
    html = response.content.decode()
    assert 'value="Verkstedene" checked' in html
    assert "Mer tid til samtaler.</textarea>" in html


def test_closed_after_the_open_days(client, sent):
    client.cookies["django_language"] = "en"
    type(sent.survey).objects.filter(pk=sent.survey.pk).update(
        sent_at=timezone.now() - dt.timedelta(days=14, minutes=1)
    )
    invitation = invitation_of(sent.kari)
    assert "closed" in client.get(_url(invitation)).content.decode()
    response = client.post(_url(invitation), answers(sent))
    assert response.status_code == 409
    assert not SurveyResponse.objects.exists()


def test_an_unknown_link_is_a_404_page(client, sent):
    response = client.get("/tilbakemelding/not-a-token/")
    assert response.status_code == 404
    assert "does not lead to a survey" in response.content.decode()


def test_the_survey_page_offers_the_privacy_notice_and_the_data_link(client, sent):
    from worker.models import OutgoingMessage

    invitation = invitation_of(sent.nils)
    html = client.get(_url(invitation)).content.decode()
    assert "/personvern/%s/" % sent.nils.event.host.slug in html
    assert "/mine-data/be-om/tilbakemelding/%s/" % invitation.token in html
    before = OutgoingMessage.objects.filter(to_email__iexact=sent.nils.email).count()
    ask = client.post("/mine-data/be-om/tilbakemelding/%s/" % invitation.token)
    assert ask.status_code == 200
    assert "Check your email" in ask.content.decode()
    assert OutgoingMessage.objects.filter(to_email__iexact=sent.nils.email).count() == before + 1
