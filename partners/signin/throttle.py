"""Sign-in attempts counted per account and per client address (api/throttling.py's fixed
windows: while the cache is unreachable nothing is counted and nobody is refused).

The account is the name typed, whether an account has it or not, so a refused attempt says
nothing about who exists; every attempt counts, a right password too, so a burst cannot learn
the password from which attempt the limit let through.
"""

import hashlib

from django.http import HttpRequest

from api.throttling import client_ip, over_limit

from .conf import signin_setting


def attempt_refused(request: HttpRequest, *, account: str, step: str = "password") -> bool:
    """Count one attempt; True when the account or the address is over its limit."""
    name = hashlib.sha256(account.strip().casefold().encode()).hexdigest()[:32]
    by_account = over_limit(
        scope=f"signin-{step}-account", identity=name, rate=signin_setting("SIGNIN_ACCOUNT_RATE")
    )
    by_address = over_limit(
        scope=f"signin-{step}-address",
        identity=client_ip(request),
        rate=signin_setting("SIGNIN_ADDRESS_RATE"),
    )
    return by_account is not None or by_address is not None
