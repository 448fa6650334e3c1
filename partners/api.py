"""Public reads: hosts, networks and organisations."""

from typing import Literal

from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from api.errors import error_responses, not_found
from api.pagination import Pagination

from .models import Host, Network, Organisation, OrganisationMembership
from .schemas import HostOut, NetworkDetailOut, NetworkOut, OrganisationOut

router = Router(tags=["partners"])


@router.get(
    "/hosts",
    response={200: list[HostOut], **error_responses(422)},
    summary="List hosts (the counties that own events)",
    description="An event's `host` is one of these slugs; a network's `hosts` says which run it.",
)
@paginate(Pagination)
def list_hosts(request: HttpRequest) -> QuerySet[Host]:
    networks = Prefetch("networks", queryset=Network.objects.order_by("slug"))
    return Host.objects.select_related("organisation").prefetch_related(networks).order_by("slug")


class NetworkFilter(Schema):
    kind: Literal["partnership", "thematic", "project"] | None = None


@router.get(
    "/networks",
    response={200: list[NetworkOut], **error_responses(422)},
    summary="List networks",
)
@paginate(Pagination)
def list_networks(request: HttpRequest, filters: Query[NetworkFilter]) -> QuerySet[Network]:
    networks = Network.objects.select_related("parent").prefetch_related("hosts")
    if filters.kind:
        networks = networks.filter(kind=filters.kind)
    return networks.order_by("kind", "name", "id")


@router.get(
    "/networks/{slug}",
    response={200: NetworkDetailOut, **error_responses(404)},
    summary="One network with its member organisations",
)
def get_network(request: HttpRequest, slug: str) -> Network:
    network = (
        Network.objects.select_related("parent")
        .prefetch_related(
            "hosts",
            Prefetch(
                "organisation_memberships",
                queryset=OrganisationMembership.objects.select_related("organisation"),
            ),
        )
        .filter(slug=slug)
        .first()
    )
    if network is None:
        raise not_found()
    return network


class OrganisationFilter(Schema):
    network: str | None = None
    sector: Literal["public", "private", "research", "labour", "voluntary"] | None = None
    search: str | None = None


@router.get(
    "/organisations",
    response={200: list[OrganisationOut], **error_responses(422)},
    summary="List organisations",
)
@paginate(Pagination)
def list_organisations(
    request: HttpRequest, filters: Query[OrganisationFilter]
) -> QuerySet[Organisation]:
    organisations = Organisation.objects.all()
    if filters.network:
        organisations = organisations.filter(memberships__network__slug=filters.network)
    if filters.sector:
        organisations = organisations.filter(sector=filters.sector)
    if filters.search and filters.search.strip():
        term = filters.search.strip()
        organisations = organisations.filter(
            Q(name__icontains=term) | Q(short_name__icontains=term)
        )
    return organisations.order_by("name", "id").distinct()
