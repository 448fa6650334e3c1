import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from events.models import Event, Question, Session
from partners.api_tokens import create_api_token
from partners.models import Host, Network, Organisation, OrganisationMembership, OrganiserRole
from tests.factories import EventFactory


class Api:
    """The Django test client, speaking JSON to /api/v1/ with an optional token and language."""

    def __init__(self, token: str | None = None, language: str | None = None) -> None:
        self.client = Client()
        self.token = token
        self.language = language

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        result = {}
        if self.token:
            result["Authorization"] = "Bearer " + self.token
        if self.language:
            result["Accept-Language"] = self.language
        result.update(headers or {})
        return result

    def get(self, path: str, params: dict | None = None, **kwargs: Any):
        return self.client.get(
            "/api/v1" + path, params or {}, headers=self._headers(kwargs.get("headers"))
        )

    def _send(self, method: str, path: str, data: Any, headers: dict | None):
        body = data if isinstance(data, str | bytes) else json.dumps(data)
        return getattr(self.client, method)(
            "/api/v1" + path,
            body,
            content_type="application/json",
            headers=self._headers(headers),
        )

    def post(self, path: str, data: Any = None, headers: dict | None = None):
        return self._send("post", path, {} if data is None else data, headers)

    def patch(self, path: str, data: Any = None, headers: dict | None = None):
        return self._send("patch", path, {} if data is None else data, headers)


@dataclass
class World:
    vestfold: Host
    telemark: Host
    klima: Network
    mobilitet: Network
    kommune: Organisation
    organiser: Any  # organises klima
    other_organiser: Any  # organises mobilitet
    superuser: Any
    nobody: Any  # a user without any organiser role
    published: Event  # klima, upcoming, open
    draft: Event  # klima
    other_published: Event  # mobilitet
    other_draft: Event  # mobilitet
    past: Event  # klima, ended

    def token(self, user) -> str:
        return create_api_token(user=user, name="test").raw


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db) -> World:
    User = get_user_model()
    vestfold = Host.objects.create(name="Vestfold fylkeskommune", slug="vestfold")
    telemark = Host.objects.create(name="Telemark fylkeskommune", slug="telemark")
    klima = Network.objects.create(name="Klima og miljø", slug="klima", kind="thematic")
    klima.hosts.set([vestfold])
    mobilitet = Network.objects.create(name="Mobilitet", slug="mobilitet", kind="thematic")
    mobilitet.hosts.set([telemark])
    kommune = Organisation.objects.create(name="Skien kommune", sector="public")
    OrganisationMembership.objects.create(network=klima, organisation=kommune)
    organiser = User.objects.create_user("kari", "kari@example.org")
    OrganiserRole.objects.create(user=organiser, network=klima)
    other = User.objects.create_user("ola", "ola@example.org")
    OrganiserRole.objects.create(user=other, network=mobilitet)
    superuser = User.objects.create_superuser("admin", "admin@example.org")
    nobody = User.objects.create_user("per", "per@example.org")
    published = EventFactory(
        title="Klimasamling",
        host=vestfold,
        network=klima,
        meeting_url="https://meet.example.org/secret-room",
    )
    Session.objects.create(
        event=published,
        title="Velkommen",
        starts_at=published.starts_at,
        ends_at=published.starts_at + timedelta(hours=1),
    )
    Question.objects.create(event=published, label="Hvorfor kommer du?", kind="short_text")
    draft = EventFactory(
        title="Utkast",
        host=vestfold,
        network=klima,
        status=Event.Status.DRAFT,
        meeting_url="https://meet.example.org/secret-room",
    )
    other_published = EventFactory(
        title="Mobilitetsdag",
        host=telemark,
        network=mobilitet,
        meeting_url="https://meet.example.org/secret-room",
    )
    other_draft = EventFactory(
        title="Hemmelig",
        host=telemark,
        network=mobilitet,
        status=Event.Status.DRAFT,
        meeting_url="https://meet.example.org/secret-room",
    )
    now = timezone.now()
    past = EventFactory(
        title="I fjor",
        host=vestfold,
        network=klima,
        starts_at=now - timedelta(days=300),
        ends_at=now - timedelta(days=300) + timedelta(hours=2),
        meeting_url="https://meet.example.org/secret-room",
    )
    return World(
        vestfold=vestfold,
        telemark=telemark,
        klima=klima,
        mobilitet=mobilitet,
        kommune=kommune,
        organiser=organiser,
        other_organiser=other,
        superuser=superuser,
        nobody=nobody,
        published=published,
        draft=draft,
        other_published=other_published,
        other_draft=other_draft,
        past=past,
    )


@pytest.fixture
def anon() -> Api:
    return Api()


@pytest.fixture
def as_organiser(world) -> Api:
    return Api(world.token(world.organiser))


@pytest.fixture
def as_other(world) -> Api:
    return Api(world.token(world.other_organiser))


@pytest.fixture
def as_superuser(world) -> Api:
    return Api(world.token(world.superuser))


def assert_error_shape(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "errors"}
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    for error in body["errors"]:
        assert set(error) == {"field", "message"}
    return body
