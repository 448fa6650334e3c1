import pytest

from partners.models import Network


@pytest.fixture
def klima(demo):
    """Network A in the organiser tests."""
    return Network.objects.get(slug="klima-og-miljo")


@pytest.fixture
def folkehelse(demo):
    """Network B: organised by someone else."""
    return Network.objects.get(slug="folkehelse")


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
