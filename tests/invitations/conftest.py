import datetime as dt

import pytest
from django.utils import timezone

from partners.models import Network, Organisation
from tests.factories import EventFactory, PersonFactory, PersonMembershipFactory


@pytest.fixture
def klima(demo):
    return Network.objects.get(slug="klima-og-miljo")


@pytest.fixture
def folkehelse(demo):
    return Network.objects.get(slug="folkehelse")


@pytest.fixture
def make_event(demo, klima):
    """Klima meetings (tests/factories.py) whose registration closes ten days ahead."""

    def make(**fields):
        now = timezone.now()
        values = {
            "title": "Klimamøte",
            "network": klima,
            "starts_at": now + dt.timedelta(days=20),
            "ends_at": now + dt.timedelta(days=20, hours=3),
            "registration_closes_at": now + dt.timedelta(days=10),
            "organiser_name": "",
            "organiser_email": "arrangor@example.org",
            "venue_name": "Quality Hotel Tønsberg",
            "venue_address": "",
            "capacity": None,
        }
        values.update(fields)
        return EventFactory(**values)

    return make


@pytest.fixture
def event(make_event):
    return make_event()


@pytest.fixture
def make_person(db):
    def make(network=None, organisation=None, language="nb", name=None, email=None):
        fields = {"organisation": organisation, "language": language, "title": ""}
        fields.update({k: v for k, v in {"name": name, "email": email}.items() if v})
        person = PersonFactory(**fields)
        if network is not None:
            PersonMembershipFactory(network=network, person=person)
        return person

    return make


@pytest.fixture
def klima_organiser(make_organiser, klima):
    return make_organiser("klima-arrangor", network=klima)


@pytest.fixture
def folkehelse_organiser(make_organiser, folkehelse):
    return make_organiser("folkehelse-arrangor", network=folkehelse)


@pytest.fixture
def klima_client(client, klima_organiser):
    client.force_login(klima_organiser)
    return client


@pytest.fixture
def organisations(demo):
    return {o.short_name or o.name: o for o in Organisation.objects.all()}


@pytest.fixture
def eager_celery():
    """Run tasks inline (task bodies only); the integration tier runs a real worker."""
    from worker.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = previous
