"""An escalation decision that links intelligence as its evidence inherits the items'
visibility (issue 14, build 1): a reader who may not read a linked item sees the decision's
level and date but none of its words, on the record's page, the provider's page and the API."""

from __future__ import annotations

import pytest

from tests.surveillance.escalation.factories import decide, statement

from .factories import Distribution, released
from .test_derived_visibility import NOT_READERS, NOT_SHARED, READERS

pytestmark = pytest.mark.django_db

WHY = "Bank staff on the Rowan ward unpaid for two months, per the ICB finance team"


def test_a_decision_drawing_on_a_withheld_item_keeps_its_words_from_those_who_may_not_read_it(
    cast, client_for
):
    item = released(cast, distribution=Distribution.ORGANISATION)
    decision = decide(
        cast,
        rationale=WHY,
        improvement_plan="Rowan ward pay plan",
        intelligence_item_ids=[item.pk],
        exit_criteria=[statement()],
    )
    record = decision.record
    provider = cast.providers["provider_a1"]
    urls = [
        f"/escalations/{record.pk}/",
        f"/api/v1/escalations/{record.pk}/",
        f"/providers/{provider.pk}/",
    ]
    checked = 0
    for username in READERS + NOT_READERS:
        client = client_for(username)
        for url in urls:
            response = client.get(url)
            if response.status_code == 404:
                continue
            body = response.content.decode()
            if "escalation" not in body.lower():
                continue
            checked += 1
            if username in READERS:
                assert WHY in body, (username, url)
            else:
                assert WHY not in body, (username, url)
                assert "Rowan ward pay plan" not in body, (username, url)
                assert f"1 {NOT_SHARED}" in body, (username, url)
    assert checked >= 6
