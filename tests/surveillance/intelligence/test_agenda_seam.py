"""Intelligence marked for the next meeting reaches that meeting's agenda suggestions, for those
who may see it and nobody else (surveillance/agenda_intelligence.py reads through access)."""

from __future__ import annotations

import pytest

from surveillance.meetings.agenda_intelligence import intelligence_for_meeting, intelligence_titles
from tests.surveillance.meetings.factories import meeting

from .factories import Distribution, released, submit, triage

pytestmark = pytest.mark.django_db


def test_marked_items_are_suggested_to_those_who_may_see_them(cast):
    m = meeting(cast, days=7)
    shared = triage(cast, submit(cast), for_next_meeting=True)
    own_only = triage(
        cast, submit(cast, distribution=Distribution.ORGANISATION), for_next_meeting=True
    )
    released(cast)  # not marked: never suggested
    untriaged = submit(cast)  # marked only at triage, so not yet

    def keys(username):
        return {
            s.intelligence_item_ids[0] for s in intelligence_for_meeting(cast.users[username], m)
        }

    assert keys("secretariat_a") == {shared.pk, own_only.pk}
    assert keys("member_a") == {shared.pk, own_only.pk}
    assert keys("cqc_a") == {shared.pk}
    assert keys("observer_a") == {shared.pk}
    for outsider in ("member_b", "secretariat_c", "outsider", "regional_secretariat"):
        assert keys(outsider) == set()
    assert untriaged.pk not in keys("secretariat_a")
    titles = intelligence_titles(cast.users["cqc_a"], [shared.pk, own_only.pk])
    assert set(titles) == {shared.pk}
    assert shared.reference in titles[shared.pk]
