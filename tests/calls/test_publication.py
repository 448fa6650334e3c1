"""Moderation: only answers an organiser published, with consent, show on the page and in the
API; their files only when published too."""

import pytest
from django.core.files.base import ContentFile

from calls.models import AnswerAttachment
from tests.factories import AnswerFactory

from .conftest import PDF


@pytest.fixture
def answers(call):
    shown = AnswerFactory(
        call=call,
        name="Vist Person",
        text="Publisert tekst.",
        consent_to_publish=True,
        published=True,
    )
    AnswerFactory(
        call=call, name="Skjult Person", text="Upublisert tekst.", consent_to_publish=True
    )
    AnswerFactory(call=call, name="Uten Samtykke", text="Privat tekst.")
    return shown


def _attach(answer, name, published):
    attachment = AnswerAttachment(
        answer=answer,
        original_name=name,
        content_type="application/pdf",
        size=len(PDF),
        sha256="0" * 64,
        published=published,
    )
    attachment.file.save("x.pdf", ContentFile(PDF), save=False)
    attachment.save()
    return attachment


def test_the_page_shows_only_published_answers(client, call, answers):
    page = client.get(call.get_absolute_url()).content.decode()
    assert "Publisert tekst." in page and "Vist Person" in page
    for hidden in ("Upublisert tekst.", "Skjult Person", "Privat tekst.", "Uten Samtykke"):
        assert hidden not in page


def test_the_api_shows_only_published_answers(client, call, answers):
    body = client.get("/api/v1/calls/%s" % call.slug).json()
    assert [a["name"] for a in body["published_answers"]] == ["Vist Person"]
    assert "Upublisert" not in str(body) and "Privat" not in str(body)


def test_nothing_is_shown_when_the_call_does_not_publish(client, call, answers):
    call.publishes_answers = False
    call.save()
    assert "Publisert tekst." not in client.get(call.get_absolute_url()).content.decode()
    assert client.get("/api/v1/calls/%s" % call.slug).json()["published_answers"] == []


def test_files_of_published_answers_only_when_published(client, call, answers):
    public = _attach(answers, "offentlig.pdf", published=True)
    private = _attach(answers, "intern.pdf", published=False)
    hidden_answer = call.answers.get(name="Skjult Person")
    of_hidden = _attach(hidden_answer, "skjult.pdf", published=True)
    page = client.get(call.get_absolute_url()).content.decode()
    assert "offentlig.pdf" in page and "intern.pdf" not in page and "skjult.pdf" not in page
    url = "/innspill/%s/svar/%d/vedlegg/%d/"
    response = client.get(url % (call.slug, answers.pk, public.pk))
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert client.get(url % (call.slug, answers.pk, private.pk)).status_code == 404
    assert client.get(url % (call.slug, hidden_answer.pk, of_hidden.pk)).status_code == 404
    assert client.get(url % ("annen", answers.pk, public.pk)).status_code == 404


def test_a_withdrawn_answer_cannot_stay_published(call, answers):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    answers.withdrawn_at = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        answers.save()
