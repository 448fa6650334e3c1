"""Rate limits that never take a request down: fixed-window counters in the default cache, and
the API's per-client-address throttle built on them.

Redis is only the broker and the cache (DESIGN.md, scaling path): while it cannot be reached
a limit lets every request through, and says so in the log at most once a minute per cache.
Against Redis a count is one round trip (a Lua script: INCR, and EXPIRE on the first hit) on
a client kept per thread, where Django's cache.add + cache.incr took three (SET NX, EXISTS,
INCRBY) on a new client each call. With another cache backend (local memory when REDIS_URL
is unset) it is cache.add + cache.incr.
"""

import logging
import math
import threading
import time
from time import monotonic
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

logger = logging.getLogger(__name__)

# How often an outage is logged again while it lasts.
WARN_EVERY_SECONDS = 60.0
# After a failure, the counters leave the cache alone this long: a Redis that hangs instead of
# refusing would otherwise cost every request its socket timeout.
RETRY_AFTER_SECONDS = 5.0
# Options of Django's cache backend that are not redis-py connection options.
_DJANGO_ONLY_OPTIONS = {"serializer", "pool_class", "parser_class"}

_clients = threading.local()
_outages: dict[str, dict[str, float]] = {}
_outages_lock = threading.Lock()


def count_hit(key: str, *, timeout: int) -> int | None:
    """Count one hit on `key`, a count that lives `timeout` seconds from its first hit.

    Returns the hits so far, this one included; None if the cache could not be reached (the
    caller lets the request through)."""
    location = _location()
    outage = _outages.get(location)
    if outage is not None and monotonic() < outage["retry_at"]:
        return None
    backend = caches[DEFAULT_CACHE_ALIAS]
    try:
        if isinstance(backend, RedisCache):
            count = _count_in_redis(backend.make_key(key), timeout=timeout)
        else:
            count = _count_in_cache(backend, key, timeout=timeout)
    except Exception as error:
        _note_outage(location, error)
        return None
    if outage is not None and outage["retry_at"]:
        outage["retry_at"] = 0.0
        logger.info("cache at %s reachable again: rate limits apply", _shown(location))
    return count


# One command, so one round trip and atomic: a count that has no expiry (the first hit, or a
# key someone set without one) gets one, so a window can never outlive its timeout.
_COUNT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 or redis.call('TTL', KEYS[1]) == -1 then
    redis.call('EXPIRE', KEYS[1], ARGV[1])
end
return count
"""


def _count_in_redis(key: str, *, timeout: int) -> int:
    # EVALSHA; redis-py loads the script again if Redis lost it (a restart).
    return int(_redis_script()(keys=[key], args=[timeout]))


def _count_in_cache(backend: Any, key: str, *, timeout: int) -> int:
    backend.add(key, 0, timeout=timeout)
    try:
        return int(backend.incr(key))
    except ValueError:  # expired or evicted between add and incr
        backend.set(key, 1, timeout=timeout)
        return 1


def _cache_settings() -> dict[str, Any]:
    return settings.CACHES["default"]


def _location() -> str:
    location = _cache_settings().get("LOCATION", "")
    if isinstance(location, list | tuple):
        location = ",".join(location)
    return str(location)


def _redis_script() -> Any:
    """The counting script on a client kept per thread and cache location, reused for every
    count. Per thread, as worker.services does, because redis-py has had races between
    threads sharing a pooled connection; each thread's client keeps its one connection open."""
    config = _cache_settings()
    location = config["LOCATION"]
    if isinstance(location, list | tuple):
        location = location[0]  # where Django's RedisCache writes
    script = getattr(_clients, "script", None)
    if script is None or getattr(_clients, "location", None) != location:
        import redis

        options = {
            name: value
            for name, value in (config.get("OPTIONS") or {}).items()
            if name not in _DJANGO_ONLY_OPTIONS
        }
        script = redis.Redis.from_url(location, **options).register_script(_COUNT_SCRIPT)
        _clients.script, _clients.location = script, location
    return script


def _shown(location: str) -> str:
    """The location without a password, for the log."""
    parts = []
    for url in location.split(","):
        split = urlsplit(url)
        netloc = split.netloc.rpartition("@")[2]
        parts.append(split._replace(netloc=netloc).geturl() if split.scheme else url)
    return ",".join(parts)


def _note_outage(location: str, error: Exception) -> None:
    now = monotonic()
    with _outages_lock:
        outage = _outages.setdefault(location, {"warned_at": -float("inf"), "retry_at": 0.0})
        outage["retry_at"] = now + RETRY_AFTER_SECONDS
        warn = now - outage["warned_at"] >= WARN_EVERY_SECONDS
        if warn:
            outage["warned_at"] = now
    if warn:
        logger.warning(
            "cache at %s unreachable (%s: %s): rate limits let every request through until "
            "it is back; this is logged at most once a minute",
            _shown(location),
            type(error).__name__,
            error,
        )


# The API's throttle ----------------------------------------------------------------------------


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the address the trusted proxies in front of us saw (API_NUM_PROXIES)."""
    proxies = int(getattr(settings, "API_NUM_PROXIES", 0) or 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        addresses = [a.strip() for a in forwarded.split(",") if a.strip()]
        if addresses:
            return addresses[-min(proxies, len(addresses))][:64]
    return str(request.META.get("REMOTE_ADDR") or "unknown")[:64]


def _parse_rate(rate: str) -> tuple[int, int]:
    count, _slash, period = rate.partition("/")
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period.strip()[:1] or "m"]
    return int(count), seconds


def over_limit(*, scope: str, identity: str, rate: str) -> float | None:
    """Count one hit of `identity` in `scope`'s fixed window of `rate` ("10/h").

    Returns the seconds until the window ends when this hit is over the limit, None when it
    is within it, or when the cache could not be reached (no cache, no limit)."""
    limit, period = _parse_rate(rate)
    now = time.time()
    window = int(now // period)
    count = count_hit("rate:%s:%s:%d" % (scope, identity, window), timeout=period + 1)
    if count is None or count <= limit:
        return None
    return (window + 1) * period - now


class ClientIpRateThrottle(BaseThrottle):
    """A fixed window per client address, counted by count_hit: one round trip, and no limit
    while the cache is unreachable.

    The rate is read from a setting on every request, so deployments and tests can change it.
    """

    def __init__(self, scope: str, setting: str, default: str) -> None:
        self.scope = scope
        self.setting = setting
        self.default = default
        self._local = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        limit, period = _parse_rate(getattr(settings, self.setting, self.default))
        now = time.time()
        window = int(now // period)
        key = "api-rate:%s:%s:%d" % (self.scope, client_ip(request), window)
        count = count_hit(key, timeout=period + 1)
        self._local.wait = (window + 1) * period - now
        return count is None or count <= limit  # None: no cache, no limit

    def wait(self) -> float | None:
        return max(getattr(self._local, "wait", 1.0), 1.0)


public_write_throttle = ClientIpRateThrottle(
    scope="public-write", setting="API_PUBLIC_WRITE_RATE", default="10/m"
)


def retry_after(seconds: float) -> str:
    """A Retry-After header value: whole seconds, at least one."""
    return str(max(1, math.ceil(seconds)))
