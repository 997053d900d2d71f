"""The access layer: organisation permission narrowed by role, regional oversight, no leaks."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from qsg import access, services


def test_principal_needs_both_organisation_permission_and_role(cast):
    p = access.principal(cast.users["cqc_a"])
    # CQC is a member of A, B and the region, but this person holds a role only in A.
    assert p.qsg_ids == {cast.qsgs["a"].pk}
    assert p.roles_in(cast.qsgs["a"].pk) == {"member"}
    assert not p.manages(cast.qsgs["a"].pk)


def test_role_without_membership_grants_nothing(cast):
    membership = cast.memberships["a:la_a"]
    observer = cast.users["observer_a"]
    # Take the organisation out of the QSG behind the services' back: the role alone is not enough.
    from guardian.shortcuts import remove_perm

    remove_perm(access.VIEW_QSG, membership.organisation.group, membership.qsg)
    observer = type(observer).objects.get(pk=observer.pk)
    assert access.principal(observer).qsg_ids == frozenset()
    with pytest.raises(Http404):
        access.qsg_for_user(observer, cast.qsgs["a"].pk)


def test_regional_team_reads_its_locals_but_cannot_change_them(cast):
    reviewer = cast.users["reviewer"]
    p = access.principal(reviewer)
    assert {cast.qsgs["a"].pk, cast.qsgs["b"].pk, cast.qsgs["r"].pk} <= p.qsg_ids
    assert cast.qsgs["c"].pk not in p.qsg_ids
    assert access.qsg_for_user(reviewer, cast.qsgs["a"].pk) == cast.qsgs["a"]
    with pytest.raises(PermissionDenied):
        access.qsg_for_user(reviewer, cast.qsgs["a"].pk, manage=True)


def test_regional_member_does_not_oversee_locals(cast):
    p = access.principal(cast.users["regional_member"])
    assert p.qsg_ids == {cast.qsgs["r"].pk}


def test_outsider_sees_no_qsg_provider_or_organisation_but_their_own(cast):
    outsider = cast.users["outsider"]
    assert not access.qsgs_for(outsider).exists()
    assert not access.providers_for(outsider).exists()
    assert list(access.organisations_for(outsider)) == [cast.orgs["outsider_org"]]


def test_commissioner_sees_provider_outside_its_footprint(cast):
    visible = set(access.providers_for(cast.users["member_a"]))
    assert cast.providers["provider_b1"] in visible
    assert cast.providers["provider_c1"] not in visible
    with pytest.raises(PermissionDenied):
        access.provider_for_user(
            cast.users["member_a"], cast.providers["provider_b1"].pk, manage=True
        )


def test_garbage_ids_are_not_found(cast):
    for bad in ("abc", None, "1; DROP TABLE", 10**12):
        with pytest.raises(Http404):
            access.qsg_for_user(cast.users["secretariat_a"], bad)
        with pytest.raises(Http404):
            access.provider_for_user(cast.users["secretariat_a"], bad)


def test_removing_a_membership_revokes_the_organisation_permission(cast):
    secretariat = cast.users["secretariat_a"]
    services.membership_add(
        actor=secretariat, qsg=cast.qsgs["a"], organisation=cast.orgs["outsider_org"]
    )
    services.role_assign(
        actor=secretariat, qsg=cast.qsgs["a"], user=cast.users["outsider"], role="observer"
    )
    outsider = type(cast.users["outsider"]).objects.get(pk=cast.users["outsider"].pk)
    assert access.principal(outsider).qsg_ids == {cast.qsgs["a"].pk}
    services.role_remove(actor=secretariat, qsg_role=cast.qsgs["a"].roles.get(user=outsider))
    membership = cast.qsgs["a"].memberships.get(organisation=cast.orgs["outsider_org"])
    services.membership_remove(actor=secretariat, membership=membership)
    outsider = type(outsider).objects.get(pk=outsider.pk)
    assert access.principal(outsider).qsg_ids == frozenset()


def test_principal_is_three_queries(cast, django_assert_max_num_queries):
    user = type(cast.users["reviewer"]).objects.get(pk=cast.users["reviewer"].pk)
    with django_assert_max_num_queries(3):
        access.principal(user)
    with django_assert_max_num_queries(0):
        access.principal(user)
