"""A Redis cache that degrades instead of failing when Redis is unreachable.

The cache holds nothing that pages need: rate-limit counters, the worker heartbeat, readiness
probes. When Redis is down or hangs, Django's RedisCache raises on every call, so each request
that touches a rate limit (the token and submission endpoints) answered 500. This backend answers
as an empty cache instead (a rate limit lets the request through; axes' lockouts are in the
database) and, after a failure, does not try Redis again for a few seconds (qsg.breaker, shared
with the Celery broker when it is the same server), so a hung Redis costs one socket timeout every
few seconds rather than one per call. /readyz still reports the cache down: what it writes does
not come back.
"""

from __future__ import annotations

import logging

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError, TimeoutError

from . import breaker

log = logging.getLogger(__name__)
UNREACHABLE = (ConnectionError, TimeoutError, OSError)


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        # The first server is the one written to; replicas, if any, share its fate here.
        self.breaker = breaker.for_url(self._servers[0])

    def _call(self, name: str, default, *args, **kwargs):
        try:
            with self.breaker.attempt(UNREACHABLE):
                return getattr(super(), name)(*args, **kwargs)
        except breaker.Open:
            return default
        except UNREACHABLE as exc:
            log.warning(
                "cache unreachable, answering as empty for %.0f s: %s", self.breaker.rest, exc
            )
            return default

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), data, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", False, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version)

    def incr(self, key, delta=1, version=None):
        # A counter that cannot be read is not there: the caller handles a missing key.
        result = self._call("incr", None, key, delta, version)
        if result is None:
            raise ValueError(f"Key '{key}' not found (cache unreachable)")
        return result
