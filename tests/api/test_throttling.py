"""api.throttling: fixed-window counts in the default cache (Redis when REDIS_URL is set,
local memory otherwise), and no count at all while the cache is unreachable."""

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid

import pytest
import redis
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

from api.throttling import count_hit


def test_hits_are_counted_until_the_count_expires():
    key = "test-rate:%s" % uuid.uuid4().hex
    assert [count_hit(key, timeout=1) for _ in range(3)] == [1, 2, 3]
    time.sleep(1.2)
    assert count_hit(key, timeout=1) == 1


def test_a_count_in_redis_expires_with_its_window():
    if not isinstance(caches["default"], RedisCache):
        pytest.skip("the default cache is not Redis (REDIS_URL unset)")
    key = "test-rate:%s" % uuid.uuid4().hex
    count_hit(key, timeout=30)
    count_hit(key, timeout=30)
    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    assert 0 < client.ttl(cache.make_key(key)) <= 30
    # Django's cache reads the same count (Django's key prefix and version apply).
    assert cache.get(key) == 2


def test_no_count_while_the_cache_is_unreachable(unreachable_cache):
    assert count_hit("test-rate:down", timeout=60) is None


HUNG_REDIS_SCRIPT = """
import time, django
django.setup()
from django.core.cache import cache
from api.throttling import count_hit
timings = []
for count in (lambda: count_hit("k", timeout=60), lambda: count_hit("k", timeout=60)):
    started = time.perf_counter()
    assert count() is None
    timings.append(time.perf_counter() - started)
started = time.perf_counter()
try:
    cache.get("k")
except Exception:
    pass
timings.append(time.perf_counter() - started)
print(*timings)
"""


def test_a_hung_redis_costs_a_request_half_a_second_not_five():
    """A Redis that accepts connections and never answers (hung, or a black-holed address):
    the first count gives up after the settings' socket timeout, the next ones do not wait."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "REDIS_URL": "redis://127.0.0.1:%d/0" % listener.getsockname()[1],
            "PYTHONPATH": str(settings.BASE_DIR),
        }
        result = subprocess.run(
            [sys.executable, "-c", HUNG_REDIS_SCRIPT],
            env=env,
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 0, result.stderr
    first, second, django_cache = map(float, result.stdout.split())
    assert first < 1.5
    assert second < 0.1  # left alone after a failure
    assert django_cache < 1.5  # Django's own cache calls give up as fast


def test_a_count_is_one_command_to_redis(settings, tmp_path):
    """One round trip per count (Django's cache.add + cache.incr took three: SET NX, EXISTS,
    INCRBY), counted by a redis-server of the test's own."""
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    from tests.integration.harness import RedisServer

    server = RedisServer(tmp_path).start()
    try:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": server.url,
            }
        }
        stats = redis.Redis.from_url(server.url)
        stats.config_resetstat()
        counts = [count_hit("test-rate:one", timeout=60) for _ in range(5)]
        calls = {
            name.removeprefix("cmdstat_"): value["calls"]
            for name, value in stats.info("commandstats").items()
        }
    finally:
        server.stop()
    assert counts == [1, 2, 3, 4, 5]
    # What clients sent, less the once-per-connection handshake and this test's own calls
    # (commands a script runs inside Redis are counted under their own names).
    ignored = {"hello", "select", "client|setinfo", "config|resetstat", "info"}
    ignored |= {"incr", "ttl", "expire"}
    sent = {name: n for name, n in calls.items() if name not in ignored}
    # One EVALSHA per count; the first one, before Redis knew the script, once more after
    # SCRIPT LOAD.
    assert sent == {"evalsha": 6, "script|load": 1}
