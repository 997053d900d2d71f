"""Property-based tests of the submission API: whatever the text and field combinations, the
answer is 201 (one item, readable) or 400 (field errors, nothing saved), never a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveillance.intelligence import services as si
from surveillance.intelligence.models import IntelligenceItem

from .test_api import URL, payload

pytestmark = pytest.mark.django_db

Item = IntelligenceItem
PROPERTY_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.text(max_size=300),
    st.lists(st.integers(min_value=-5, max_value=2**40), max_size=4),
    st.lists(st.text(max_size=5), max_size=3),
    st.dates(min_value=dt.date(1, 1, 1)).map(lambda d: d.isoformat()),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
FIELDS = [*si.FIELDS, "idempotency_key"]


def _check(client, body, **headers):
    before = Item.objects.count()
    response = client.post(URL, body, content_type="application/json", **headers)
    assert response.status_code in (201, 400), (response.status_code, body)
    if response.status_code == 201:
        assert Item.objects.filter(pk=response.json()["id"]).exists()
    else:
        assert isinstance(response.json(), dict)
        assert Item.objects.count() == before
    return response


@PROPERTY_SETTINGS
@given(
    summary=st.text(max_size=260),
    details=st.text(max_size=400),
    service_site=st.text(max_size=220),
    outside_reason=st.text(max_size=50),
)
def test_arbitrary_text_gives_201_or_400(
    cast, client_for, summary, details, service_site, outside_reason
):
    client = client_for("member_a")
    body = payload(
        cast,
        summary=summary,
        details=details,
        service_site=service_site,
        outside_reason=outside_reason,
    )
    _check(client, body)


@PROPERTY_SETTINGS
@given(changes=st.dictionaries(st.sampled_from(FIELDS), anything, max_size=5))
def test_arbitrary_field_values_give_201_or_400(cast, client_for, changes):
    client = client_for("member_a")
    body = payload(cast)
    body.update(changes)
    _check(client, body)


@PROPERTY_SETTINGS
@given(drop=st.sets(st.sampled_from(FIELDS)), key=st.text(max_size=100))
def test_missing_fields_and_odd_keys_give_201_or_400(cast, client_for, drop, key):
    client = client_for("cqc_a")
    body = {k: v for k, v in payload(cast).items() if k not in drop}
    headers = {}
    if key and all(32 <= ord(c) < 127 for c in key):
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    else:
        body["idempotency_key"] = key
    _check(client, body, **headers)
