"""The organiser at the door: a klima network organiser, logged in (check-in, walk-ins,
badges and lists). Test modules with an organiser of their own define theirs."""

import pytest

from partners.models import Network


@pytest.fixture
def klima(demo):
    return Network.objects.get(slug="klima-og-miljo")


@pytest.fixture
def organiser(make_organiser, klima):
    return make_organiser("door", network=klima)


@pytest.fixture
def logged_in(client, organiser):
    client.force_login(organiser)
    return client
