"""The public calls API: published calls, one call, and answering (throttled, idempotent)."""

import datetime as dt

import pytest
from django.utils import timezone

from calls.models import Answer, Call
from tests.factories import CallFactory
from worker.models import OutgoingMessage


def _body(call, **overrides):
    first = call.questions.first()
    body = {
        "name": "Kari Nordmann",
        "email": "kari@example.org",
        "language": "nn",
        "answers": [{"question": first.pk, "text": "Eit nettverk for kystkultur."}],
    }
    body.update(overrides)
    return body


def test_lists_published_calls_open_first(client, call):
    closed = CallFactory(
        opens_at=timezone.now() - dt.timedelta(days=30),
        closes_at=timezone.now() - dt.timedelta(days=1),
    )
    CallFactory(status=Call.Status.DRAFT)
    body = client.get("/api/v1/calls").json()
    assert [c["slug"] for c in body["items"]] == [call.slug, closed.slug]
    assert [c["is_open"] for c in body["items"]] == [True, False]


def test_a_draft_is_not_found(client, db):
    draft = CallFactory(status=Call.Status.DRAFT)
    assert client.get("/api/v1/calls/%s" % draft.slug).status_code == 404
    assert client.post(
        "/api/v1/calls/%s/answers" % draft.slug, {}, content_type="application/json"
    ).status_code in (404, 422)


def test_one_call_with_its_questions_and_deadline_in_words(client, call):
    body = client.get("/api/v1/calls/%s" % call.slug, HTTP_ACCEPT_LANGUAGE="nb").json()
    assert [q["text"] for q in body["questions"]] == [q.text for q in call.questions.all()]
    assert body["contact_name"] == "Tom Omnes Lia"
    assert body["deadline"]


def test_answer_through_the_api(client, call, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            "/api/v1/calls/%s/answers" % call.slug, _body(call), content_type="application/json"
        )
    assert response.status_code == 201
    answer = Answer.objects.get()
    assert response.json()["manage_url"].endswith(answer.get_absolute_url())
    message = OutgoingMessage.objects.get(kind="call_answer")
    assert answer.get_absolute_url() in message.text_body and message.language == "nn"
    assert callbacks, "delivery is enqueued after the commit"


def test_a_late_answer_is_refused_one_second_after_the_deadline(client, call):
    call.closes_at = timezone.now() - dt.timedelta(seconds=1)
    call.save()
    response = client.post(
        "/api/v1/calls/%s/answers" % call.slug, _body(call), content_type="application/json"
    )
    assert response.status_code == 409 and response.json()["code"] == "closed"
    assert "deadline" in response.json()["message"]
    assert not Answer.objects.exists()


def test_invitation_only_refuses_the_public_api(client, call):
    call.audience = Call.Audience.INVITED
    call.save()
    response = client.post(
        "/api/v1/calls/%s/answers" % call.slug, _body(call), content_type="application/json"
    )
    assert response.status_code == 403 and response.json()["code"] == "invitation_only"
    assert not Answer.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "nope"}, "email"),
        ({"answers": []}, "answers.%d"),
        ({"answers": [{"question": 999999, "text": "x"}]}, None),
    ],
)
def test_bad_input_gets_the_error_shape_and_stores_nothing(client, call, change, field):
    response = client.post(
        "/api/v1/calls/%s/answers" % call.slug,
        _body(call, **change),
        content_type="application/json",
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error" and body["message"]
    if field:
        expected = field % call.questions.first().pk if "%d" in field else field
        assert [e["field"] for e in body["errors"]] == [expected]
    assert not Answer.objects.exists() and not OutgoingMessage.objects.exists()


def test_the_same_idempotency_key_answers_once(client, call):
    url = "/api/v1/calls/%s/answers" % call.slug
    first = client.post(
        url, _body(call), content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    again = client.post(
        url, _body(call), content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Answer.objects.count() == 1


def test_answers_are_rate_limited(client, call, settings):
    settings.API_PUBLIC_WRITE_RATE = "2/m"
    url = "/api/v1/calls/%s/answers" % call.slug
    statuses = [
        client.post(
            url,
            _body(call, email="p%d@example.org" % n),
            content_type="application/json",
            REMOTE_ADDR="203.0.113.%d" % 77,
        ).status_code
        for n in range(3)
    ]
    assert statuses[-1] == 429
