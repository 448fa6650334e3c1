"""`manage.py load_registry`: the real partnership for a production database, without demo data."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from events.models import Event
from partners.demo import MEMBERS, NETWORKS, OBSERVERS
from partners.models import Host, Network, OrganisationMembership, Person

pytestmark = pytest.mark.django_db


def _load(*args: str) -> str:
    out = io.StringIO()
    call_command("load_registry", *args, stdout=out)
    return out.getvalue()


def test_load_registry_loads_organisations_hosts_and_networks_and_nothing_invented():
    output = _load()
    assert "Registry loaded" in output
    partnership = Network.objects.get(slug="baerekraftige-vestfold-og-telemark")
    members = OrganisationMembership.objects.filter(network=partnership)
    assert sorted(members.filter(role="member").values_list("organisation__name", flat=True)) == (
        sorted(name for name, *_rest in MEMBERS)
    )
    assert members.filter(role="observer").count() == len(OBSERVERS)
    assert set(Host.objects.values_list("slug", flat=True)) == {"vestfold", "telemark"}
    assert set(Network.objects.values_list("slug", flat=True)) == {
        partnership.slug,
        *(slug for slug, *_rest in NETWORKS),
    }
    assert not Person.objects.exists()
    assert not Event.objects.exists()
    assert not get_user_model().objects.exists()


def test_load_registry_again_keeps_what_the_operator_changed():
    _load()
    Host.objects.filter(slug="vestfold").update(email="partnerskap@vestfoldfylke.no")
    assert "nothing changed" in _load()
    assert Host.objects.get(slug="vestfold").email == "partnerskap@vestfoldfylke.no"
    _load("--update")
    assert Host.objects.get(slug="vestfold").email != "partnerskap@vestfoldfylke.no"
