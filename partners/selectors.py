"""Reads shared by views, API and services: what an organiser may see, and list pages."""

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from .models import (
    Host,
    Network,
    Organisation,
    OrganisationMembership,
    OrganiserRole,
    PersonMembership,
)


def is_organiser(user: User | AnonymousUser) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or OrganiserRole.objects.filter(user=user).exists()


def organised_networks(user: User | AnonymousUser) -> QuerySet[Network]:
    """Networks the user organises: directly, or through a host role. Superusers: all.

    Built from subqueries rather than joins, so callers can annotate and count without
    duplicate rows.
    """
    if not user.is_authenticated:
        return Network.objects.none()
    if user.is_superuser:
        return Network.objects.all()
    direct = OrganiserRole.objects.filter(user=user, network__isnull=False).values("network_id")
    hosted = Network.hosts.through.objects.filter(
        host_id__in=OrganiserRole.objects.filter(user=user, host__isnull=False).values("host_id")
    ).values("network_id")
    return Network.objects.filter(Q(pk__in=direct) | Q(pk__in=hosted))


def organised_hosts(user: User | AnonymousUser) -> QuerySet[Host]:
    if not user.is_authenticated:
        return Host.objects.none()
    if user.is_superuser:
        return Host.objects.all()
    return Host.objects.filter(organiser_roles__user=user)


def can_organise_network(user: User | AnonymousUser, network: Network) -> bool:
    return organised_networks(user).filter(pk=network.pk).exists()


def _count_subquery(model: Any) -> Coalesce:
    counts = (
        model.objects.filter(network=OuterRef("pk"))
        .order_by()
        .values("network")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def with_member_counts(networks: QuerySet[Network]) -> QuerySet[Network]:
    """Annotate organisation_count and person_count (one query, no row multiplication)."""
    return networks.annotate(
        organisation_count=_count_subquery(OrganisationMembership),
        person_count=_count_subquery(PersonMembership),
    )


KIND_ORDER = Case(
    When(kind=Network.Kind.PARTNERSHIP, then=Value(0)),
    When(kind=Network.Kind.THEMATIC, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def public_networks() -> QuerySet[Network]:
    """The networks on the public home page: the partnership first, then thematic networks,
    then projects, with what the cards show."""
    return with_member_counts(Network.objects.select_related("parent")).order_by(KIND_ORDER, "name")


def network_with_organisations(queryset: QuerySet[Network] | None = None) -> QuerySet[Network]:
    """Networks with their member organisations (ordered) and hosts prefetched."""
    base = queryset if queryset is not None else Network.objects.all()
    return base.select_related("parent").prefetch_related(
        "hosts",
        Prefetch(
            "organisation_memberships",
            queryset=OrganisationMembership.objects.select_related("organisation"),
        ),
        Prefetch("children", queryset=Network.objects.order_by("kind", "name")),
    )


def network_people(*, network: Network, search: str = "") -> QuerySet[PersonMembership]:
    """The people in a network, with person and organisation, optionally filtered."""
    memberships = (
        PersonMembership.objects.filter(network=network)
        .select_related("person", "person__organisation")
        .order_by("person__name", "person__email", "pk")
    )
    search = search.strip()
    if search:
        memberships = memberships.filter(
            Q(person__name__icontains=search)
            | Q(person__email__icontains=search)
            | Q(person__title__icontains=search)
            | Q(person__organisation__name__icontains=search)
            | Q(person__organisation__short_name__icontains=search)
        )
    return memberships


def organisation_registry(*, search: str = "") -> QuerySet[Organisation]:
    """Every organisation, with how many networks it belongs to, optionally filtered."""
    organisations = Organisation.objects.annotate(network_count=Count("memberships")).order_by(
        "name", "pk"
    )
    search = search.strip()
    if search:
        organisations = organisations.filter(
            Q(name__icontains=search)
            | Q(short_name__icontains=search)
            | Q(organisation_number__icontains="".join(search.split()))
        )
    return organisations
