"""Reads for the organiser side of calls: which calls a user organises, and the answer search
that the organiser pages, the summary and the API share."""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from partners.models import Host, Network, OrganisationMembership
from partners.selectors import organised_hosts, organised_networks

from .models import Answer, AnswerText, Call


def organised_calls(user: User | AnonymousUser) -> QuerySet[Call]:
    """Calls of the networks and hosts the user's roles cover, as for events. Superusers: all."""
    calls = Call.objects.select_related("host", "network")
    if not user.is_authenticated:
        return calls.none()
    if user.is_superuser:
        return calls
    return calls.filter(Q(network__in=organised_networks(user)) | Q(host__in=organised_hosts(user)))


def get_organised_call(user: User | AnonymousUser, pk: int) -> Call:
    """The call if the user organises it; 404 otherwise, so others cannot tell it exists."""
    call = organised_calls(user).filter(pk=pk).first()
    if call is None:
        raise Http404
    return call


def can_organise_call(user: User | AnonymousUser, *, host: Host, network: Network | None) -> bool:
    """May the user own a call with this host and network? The events' rule (a network role
    covers its network, a host role the host), read for calls: calls may not import it."""
    if user.is_superuser:
        return True
    if network is not None and organised_networks(user).filter(pk=network.pk).exists():
        return True
    return organised_hosts(user).filter(pk=host.pk).exists()


def networks_for_choice(user: User | AnonymousUser) -> QuerySet[Network]:
    return Network.objects.filter(pk__in=organised_networks(user).values("pk")).order_by(
        "kind", "name"
    )


def hosts_for_choice(user: User | AnonymousUser) -> QuerySet[Host]:
    """Hosts the user organises directly, and those running a network they organise."""
    if user.is_superuser:
        return Host.objects.order_by("name")
    return (
        Host.objects.filter(
            Q(pk__in=organised_hosts(user).values("pk")) | Q(networks__in=organised_networks(user))
        )
        .distinct()
        .order_by("name")
    )


def partnership_of(call: Call) -> Network | None:
    """The network whose member organisations are expected to answer: the call's own, or the
    host's partnership."""
    if call.network_id is not None:
        return call.network
    return call.host.networks.filter(kind=Network.Kind.PARTNERSHIP).order_by("pk").first()


# The answer search ---------------------------------------------------------------------------

WITHDRAWN = "withdrawn"
STATUS_FILTERS = (*Answer.Status.values, WITHDRAWN)


@dataclass(frozen=True)
class AnswerFilters:
    """What the organiser's list, the summary and the API filter answers by; empty: no filter."""

    search: str = ""
    organisation: int | None = None
    sector: str = ""
    role: str = ""  # member / observer, in `network` or else in the call's partnership
    network: int | None = None
    on_behalf: bool | None = None
    status: str = ""  # an Answer.Status, or "withdrawn"; empty: every answer not withdrawn
    published: bool | None = None


def answers(call: Call, filters: AnswerFilters = AnswerFilters()) -> QuerySet[Answer]:
    """The call's answers, searched and filtered, oldest first, with organisation, texts and
    attachments prefetched (a fixed number of queries however many answers)."""
    rows = Answer.objects.filter(call=call).select_related("organisation")
    if filters.status == WITHDRAWN:
        rows = rows.filter(withdrawn_at__isnull=False)
    else:
        rows = rows.filter(withdrawn_at__isnull=True)
        if filters.status in Answer.Status.values:
            rows = rows.filter(status=filters.status)
    for word in filters.search.split():
        rows = rows.filter(
            Q(name__icontains=word)
            | Q(email__icontains=word)
            | Q(organisation_name__icontains=word)
            | Q(organisation__name__icontains=word)
            | Q(organisation__short_name__iexact=word)
            | Q(texts__text__icontains=word)
        )
    if filters.organisation is not None:
        rows = rows.filter(organisation_id=filters.organisation)
    if filters.sector:
        rows = rows.filter(organisation__sector=filters.sector)
    if filters.network is not None or filters.role:
        network_id = filters.network
        if network_id is None:
            partnership = partnership_of(call)
            network_id = partnership.pk if partnership else 0
        memberships = OrganisationMembership.objects.filter(network_id=network_id)
        if filters.role in OrganisationMembership.Role.values:
            memberships = memberships.filter(role=filters.role)
        rows = rows.filter(organisation_id__in=memberships.values("organisation_id"))
    if filters.on_behalf is not None:
        rows = rows.filter(on_behalf=filters.on_behalf)
    if filters.published is not None:
        rows = rows.filter(published=filters.published)
    # The search over texts may join several rows per answer.
    rows = rows.distinct() if filters.search.strip() else rows
    return rows.order_by("submitted_at", "id").prefetch_related(
        Prefetch("texts", queryset=AnswerText.objects.select_related("question")),
        "attachments",
    )


def get_answer(call: Call, answer_id: int) -> Answer:
    answer = (
        Answer.objects.filter(call=call, pk=answer_id)
        .select_related("organisation", "invitation")
        .prefetch_related(
            Prefetch("texts", queryset=AnswerText.objects.select_related("question")),
            "attachments",
        )
        .first()
    )
    if answer is None:
        raise Http404
    return answer
