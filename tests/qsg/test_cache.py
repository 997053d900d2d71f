"""The cache answers as empty, quickly, when Redis is unreachable, instead of failing requests."""

import pytest

from qsg import breaker
from qsg.cache import ResilientRedisCache


@pytest.fixture
def unreachable(closed_port):
    cache = ResilientRedisCache(
        f"redis://127.0.0.1:{closed_port}/0",
        {"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}},
    )
    cache.breaker.reset()
    yield cache
    cache.breaker.reset()


def test_an_unreachable_cache_answers_as_empty(unreachable):
    assert unreachable.get("k", "default") == "default"
    unreachable.set("k", "v", 10)
    assert unreachable.get("k") is None
    assert unreachable.add("k", "v") is False
    assert unreachable.get_many(["a", "b"]) == {}
    assert unreachable.has_key("k") is False
    unreachable.delete("k")
    with pytest.raises(ValueError):
        unreachable.incr("counter")


def test_after_a_failure_it_does_not_try_again_for_a_while(unreachable):
    unreachable.get("k")
    assert unreachable.breaker.is_open
    # While it rests, calls do not reach Redis at all: not even a client is asked for.
    unreachable._cache.get_client = None
    assert unreachable.get("k", "d") == "d"


def test_the_breaker_is_the_servers_not_the_caches(closed_port, unreachable):
    """Another client of the same server (the Celery broker) shares what the cache learnt."""
    unreachable.get("k")
    assert breaker.for_url(f"redis://127.0.0.1:{closed_port}/1").is_open
    assert not breaker.for_url("redis://127.0.0.1:6379/1").is_open


def test_the_real_redis_still_works():
    from django.conf import settings

    location = settings.CACHES["default"]["LOCATION"]
    cache = ResilientRedisCache(location, {"KEY_PREFIX": "qsgtest-resilient"})
    cache.set("k", "v", 10)
    assert cache.get("k") == "v"
    assert cache.incr("n", 1) if cache.add("n", 0, 10) else True
    cache.delete("k")
