"""Schemathesis against the project's own OpenAPI schema, every check on, bounded examples.

Runs as a secretariat user (the widest writer) so that writes are exercised, not just refused.
QSG_SCHEMATHESIS_EXAMPLES sets the number of fuzzed examples per operation (CI keeps it small).

Boundaries: the coverage phase (schemathesis 4) sends, for every integer with a `minimum` and
`maximum` in the schema, the minimum, the maximum and one past each (so `?qsg=0` and
`?qsg=9223372036854775808`), valid and invalid. Every integer the API accepts has both
(tests/hostile/test_integer_bounds.py holds that), so every one is tried at its edges. The
coverage phase generates each case the schema defines once; it does not grow with the number
of examples, so it is capped here: every integer boundary case runs, and at most
QSG_SCHEMATHESIS_EXAMPLES of the operation's other coverage cases (wrong types, strings at and
past their lengths, missing properties...), in schemathesis's own order. `make fuzz` raises the
cap with the examples.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.meta import CoverageScenario, TestPhase

from qsg.accounts.models import ApiToken
from qsg.accounts.services import token_issue

MAX_EXAMPLES = int(os.environ.get("QSG_SCHEMATHESIS_EXAMPLES", "15"))

# Every check stays on. One is tuned: a request can be valid by the schema and still be refused
# with field errors for what a schema cannot say (an id that does not exist, an ODS code that is
# already taken), so 400 is an accepted answer to schema-valid data as well.
CONFIG = SchemathesisConfig.from_dict(
    {
        "generation": {"mode": "all"},  # valid and invalid data
        "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True}},
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "429"]
            }
        },
    }
)
schema = schemathesis.openapi.from_wsgi(
    "/api/schema/?format=json", get_wsgi_application(), config=CONFIG
)


pytestmark = pytest.mark.usefixtures("wsgi_keeps_the_test_connection")

# The coverage phase's cases that are always sent: every integer at and past its range.
BOUNDARIES = {
    CoverageScenario.MINIMUM_VALUE,
    CoverageScenario.MAXIMUM_VALUE,
    CoverageScenario.NEAR_BOUNDARY_NUMBER,
    CoverageScenario.VALUE_ABOVE_MAXIMUM,
    CoverageScenario.VALUE_BELOW_MINIMUM,
}
_coverage_sent: Counter[str] = Counter()


def _within_the_cap(case) -> bool:
    """Whether to send this case: anything but the coverage phase, an integer boundary, or one
    of the first MAX_EXAMPLES other coverage cases of its operation."""
    phase = case.meta.phase if case.meta else None
    if phase is None or phase.name != TestPhase.COVERAGE:
        return True
    if phase.data.scenario in BOUNDARIES:
        return True
    key = case.operation.label
    _coverage_sent[key] += 1
    return _coverage_sent[key] <= MAX_EXAMPLES


@pytest.fixture
def token(cast):
    # As made on the account page from a session that passed its second factor.
    return token_issue(
        user=cast.users["secretariat_a"],
        name="schemathesis",
        scope=ApiToken.Scope.READ_WRITE,
        origin=ApiToken.Origin.ACCOUNT_PAGE,
        two_factor_verified=True,
    )[1]


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_api_conforms_to_its_schema(case, token):
    if not _within_the_cap(case):
        return
    case.call_and_validate(headers={"Authorization": f"Token {token}"})
