"""partners.rate_limits: fixed-window counts in the default cache (Redis when REDIS_URL is set,
local memory otherwise), and no count at all while the cache is unreachable."""

import time
import uuid

import pytest
import redis
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

from partners.rate_limits import count_hit


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
