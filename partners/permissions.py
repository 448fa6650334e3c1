"""Access to the organiser area: every view under /arrangor/ goes through organiser_required."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from .selectors import is_organiser, organised_networks
from .signin.gate import second_factor_missing, to_second_factor


class OrganiserRequest(HttpRequest):
    """The request a view behind organiser_required receives: its user is logged in."""

    user: User


def organiser_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous users go to the login page; logged-in users without an organiser role get 403;
    superusers without a second factor set one up first (partners/signin/gate.py)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if second_factor_missing(request):
            return to_second_factor(request, request.get_full_path())
        if not is_organiser(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapper.organiser_only = True  # type: ignore[attr-defined]
    return wrapper


def network_organiser_required(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """organiser_required, then resolve the URL's `slug` to a network the user organises.

    The view receives the network as its second argument. Networks the user does not organise
    are 404, so their existence is not revealed.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, slug: str, **kwargs: Any) -> HttpResponse:
        network = get_object_or_404(organised_networks(request.user), slug=slug)
        return view(request, network, *args, **kwargs)

    return organiser_required(wrapper)
