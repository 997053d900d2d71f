"""Hostile-input tests: example counts are bounded for CI and raised by `make fuzz`.

QSG_FUZZ_EXAMPLES sets hypothesis's examples per property (default 25; `make fuzz` uses 500).
"""

from __future__ import annotations

import os

import pytest
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

FUZZ_EXAMPLES = int(os.environ.get("QSG_FUZZ_EXAMPLES", "25"))

HOSTILE_SETTINGS = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=not os.environ.get("QSG_FUZZ_RANDOM"),
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)


@pytest.fixture
def wsgi_keeps_the_test_connection():
    """Call the WSGI app as Django's test client does: keep the test's connection and
    transaction (a request's start and end would otherwise close it)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)
