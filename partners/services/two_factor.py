"""The second factor of local accounts: one TOTP device (django-otp) per user.

Required for superusers, open to everyone (partners/signin/). A device is stored only once
its first code was right, so an unfinished enrolment leaves nothing behind; a code is used
once (django-otp keeps the last time step) and wrong codes slow the device down (its
throttling: each failure doubles the wait).
"""

import time
from binascii import unhexlify

from django.contrib.auth.models import User
from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

DEVICE_NAME = "Authenticator"


def totp_device(user: User) -> TOTPDevice | None:
    """The user's confirmed TOTP device, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def code_matches_key(*, key: str, code: str) -> int | None:
    """The time step a code from an authenticator set up with `key` (hex) is for, if right."""
    code = code.strip().replace(" ", "")
    if not code.isdigit():
        return None
    totp = TOTP(unhexlify(key.encode()))
    totp.time = time.time()
    return totp.t() if totp.verify(int(code), tolerance=1) else None


@transaction.atomic(durable=True)
def enrol_totp_device(*, user: User, key: str, code: str) -> TOTPDevice | None:
    """Store the device `key` belongs to when `code` is right for it, replacing any other."""
    step = code_matches_key(key=key, code=code)
    if step is None:
        return None
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(
        user=user, name=DEVICE_NAME, key=key, confirmed=True, last_t=step
    )


@transaction.atomic(durable=True)
def verify_second_factor(*, user: User, code: str) -> TOTPDevice | None:
    """The user's device if `code` is right for it (a wrong code is counted by the device)."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    if device is None:
        return None
    return device if device.verify_token(code.strip().replace(" ", "")) else None


@transaction.atomic(durable=True)
def remove_totp_device(*, user: User, code: str) -> bool:
    """Turn the second factor off, when `code` shows the device is at hand."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    if device is None or not device.verify_token(code.strip().replace(" ", "")):
        return False
    TOTPDevice.objects.filter(user=user).delete()
    return True
