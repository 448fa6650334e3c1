"""Answering through the public form, without JavaScript, in nb, nn and en."""

import datetime as dt

import pytest
from django.utils import timezone

from calls.models import Answer, AnswerText
from worker.models import OutgoingMessage

from .conftest import form_data


@pytest.mark.parametrize(
    ("language", "deadline_words", "button"),
    [
        ("nb", "Fristen er", "Send innspillet"),
        ("nn", "Fristen er", "Send innspelet"),
        ("en", "The deadline is", "Send your answer"),
    ],
)
def test_the_form_in_each_language(client, call, language, deadline_words, button):
    client.cookies["django_language"] = language
    response = client.get(call.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert deadline_words in page and button in page
    assert 'enctype="multipart/form-data"' in page and "csrfmiddlewaretoken" in page
    response = client.post(call.get_absolute_url(), form_data(call, language=language))
    answer = Answer.objects.get()
    assert response.status_code == 302 and response["Location"] == answer.get_absolute_url()
    assert answer.language == language
    assert AnswerText.objects.get(answer=answer).text == "Et nettverk for kystkultur."


def test_the_deadline_in_words(client, call):
    call.closes_at = dt.datetime(2030, 12, 27, 23, 59, tzinfo=dt.UTC) - dt.timedelta(hours=1)
    call.save()
    client.cookies["django_language"] = "nb"
    page = client.get(call.get_absolute_url()).content.decode()
    assert "Fristen er <time" in page and "27. desember 2030</time>" in page


def test_an_answer_gets_its_receipt_with_a_copy_and_the_personal_link(client, call):
    client.post(call.get_absolute_url(), form_data(call, language="nn"))
    answer = Answer.objects.get()
    message = OutgoingMessage.objects.get(kind="call_answer")
    assert message.to_email == "kari@example.org" and message.language == "nn"
    assert "Et nettverk for kystkultur." in message.text_body
    assert "http://testserver" not in message.text_body
    assert answer.get_absolute_url() in message.text_body
    assert answer.get_absolute_url() in message.html_body
    assert call.title in message.subject
    # Through the link in the receipt, the person sees the answer.
    link = answer.get_absolute_url()
    page = client.get(link).content.decode()
    assert "Et nettverk for kystkultur." in page and "Kari Nordmann" in page


@pytest.mark.parametrize(
    ("change", "field_text"),
    [
        ({"name": ""}, "This field is required."),
        ({"email": "not-an-address"}, "Enter a valid email address."),
        ({"q_first": ""}, "This field is required."),
        ({"on_behalf": "on"}, "Choose or type the organisation you answer on behalf of."),
    ],
)
def test_bad_input_is_refused_and_stores_nothing(client, call, change, field_text):
    first = call.questions.first()
    change = {("q_%d" % first.pk if k == "q_first" else k): v for k, v in change.items()}
    response = client.post(call.get_absolute_url(), form_data(call, **change))
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and field_text in page
    assert not Answer.objects.exists() and not OutgoingMessage.objects.exists()


def test_an_empty_answer_is_refused(client, call):
    call.questions.update(required=False)
    first = call.questions.first()
    response = client.post(call.get_absolute_url(), form_data(call, **{"q_%d" % first.pk: "  "}))
    assert response.status_code == 400
    assert "Your answer is empty" in response.content.decode()
    assert not Answer.objects.exists()


def test_a_late_answer_is_refused_one_second_after_the_deadline(client, call):
    page = client.get(call.get_absolute_url())
    assert page.status_code == 200
    call.closes_at = timezone.now() - dt.timedelta(seconds=1)
    call.save()
    response = client.post(call.get_absolute_url(), form_data(call))
    assert response.status_code == 409
    assert "The deadline has passed" in response.content.decode()
    assert not Answer.objects.exists()


def test_a_known_organisation_typed_by_hand_is_linked(client, call):
    from tests.factories import OrganisationFactory

    known = OrganisationFactory(name="Skien kommune")
    client.post(
        call.get_absolute_url(),
        form_data(call, organisation_name="skien KOMMUNE", on_behalf="on"),
    )
    answer = Answer.objects.get()
    assert answer.organisation == known and answer.organisation_name == "" and answer.on_behalf


def test_an_invitation_only_call_refuses_the_open_form(client, call):
    call.audience = call.Audience.INVITED
    call.save()
    page = client.get(call.get_absolute_url()).content.decode()
    assert (
        "by invitation only" in page
        and "csrfmiddlewaretoken" not in page.split("answer-heading")[1]
    )
    response = client.post(call.get_absolute_url(), form_data(call))
    assert response.status_code == 409
    assert not Answer.objects.exists()


def test_an_invitation_link_takes_the_answer_once(client, call):
    from calls.models import CallInvitation
    from tests.factories import CallInvitationFactory

    call.audience = call.Audience.INVITED
    call.save()
    invitation = CallInvitationFactory(call=call, email="ola@example.org", name="Ola")
    url = invitation.get_absolute_url()
    page = client.get(url).content.decode()
    assert "ola@example.org" in page and 'value="Ola"' in page
    data = form_data(call)
    del data["email"]
    response = client.post(url, data)
    answer = Answer.objects.get()
    assert response.status_code == 302
    assert answer.email == "ola@example.org" and answer.invitation == invitation
    invitation.refresh_from_db()
    assert invitation.state == CallInvitation.State.ANSWERED
    # The link now leads to the answer, not to a second form.
    assert client.get(url)["Location"] == answer.get_absolute_url()
