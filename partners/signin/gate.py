"""Superusers reach the organiser area and the admin only after a second factor.

A session signed in with a password and a TOTP code is verified (django-otp's device id in the
session); a session signed in by the provider counts as verified too (its own multi-factor
policy stands for ours). A superuser without a device is sent to set one up; one whose session
skipped the code (signed in before the device was set up elsewhere) signs in again. Checked by
organiser_required (every page under /arrangor/), the admin's has_permission
(partners/admin.py) and the login page.
"""

from urllib.parse import urlencode

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device

from ..services.two_factor import totp_device
from .conf import signin_setting

# The session was signed in by the provider.
SSO_SESSION_KEY = "signin_sso"


def second_factor_missing(request: HttpRequest) -> bool:
    user = request.user
    if not (user.is_authenticated and user.is_superuser):
        return False
    if not signin_setting("SIGNIN_SUPERUSER_SECOND_FACTOR"):
        return False
    if request.session.get(SSO_SESSION_KEY):
        return False
    persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
    device = Device.from_persistent_id(persistent_id) if persistent_id else None
    return device is None or device.user_id != user.pk


def to_second_factor(request: HttpRequest, next_url: str) -> HttpResponseRedirect:
    """To the set-up page, or (with a device, but a session that never gave its code) to
    the login page again."""
    query = urlencode({"next": next_url})
    if totp_device(request.user) is not None:  # type: ignore[arg-type]
        logout(request)
        return HttpResponseRedirect("%s?%s" % (reverse("login"), query))
    return HttpResponseRedirect("%s?%s" % (reverse("signin:two_factor"), query))
