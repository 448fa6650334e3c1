"""A body over Django's upload limit is refused in the API's error shape, not as an HTML page
(schemathesis found the send-out's 1,000,000-character new_people, JSON-escaped, over it)."""

import json

import pytest

from .conftest import assert_error_shape


@pytest.mark.parametrize("idempotency_key", [None, "big-1"])
def test_too_large_body_is_a_json_400(world, client, idempotency_key):
    headers = {"HTTP_AUTHORIZATION": "Bearer " + world.token(world.organiser)}
    if idempotency_key:
        headers["HTTP_IDEMPOTENCY_KEY"] = idempotency_key
    response = client.post(
        "/api/v1/events/%d/sendouts" % world.published.pk,
        json.dumps({"new_people": "\u00d2" * 1_000_000}),  # 6 MB as \u escapes
        content_type="application/json",
        **headers,
    )
    assert_error_shape(response, 400, "bad_request")
    assert response.json()["message"] == "The request body is too large."
