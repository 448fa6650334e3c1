"""Reads shared by views, API and services: what an organiser may see."""

from typing import Any

from django.db.models import Q, QuerySet

from .models import Host, Network, OrganiserRole

User = Any  # an authenticated user or AnonymousUser


def is_organiser(user: User) -> bool:
    if not user.is_authenticated:
        return False
    return (
        bool(getattr(user, "is_superuser", False))
        or OrganiserRole.objects.filter(user=user).exists()
    )


def organised_networks(user: User) -> QuerySet[Network]:
    """Networks the user organises: directly, or through a host role. Superusers: all."""
    if not user.is_authenticated:
        return Network.objects.none()
    if getattr(user, "is_superuser", False):
        return Network.objects.all()
    return Network.objects.filter(
        Q(organiser_roles__user=user) | Q(hosts__organiser_roles__user=user)
    ).distinct()


def organised_hosts(user: User) -> QuerySet[Host]:
    if not user.is_authenticated:
        return Host.objects.none()
    if getattr(user, "is_superuser", False):
        return Host.objects.all()
    return Host.objects.filter(organiser_roles__user=user)


def can_organise_network(user: User, network: Network) -> bool:
    return organised_networks(user).filter(pk=network.pk).exists()
