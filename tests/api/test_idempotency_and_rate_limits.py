import json

import pytest
from django.test import RequestFactory

from events.models import Event, Registration
from partners.api_common import _request_hash
from partners.models import IdempotencyRecord

from .conftest import Api, assert_error_shape
from .test_events_api import NEW_EVENT
from .test_registrations_api import PERSON


def test_same_key_and_body_returns_the_first_answer_and_creates_once(world, as_organiser):
    headers = {"Idempotency-Key": "create-vaarsamling-1"}
    first = as_organiser.post("/events", NEW_EVENT, headers=headers)
    again = as_organiser.post("/events", NEW_EVENT, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.content == again.content
    assert again["Idempotent-Replayed"] == "true"
    assert Event.objects.filter(title="Vårsamling").count() == 1


def test_same_key_with_another_body_is_refused(world, as_organiser):
    headers = {"Idempotency-Key": "k1"}
    as_organiser.post("/events", NEW_EVENT, headers=headers)
    other = as_organiser.post("/events", {**NEW_EVENT, "title": "Annet"}, headers=headers)
    assert_error_shape(other, 422, "idempotency_key_reused")
    assert not Event.objects.filter(title="Annet").exists()


def test_the_same_key_from_another_client_is_another_request(world, as_organiser, as_superuser):
    headers = {"Idempotency-Key": "shared"}
    assert as_organiser.post("/events", NEW_EVENT, headers=headers).status_code == 201
    assert as_superuser.post("/events", NEW_EVENT, headers=headers).status_code == 201
    assert Event.objects.filter(title="Vårsamling").count() == 2


def test_without_a_key_each_post_creates(world, as_organiser):
    as_organiser.post("/events", NEW_EVENT)
    as_organiser.post("/events", NEW_EVENT)
    assert Event.objects.filter(title="Vårsamling").count() == 2
    assert not IdempotencyRecord.objects.exists()


def test_a_public_registration_replayed_with_its_key_registers_once(world):
    headers = {"Idempotency-Key": "reg-1"}
    path = "/events/%d/registrations" % world.published.pk
    first = Api().post(path, PERSON, headers=headers)
    again = Api().post(path, PERSON, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Registration.objects.count() == 1


def test_an_error_answer_is_replayed_too(world, as_organiser):
    headers = {"Idempotency-Key": "bad"}
    body = {**NEW_EVENT, "network": "nope"}
    first = as_organiser.post("/events", body, headers=headers)
    again = as_organiser.post("/events", body, headers=headers)
    assert first.status_code == again.status_code == 422
    assert first.content == again.content


def test_a_request_still_in_progress_is_409(world, as_organiser):
    IdempotencyRecord.objects.create(
        client="token:%d" % world.organiser.api_tokens.get().pk,
        key="busy",
        method="POST",
        path="/api/v1/events",
        request_hash="x",
    )
    # The same request, still being handled elsewhere.
    request = RequestFactory().post(
        "/api/v1/events", json.dumps(NEW_EVENT), content_type="application/json"
    )
    IdempotencyRecord.objects.filter(key="busy").update(request_hash=_request_hash(request))
    response = as_organiser.post("/events", NEW_EVENT, headers={"Idempotency-Key": "busy"})
    assert_error_shape(response, 409, "idempotency_in_progress")
    assert response["Retry-After"] == "1"


def test_an_overlong_key_is_a_validation_error(world, as_organiser):
    response = as_organiser.post("/events", NEW_EVENT, headers={"Idempotency-Key": "k" * 300})
    body = assert_error_shape(response, 422, "validation_error")
    assert body["errors"][0]["field"] == "Idempotency-Key"


# Rate limits -----------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ["registrations", "registrations/resend-link"])
def test_public_posts_are_rate_limited_per_client_address(world, settings, endpoint):
    settings.API_PUBLIC_WRITE_RATE = "3/m"
    path = "/events/%d/%s" % (world.published.pk, endpoint)
    api = Api()
    statuses = [
        api.post(path, {**PERSON, "email": "p%d@example.org" % i}).status_code for i in range(4)
    ]
    assert 429 not in statuses[:3]
    assert statuses[3] == 429
    limited = api.post(path, PERSON)
    body = assert_error_shape(limited, 429, "rate_limited")
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert body["message"]
    # Another address is not limited.
    other = Api()
    other.client.defaults["REMOTE_ADDR"] = "10.9.8.7"
    assert other.post(path, {**PERSON, "email": "z@example.org"}).status_code in (201, 202)


def test_the_rate_limit_counts_invalid_requests_too(world, settings):
    settings.API_PUBLIC_WRITE_RATE = "2/m"
    path = "/events/%d/registrations" % world.published.pk
    api = Api(language="en")
    assert api.post(path, {}).status_code == 422
    assert api.post(path, {}).status_code == 422
    response = api.post(path, {})
    assert response.status_code == 429
    assert response.json()["message"].startswith("Too many requests")


def test_organiser_reads_are_not_rate_limited(world, settings, as_organiser):
    settings.API_PUBLIC_WRITE_RATE = "1/m"
    for _ in range(5):
        assert as_organiser.get("/events").status_code == 200
