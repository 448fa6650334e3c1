from partners.models import Host, Network, Organisation, OrganisationMembership

from .conftest import assert_error_shape


def test_networks_are_public_and_paginated(world, anon):
    response = anon.get("/networks")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert {n["slug"] for n in body["items"]} == {"klima", "mobilitet"}
    klima = next(n for n in body["items"] if n["slug"] == "klima")
    assert klima["hosts"] == ["vestfold"]
    page = anon.get("/networks", {"limit": 1, "offset": 1}).json()
    assert page["count"] == 2 and len(page["items"]) == 1


def test_networks_filter_by_kind(world, anon):
    Network.objects.create(name="Partnerskapet", slug="p", kind="partnership")
    body = anon.get("/networks", {"kind": "partnership"}).json()
    assert [n["slug"] for n in body["items"]] == ["p"]


def test_network_detail_lists_member_organisations(world, anon):
    body = anon.get("/networks/klima").json()
    assert body["name"] == "Klima og miljø"
    assert body["memberships"] == [
        {
            "organisation": {
                "id": world.kommune.pk,
                "name": "Skien kommune",
                "short_name": "",
                "organisation_number": "",
                "sector": "public",
                "website": "",
            },
            "role": "member",
        }
    ]
    assert_error_shape(anon.get("/networks/finnes-ikke"), 404, "not_found")


def test_organisations_filter_by_network_sector_and_search(world, anon):
    Organisation.objects.create(name="Lokalbanken", sector="private")
    assert anon.get("/organisations").json()["count"] == 2
    assert [
        o["name"] for o in anon.get("/organisations", {"network": "klima"}).json()["items"]
    ] == ["Skien kommune"]
    assert [
        o["name"] for o in anon.get("/organisations", {"sector": "private"}).json()["items"]
    ] == ["Lokalbanken"]
    assert [o["name"] for o in anon.get("/organisations", {"search": "bank"}).json()["items"]] == [
        "Lokalbanken"
    ]


def test_network_and_organisation_lists_cost_the_same_queries_for_1_and_50(
    world, anon, django_assert_num_queries
):
    def measure(path: str) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert anon.get(path, {"limit": 200}).status_code == 200
        return len(ctx.captured_queries)

    few = (measure("/networks"), measure("/organisations"))
    for i in range(50):
        org = Organisation.objects.create(name="Org %02d" % i, sector="public")
        network = Network.objects.create(name="Nett %02d" % i, slug="nett-%d" % i, kind="project")
        network.hosts.set([world.vestfold, world.telemark])
        OrganisationMembership.objects.create(network=network, organisation=org)
    assert (measure("/networks"), measure("/organisations")) == few


def test_hosts_are_public_with_the_networks_they_run(world, anon):
    world.vestfold.organisation = world.kommune
    world.vestfold.save()
    response = anon.get("/hosts")
    assert response.status_code == 200
    assert response.json() == {
        "count": 2,
        "items": [
            {"slug": "telemark", "name": "Telemark fylkeskommune", "organisation": None,
             "networks": ["mobilitet"]},
            {"slug": "vestfold", "name": "Vestfold fylkeskommune", "organisation": "Skien kommune",
             "networks": ["klima"]},
        ],
    }  # fmt: skip
    page = anon.get("/hosts", {"limit": 1, "offset": 1}).json()
    assert page["count"] == 2 and [h["slug"] for h in page["items"]] == ["vestfold"]


def test_hosts_are_in_the_openapi_document_without_a_token(world, anon):
    operation = anon.get("/openapi.json").json()["paths"]["/api/v1/hosts"]["get"]
    assert "security" not in operation
    assert operation["summary"] == "List hosts (the counties that own events)"


def test_host_list_costs_the_same_queries_for_2_and_42(world, anon):
    def measure() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert anon.get("/hosts", {"limit": 200}).status_code == 200
        return len(ctx.captured_queries)

    few = measure()
    for i in range(40):
        org = Organisation.objects.create(name="Kommune %02d" % i, sector="public")
        host = Host.objects.create(name="Vert %02d" % i, slug="vert-%d" % i, organisation=org)
        host.networks.set([world.klima, world.mobilitet])
    assert measure() == few
