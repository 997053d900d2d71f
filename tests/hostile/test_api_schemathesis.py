"""Schemathesis against the project's own OpenAPI schema, every check on, bounded examples.

Runs as a secretariat user (the widest writer) so that writes are exercised, not just refused.
QSG_SCHEMATHESIS_EXAMPLES sets the number of fuzzed examples per operation (CI keeps it small).

Boundaries: the coverage phase (schemathesis 4) sends, for every integer with a `minimum` and
`maximum` in the schema, the minimum, the maximum and one past each (so `?qsg=0` and
`?qsg=9223372036854775808`), valid and invalid. Every integer the API accepts has both
(tests/hostile/test_integer_bounds.py holds that), so every one is tried at its edges. The
coverage phase generates each case the schema defines once; it does not grow with the number
of examples.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

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
    case.call_and_validate(headers={"Authorization": f"Token {token}"})
