"""Property-based tests of the whole API against its own OpenAPI document (schemathesis).

Runs in-process against the WSGI application: no server. Every operation gets generated
requests, valid and invalid; public operations are called anonymously, organiser ones with a
token (operations where the token is optional get both). Path ids point at real events and
registrations part of the time, so the generated bodies reach the services too. Checks: never a
server error, every status, content type and body as documented.
"""

import itertools
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from events.models import Registration
from invitations.models import SendOut
from tests.factories import RegistrationFactory

EXAMPLES_PER_OPERATION = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "60"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
calls: dict[str, int] = {}
_flip = itertools.count()


@pytest.fixture
def fuzz_world(world, settings):  # noqa: F811 - pytest-django's settings fixture
    # The rate limit has its own tests; here it would only turn most public POSTs into 429.
    settings.API_PUBLIC_WRITE_RATE = "100000/m"
    waiting = RegistrationFactory(
        event=world.published,
        status=Registration.Status.WAITLISTED,
        waitlisted_at=world.past.ends_at,
    )
    confirmed = RegistrationFactory(event=world.published)
    sendout = SendOut.objects.create(
        event=world.published, created_by=world.organiser, selection={"people": [1]}
    )
    # The real WSGI handler closes the database connection after each request, which would end
    # the test's transaction; Django's own test client disconnects the same signal handlers.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {
        "token": world.token(world.organiser),
        "event_ids": [world.published.pk, world.draft.pk, world.other_published.pk],
        "registration_ids": [waiting.pk, confirmed.pk],
        "sendout_ids": [sendout.pk],
    }
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _needs_token(case) -> str:
    security = case.operation.definition.raw.get("security")
    if not security:
        return "never"
    return "maybe" if {} in security else "always"


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_matches_its_schema(case, fuzz_world):
    turn = next(_flip)
    # Every other case uses a real id, so the request gets past the 404 to the service.
    if turn % 2 == 0:
        if "event_id" in (case.path_parameters or {}):
            ids = fuzz_world["event_ids"]
            case.path_parameters["event_id"] = ids[turn // 2 % len(ids)]
        for name in ("registration_id", "sendout_id"):
            if name in (case.path_parameters or {}):
                ids = fuzz_world[name.replace("_id", "_ids")]
                case.path_parameters[name] = ids[turn // 2 % len(ids)]
    headers = {}
    needs = _needs_token(case)
    if needs == "always" or (needs == "maybe" and turn % 3 != 0):
        headers["Authorization"] = "Bearer " + fuzz_world["token"]
    case.call_and_validate(headers=headers, checks=CHECKS)
    calls[case.operation.label] = calls.get(case.operation.label, 0) + 1


def test_schemathesis_ran_enough_cases():
    """Runs after the generated tests (same module, file order); skipped when they were not run."""
    if not calls:
        pytest.skip("the generated schemathesis tests were not selected")
    total = sum(calls.values())
    print("\nschemathesis: %d cases over %d operations" % (total, len(calls)))
    for label, count in sorted(calls.items()):
        print("  %5d  %s" % (count, label))
    assert len(calls) == len(list(schema.get_all_operations()))
    assert total >= 1000
