"""End to end: answer a call for input through the HTML form; the real worker sends the
receipt, the SMTP server receives it, and its personal link opens the answer."""

import re

import pytest

from calls.models import Answer
from tests.calls.conftest import form_data
from tests.factories import CallFactory, CallQuestionFactory
from tests.integration.harness import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_receipt_arrives_by_smtp_and_its_link_works(client, smtp_server, celery_worker):
    call = CallFactory(title="Innspill om klimatiltak")
    CallQuestionFactory(call=call, order=1, text="Hvilke tiltak?", required=True)
    CallQuestionFactory(call=call, order=2, text="Noe mer?")
    client.cookies["django_language"] = "nn"
    response = client.post(
        call.get_absolute_url(), form_data(call, name="Sigrid Lunde", language="nn")
    )
    assert response.status_code == 302
    answer = Answer.objects.get()

    wait_for(lambda: smtp_server.count() >= 1, timeout=60, message="no receipt arrived")
    [message] = [m.message for m in smtp_server.messages]
    assert "kari@example.org" in message["To"] and "Innspill om klimatiltak" in message["Subject"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Et nettverk for kystkultur." in text and "Hvilke tiltak?" in text
    assert "Takk for innspelet ditt." in text  # nynorsk, the answer's language
    [link] = re.findall(r"https?://\S+/innspill/svar/[\w-]+/", text)
    assert link.endswith(answer.get_absolute_url())
    page = client.get(answer.get_absolute_url())
    assert page.status_code == 200 and "Et nettverk for kystkultur." in page.content.decode()
