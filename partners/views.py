from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import Network, OrganisationMembership
from .permissions import organiser_required
from .selectors import organised_networks


def home(request: HttpRequest) -> HttpResponse:
    networks = Network.objects.prefetch_related("hosts")
    return render(request, "partners/home.html", {"networks": networks})


def partnership(request: HttpRequest) -> HttpResponse:
    network = get_object_or_404(Network, kind=Network.Kind.PARTNERSHIP)
    memberships = list(network.organisation_memberships.select_related("organisation"))
    members = [m for m in memberships if m.role == OrganisationMembership.Role.MEMBER]
    observers = [m for m in memberships if m.role == OrganisationMembership.Role.OBSERVER]
    thematic = network.children.all()
    return render(
        request,
        "partners/partnership.html",
        {"network": network, "members": members, "observers": observers, "thematic": thematic},
    )


def network_detail(request: HttpRequest, slug: str) -> HttpResponse:
    network = get_object_or_404(
        Network.objects.prefetch_related(
            "hosts",
            Prefetch(
                "organisation_memberships",
                queryset=OrganisationMembership.objects.select_related("organisation"),
            ),
        ),
        slug=slug,
    )
    return render(request, "partners/network_detail.html", {"network": network})


@organiser_required
def organiser_home(request: HttpRequest) -> HttpResponse:
    networks = organised_networks(request.user)
    return render(request, "partners/organiser_home.html", {"networks": networks})
