import json

import pytest
from django.test import RequestFactory

from api.idempotency import request_hash
from api.models import IdempotencyRecord
from events.models import Event, Registration
from worker.models import OutgoingMessage

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


def test_a_request_refused_as_invalid_leaves_its_key_for_the_corrected_one(world, as_organiser):
    headers = {"Idempotency-Key": "vaarsamling"}
    refused = as_organiser.post("/events", {**NEW_EVENT, "network": "nope"}, headers=headers)
    assert_error_shape(refused, 422, "validation_error")
    corrected = as_organiser.post("/events", NEW_EVENT, headers=headers)
    assert corrected.status_code == 201, corrected.content
    assert "Idempotent-Replayed" not in corrected
    again = as_organiser.post("/events", NEW_EVENT, headers=headers)
    assert again.status_code == 201 and again.content == corrected.content
    assert again["Idempotent-Replayed"] == "true"
    assert Event.objects.filter(title="Vårsamling").count() == 1


def test_a_body_that_is_not_json_leaves_its_key_for_the_corrected_one(world, as_organiser):
    headers = {"Idempotency-Key": "vaarsamling"}
    refused = as_organiser.post("/events", '{"title": "Vårsamling",', headers=headers)
    assert_error_shape(refused, 400, "bad_request")
    corrected = as_organiser.post("/events", NEW_EVENT, headers=headers)
    assert corrected.status_code == 201, corrected.content
    assert Event.objects.filter(title="Vårsamling").count() == 1


def test_a_refused_registration_leaves_its_key_for_the_corrected_one(world):
    headers = {"Idempotency-Key": "reg-typo"}
    path = "/events/%d/registrations" % world.published.pk
    refused = Api().post(path, {**PERSON, "email": "ingrid@"}, headers=headers)
    assert_error_shape(refused, 422, "validation_error")
    corrected = Api().post(path, PERSON, headers=headers)
    assert corrected.status_code == 201, corrected.content
    assert Registration.objects.filter(event=world.published).count() == 1


def test_a_conflict_is_an_answer_and_is_replayed(world):
    """A 409 comes from a rule applied to the request, so the key keeps it (as Stripe does)."""
    path = "/events/%d/registrations" % world.published.pk
    assert Api().post(path, PERSON).status_code == 201
    headers = {"Idempotency-Key": "twice"}
    first = Api().post(path, PERSON, headers=headers)
    assert_error_shape(first, 409, "duplicate")
    Registration.objects.filter(event=world.published).update(status=Registration.Status.CANCELLED)
    again = Api().post(path, PERSON, headers=headers)
    assert again.status_code == 409 and again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert Registration.objects.filter(event=world.published).count() == 1


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
    IdempotencyRecord.objects.filter(key="busy").update(request_hash=request_hash(request))
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


# Redis down: the rate limits step aside -------------------------------------------------------


def _rate_limit_warnings(caplog) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelname == "WARNING" and "rate limit" in record.getMessage().lower()
    ]


def test_public_posts_go_through_while_the_cache_is_unreachable(
    world, settings, unreachable_cache, caplog
):
    settings.API_PUBLIC_WRITE_RATE = "1/m"
    path = "/events/%d/registrations" % world.published.pk
    api = Api()
    first = api.post(path, {**PERSON, "email": "a@example.org"})
    second = api.post(path, {**PERSON, "email": "b@example.org"})
    resend = api.post(path + "/resend-link", {"email": "a@example.org"})
    assert (first.status_code, second.status_code, resend.status_code) == (201, 201, 202)
    assert Registration.objects.filter(event=world.published).count() == 2
    # Two receipts and the link asked for again: nothing was refused for want of a counter.
    assert OutgoingMessage.objects.filter(to_email="a@example.org").count() == 2
    # The operator hears of it once, not once per request.
    [warning] = _rate_limit_warnings(caplog)
    assert unreachable_cache.split("//")[1].split("/")[0] in warning


def test_the_cache_outage_warning_repeats_at_most_once_a_minute(
    world, unreachable_cache, caplog, monkeypatch
):
    from api import throttling

    path = "/events/%d/registrations/resend-link" % world.published.pk
    for _ in range(3):
        assert Api().post(path, {"email": "a@example.org"}).status_code == 202
    assert len(_rate_limit_warnings(caplog)) == 1
    a_minute_later = throttling.monotonic() + 61
    monkeypatch.setattr(throttling, "monotonic", lambda: a_minute_later)
    for _ in range(2):
        assert Api().post(path, {"email": "a@example.org"}).status_code == 202
    assert len(_rate_limit_warnings(caplog)) == 2
