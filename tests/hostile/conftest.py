"""Hostile-input tests: example counts are bounded for CI and raised by `make fuzz`.

QSG_FUZZ_EXAMPLES sets hypothesis's examples per property (default 25; `make fuzz` uses 500).
"""

from __future__ import annotations

import os

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
