"""Per-process circuit breakers for the Redis server behind the cache and the Celery broker.

When Redis hangs (a frozen process, a dead network path), every call waits for its socket
timeout. Without a breaker each request paid that wait again: tests/faults/redis_outage.py saw
an intelligence submission take 6.3 s (a cache timeout for its rate limit, then a broker
timeout for its e-mail). A breaker remembers the failure: for `rest` seconds nobody in this
process tries that server, then one caller (and only one) tries again; if it succeeds, everyone
does. So an unreachable server costs one timeout per few seconds per process, not one per call.

Breakers are keyed by server address (host and port), not by use: the cache and the broker are
usually the same Redis, and a failure seen by either means the other would wait too.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

REST = 5.0  # seconds without trying a server after it failed
DEFAULT_PORTS = {"redis": 6379, "rediss": 6379}


class Open(Exception):
    """The server failed a moment ago; the call was not attempted."""


class Breaker:
    def __init__(self, name: str, rest: float = REST):
        self.name = name
        self.rest = rest
        self._lock = threading.Lock()
        self._open_until: float | None = None  # None: closed (the server answers)
        self._probing = False

    @property
    def is_open(self) -> bool:
        return self._open_until is not None

    def allow(self) -> bool:
        """True if this call may try the server: closed, or the rest is over and nobody else is
        trying yet (then this caller is the probe and must report with failed() or done())."""
        with self._lock:
            if self._open_until is None:
                return True
            if self._probing or time.monotonic() < self._open_until:
                return False
            self._probing = True
            return True

    def failed(self) -> None:
        with self._lock:
            self._open_until = time.monotonic() + self.rest
            self._probing = False

    def succeeded(self) -> None:
        with self._lock:
            self._open_until = None
            self._probing = False

    def done(self) -> None:
        """The call ended without saying anything about the server (an unrelated error)."""
        with self._lock:
            self._probing = False

    def reset(self) -> None:
        self.succeeded()

    @contextlib.contextmanager
    def attempt(self, unreachable: tuple[type[BaseException], ...]) -> Iterator[None]:
        """Run the body if allowed (else raise Open); exceptions in `unreachable` open the breaker."""
        if not self.allow():
            raise Open(f"{self.name} was unreachable a moment ago; not tried")
        try:
            yield
        except unreachable:
            self.failed()
            raise
        except BaseException:
            self.done()
            raise
        self.succeeded()


_BREAKERS: dict[str, Breaker] = {}
_REGISTRY_LOCK = threading.Lock()


def address(url: str) -> str:
    """host:port of a redis:// (or other) URL; the URL itself when it names no host."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return url
    if not host:
        return url
    return f"{host}:{port or DEFAULT_PORTS.get(parts.scheme, '')}"


def for_url(url: str) -> Breaker:
    """The process's breaker for the server at this URL (one per host and port)."""
    key = address(url)
    breaker = _BREAKERS.get(key)
    if breaker is None:
        with _REGISTRY_LOCK:
            breaker = _BREAKERS.setdefault(key, Breaker(key))
    return breaker


def reset_all() -> None:
    """Close every breaker (tests, and nothing else)."""
    for breaker in list(_BREAKERS.values()):
        breaker.reset()
