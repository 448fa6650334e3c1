"""The personal link: see, change or withdraw an answer until the deadline, and not after."""

import datetime as dt

import pytest
from django.utils import timezone

from calls.models import Answer
from calls.services.answering import AnswerDetails, change_answer, withdraw_answer
from calls.services.errors import CallClosed
from tests.factories import AnswerFactory
from worker.models import OutgoingMessage


@pytest.fixture
def answer(call):
    return AnswerFactory(call=call, name="Kari", email="kari@example.org", text="Første tekst.")


def _change_data(call, text):
    first, second = list(call.questions.all())
    return {"name": "Kari N.", "language": "en", "q_%d" % first.pk: text, "q_%d" % second.pk: ""}


def test_the_link_shows_the_answer_and_offers_change_and_withdraw(client, answer):
    page = client.get(answer.get_absolute_url()).content.decode()
    assert "Første tekst." in page
    assert "/endre/" in page and "/trekk/" in page
    assert client.get("/innspill/svar/not-a-token/").status_code == 404


def test_change_before_the_deadline(client, answer):
    url = "/innspill/svar/%s/endre/" % answer.token
    assert client.get(url).status_code == 200
    response = client.post(url, _change_data(answer.call, "Ny tekst."))
    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.name == "Kari N." and answer.email == "kari@example.org"
    assert [t.text for t in answer.texts.all()] == ["Ny tekst."]
    receipt = OutgoingMessage.objects.get(kind="call_answer_changed")
    assert "Ny tekst." in receipt.text_body and receipt.language == "en"


def test_change_and_withdraw_refused_one_second_after_the_deadline(client, answer):
    answer.call.closes_at = timezone.now() - dt.timedelta(seconds=1)
    answer.call.save()
    change = client.post(
        "/innspill/svar/%s/endre/" % answer.token, _change_data(answer.call, "For sent.")
    )
    withdraw = client.post("/innspill/svar/%s/trekk/" % answer.token)
    assert change.status_code == 409 and withdraw.status_code == 409
    assert "can no longer be changed" in change.content.decode()
    answer.refresh_from_db()
    assert {t.text for t in answer.texts.all()} == {"Første tekst."} and not answer.withdrawn_at
    page = client.get(answer.get_absolute_url()).content.decode()
    assert "/endre/" not in page and "The deadline was" in page


def test_withdraw_before_the_deadline(client, answer):
    answer.consent_to_publish = True
    answer.published = True
    answer.save()
    assert client.get("/innspill/svar/%s/trekk/" % answer.token).status_code == 200
    response = client.post("/innspill/svar/%s/trekk/" % answer.token)
    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.withdrawn_at is not None and not answer.published
    assert OutgoingMessage.objects.filter(kind="call_answer_withdrawn").count() == 1
    page = client.get(answer.get_absolute_url()).content.decode()
    assert "You have withdrawn this answer." in page and "/endre/" not in page
    # Withdrawn: no second withdrawal, no change.
    assert client.post("/innspill/svar/%s/trekk/" % answer.token).status_code == 409


def test_the_services_refuse_late_changes_at_the_second(answer):
    deadline = answer.call.closes_at
    details = AnswerDetails(name="Kari", email="", texts={answer.call.questions.first().pk: "x"})
    with pytest.raises(CallClosed):
        change_answer(answer=answer, details=details, now=deadline)
    with pytest.raises(CallClosed):
        withdraw_answer(answer=answer, now=deadline + dt.timedelta(seconds=1))
    change_answer(answer=answer, details=details, now=deadline - dt.timedelta(seconds=1))
    assert Answer.objects.get().texts.get().text == "x"
