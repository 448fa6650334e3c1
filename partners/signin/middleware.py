"""Superusers reach the organiser area and the admin only after a second factor.

A session signed in with a password and a TOTP code is verified (django-otp's OTPMiddleware,
before this one); a session signed in by the provider counts as verified too (its own
multi-factor policy). A superuser without a device is sent to set one up; one whose session
skipped the code (signed in before the device was set up elsewhere) signs in again.
"""

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from ..services.two_factor import totp_device
from .oidc import SSO_SESSION_KEY

PROTECTED = ("/arrangor/", "/admin/")


def second_factor_missing(request: HttpRequest) -> bool:
    user = request.user
    if not (user.is_authenticated and user.is_superuser):
        return False
    if not getattr(settings, "SIGNIN_SUPERUSER_SECOND_FACTOR", True):
        return False
    verified = getattr(user, "is_verified", lambda: False)()
    return not (verified or request.session.get(SSO_SESSION_KEY))


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(PROTECTED) and second_factor_missing(request):
            query = urlencode({"next": request.get_full_path()})
            if totp_device(request.user) is not None:  # type: ignore[arg-type]
                logout(request)
                return HttpResponseRedirect("%s?%s" % (reverse("login"), query))
            return HttpResponseRedirect("%s?%s" % (reverse("signin:two_factor"), query))
        return self.get_response(request)
