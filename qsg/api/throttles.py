"""Rate limits for the API: the token exchange, and every write that takes a member's input.

Rates come from settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] each time (so a test's
settings override takes effect), and a limit answers 429 with Retry-After. Counters live in the
cache (Redis); if the cache cannot be reached the request is let through and a warning logged,
because an outage of Redis must not stop people working (the login lockout is kept in the
database by django-axes, so it does not depend on Redis).
"""

from __future__ import annotations

import logging

from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle

log = logging.getLogger(__name__)


class _FromSettingsFailOpen:
    scope: str | None

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception as exc:  # the cache is down: do not turn an outage into errors
            log.warning("rate limit %s not checked: %s", self.scope, type(exc).__name__)
            return True


class TokenThrottle(_FromSettingsFailOpen, ScopedRateThrottle):
    """Scope from the view's `throttle_scope` ("token" for the token exchange), per address."""

    def allow_request(self, request, view):
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return _FromSettingsFailOpen.allow_request(self, request, view)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class SubmissionThrottle(_FromSettingsFailOpen, SimpleRateThrottle):
    """Every create, change or delete through the API counts against "submission", per person."""

    scope = "submission"

    def __init__(self):
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def get_cache_key(self, request, view):
        if request.method in SAFE_METHODS:
            return None
        user = getattr(request, "user", None)
        ident = user.pk if user is not None and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
