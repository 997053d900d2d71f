"""Who sees which item: every distribution x every role x own/other organisation x
local/regional, before and after triage, with moderation on and off, through the access layer.

The expected answers are written out by hand from the issue's rules (not derived from the code
under test); the in-memory rule `can_see` must agree with the database clause for every pair.
"""

from __future__ import annotations

import pytest
from django.http import Http404

from qsg.models import QSG
from surveillance.intelligence import access
from surveillance.intelligence import services as si
from tests.cast import EVERYONE

from .factories import Distribution, Status, fields, released, submit

pytestmark = pytest.mark.django_db

AUTHOR = "member_a"  # Alpha ICB, member of QSG A
TEAM_A = {"secretariat_a", "chair_a"}
A_ROLES = {"secretariat_a", "chair_a", "member_a", "cqc_a", "observer_a"}
REGION_R = {"regional_secretariat", "reviewer", "regional_member"}
# Named organisations used below: Bravo ICB (member_b) and the CQC (cqc_a, regional_member).
# A role in the QSG is needed to read its intelligence (issue 14, build 2): member_b (QSG B)
# and regional_member (the regional QSG) are of named organisations but hold no role in A.
NAMED = {"cqc_a"}

# What each distribution reaches once the item is released, besides the author and the team.
RELEASED_AUDIENCE = {
    Distribution.ORGANISATION: set(),
    Distribution.QSG: A_ROLES,
    Distribution.REGION: A_ROLES | REGION_R,
    Distribution.NAMED: NAMED,
}


def _make(cast, distribution, *, release: bool):
    named = [cast.orgs["icb_b"], cast.orgs["cqc"]] if distribution == Distribution.NAMED else []
    if release:
        return released(cast, distribution=distribution, named_organisations=named)
    return submit(cast, distribution=distribution, named_organisations=named)


def _seen_by(cast, item) -> set[str]:
    out = set()
    for username in EVERYONE:
        user = cast.users[username]
        access.forget(user)
        if access.items_for(user).filter(pk=item.pk).exists():
            out.add(username)
        scope = access.scope_for(user)
        assert access.can_see(scope, item) == (username in out), (username, item.distribution)
    return out


@pytest.mark.parametrize("distribution", Distribution.values)
def test_released_items_reach_exactly_their_distribution(cast, distribution):
    item = _make(cast, distribution, release=True)
    expected = {AUTHOR} | TEAM_A | RELEASED_AUDIENCE[distribution]
    assert _seen_by(cast, item) == expected


@pytest.mark.parametrize("distribution", Distribution.values)
def test_untriaged_items_reach_the_submitting_organisation_and_the_team_only(cast, distribution):
    item = _make(cast, distribution, release=False)
    assert item.status == Status.SUBMITTED
    assert _seen_by(cast, item) == {AUTHOR} | TEAM_A


@pytest.mark.parametrize("distribution", Distribution.values)
def test_without_moderation_submitted_items_reach_their_distribution(cast, distribution):
    QSG.objects.filter(pk=cast.qsgs["a"].pk).update(moderation_enabled=False)
    item = _make(cast, distribution, release=False)
    assert item.status == Status.SUBMITTED
    assert _seen_by(cast, item) == {AUTHOR} | TEAM_A | RELEASED_AUDIENCE[distribution]


def test_drafts_are_the_authors_alone(cast):
    draft = si.intelligence_item_save_draft(
        actor=cast.users["member_a"], qsg=cast.qsgs["a"], summary="Half written"
    )
    assert draft.status == Status.DRAFT
    assert _seen_by(cast, draft) == {"member_a"}
    assert list(access.drafts_for(cast.users["member_a"])) == [draft]
    assert not access.drafts_for(cast.users["secretariat_a"]).exists()


def test_colleagues_of_the_submitting_organisation_see_it_only_with_a_role_in_the_qsg(cast):
    # cqc_a submits to A, for the CQC only: the CQC's regional member is a colleague, but holds
    # no role in A, so reads nothing of A's intelligence.
    item = released(cast, author="cqc_a", distribution=Distribution.ORGANISATION)
    assert _seen_by(cast, item) == {"cqc_a"} | TEAM_A


def test_regional_items_reach_the_regional_qsgs_people(cast):
    item = released(
        cast,
        author="regional_member",
        by="regional_secretariat",
        qsg=cast.qsgs["r"],
        providers=[cast.providers["provider_b1"]],
        outside_reason="",
    )
    # The regional QSG's people see it; cqc_a (the author's organisation, but a role in A
    # only) does not.
    assert _seen_by(cast, item) == {"regional_member", "regional_secretariat", "reviewer"}


def test_item_for_user_gives_404_to_outsiders_and_403_to_readers_who_manage_nothing(cast):
    item = released(cast)
    assert access.item_for_user(cast.users["member_a"], item.pk) == item
    assert access.item_for_user(cast.users["secretariat_a"], item.pk, manage=True) == item
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        access.item_for_user(cast.users["cqc_a"], item.pk, manage=True)
    for username in ("member_b", "outsider", "regional_secretariat"):
        with pytest.raises(Http404):
            access.item_for_user(cast.users[username], item.pk)
    for bad in ("x", None, -1, 10**12):
        with pytest.raises(Http404):
            access.item_for_user(cast.users["member_a"], bad)


def test_attribution_is_for_the_secretariat_and_the_submitting_organisation(cast):
    item = released(cast, do_not_attribute=True)
    sees = {u for u in EVERYONE if access.sees_attribution(cast.users[u], item)}
    assert sees == {"member_a", "secretariat_a"}
    plain = released(cast)
    assert access.sees_attribution(cast.users["cqc_a"], plain)


def test_one_query_for_a_list_whatever_the_rules(cast, django_assert_max_num_queries):
    for distribution in Distribution.values:
        _make(cast, distribution, release=True)
    user = cast.users["regional_member"]
    access.forget(user)
    # principal (3) + scope (2) + named ids (1) + the list (1)
    with django_assert_max_num_queries(7):
        list(access.items_for(user))
    with django_assert_max_num_queries(1):
        list(access.items_for(user))


def test_fields_helper_is_valid(cast):
    assert fields(cast)["qsg"] == cast.qsgs["a"]


def test_takes_part_is_the_scopes_role_groups_without_the_scope(cast, django_assert_num_queries):
    """The navigation's "Intelligence" link: from the principal, the scope's answer."""
    for key in EVERYONE:
        user = type(cast.users[key]).objects.get(pk=cast.users[key].pk)
        access.principal(user)
        with django_assert_num_queries(0):
            answer = access.takes_part(user)
        assert answer == bool(access.scope_for(user).role_qsg_ids), key
