"""A role in the QSG is needed to read its intelligence; only the submitter and the QSG's
secretariat change an item's sharing (issue 14, finding 2 and build 2).

The CQC belongs to QSG A, QSG B and the regional QSG; cqc_a holds a role in A only and
regional_member in the regional QSG only. Before the fix, cqc_a read the regional QSG's items
(its own organisation's, and a "do not attribute" one with its submitter's name), listed them
with ?qsg=, and could change their sharing.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from qsg import services as qsg_services
from qsg.models import QSGRole
from surveillance.intelligence import access
from surveillance.intelligence import services as si

from .factories import Distribution, released

pytestmark = pytest.mark.django_db


def _regional_items(cast):
    common = {
        "qsg": cast.qsgs["r"],
        "providers": [cast.providers["provider_b1"]],
        "outside_reason": "",
    }
    own = released(
        cast,
        author="regional_member",
        by="regional_secretariat",
        distribution=Distribution.ORGANISATION,
        summary="CQC only: regional enforcement plan for Bravo",
        **common,
    )
    unattributed = released(
        cast,
        author="regional_member",
        by="regional_secretariat",
        do_not_attribute=True,
        summary="Regional: anonymous concern about Bravo maternity",
        **common,
    )
    named = released(
        cast,
        author="member_b",
        by="secretariat_b",
        qsg=cast.qsgs["b"],
        providers=[cast.providers["provider_b1"]],
        distribution=Distribution.NAMED,
        named_organisations=[cast.orgs["cqc"]],
        summary="Bravo ICB to the CQC by name: discharge delays",
    )
    return own, unattributed, named


def test_an_organisation_in_two_qsgs_gives_no_reading_in_the_one_without_a_role(cast, client_for):
    items = _regional_items(cast)
    cqc_a = cast.users["cqc_a"]
    assert not access.items_for(cqc_a).filter(pk__in=[i.pk for i in items]).exists()
    client = client_for("cqc_a")
    for item in items:
        for url in (
            f"/intelligence/{item.pk}/",
            f"/intelligence/{item.pk}/sharing/",
            f"/api/v1/intelligence/{item.pk}/",
        ):
            assert client.get(url).status_code == 404, url
        assert client.post(f"/intelligence/{item.pk}/sharing/").status_code == 404
        assert item.summary not in client.get("/intelligence/").content.decode()
    for qsg in ("r", "b"):
        listed = client.get(f"/api/v1/intelligence/?qsg={cast.qsgs[qsg].pk}").json()
        assert listed["count"] == 0, qsg
    with pytest.raises(PermissionDenied):
        si.intelligence_item_change_distribution(
            actor=cqc_a, item=items[0], distribution=Distribution.REGION
        )
    # Their readers still read them: the submitter, the colleague with the role, the team.
    own, unattributed, named = items
    assert access.items_for(cast.users["regional_member"]).filter(pk=own.pk).exists()
    assert access.items_for(cast.users["regional_secretariat"]).filter(pk=unattributed.pk).exists()
    assert access.items_for(cast.users["member_b"]).filter(pk=named.pk).exists()


def _colleague(cast):
    """A second Alpha ICB person with a member role in QSG A."""
    user = qsg_services.user_create(
        actor=None,
        username="colleague_a",
        organisation=cast.orgs["icb_a"],
        password="cast-password-123",
        first_name="Colleague",
        last_name="Alpha",
        email="colleague_a@example.nhs.uk",
    )
    qsg_services.role_assign(actor=None, qsg=cast.qsgs["a"], user=user, role=QSGRole.Role.MEMBER)
    cast.users["colleague_a"] = user
    return user


def test_only_the_submitter_and_the_secretariat_change_sharing(cast, client_for):
    colleague = _colleague(cast)
    item = released(cast, author="member_a", distribution=Distribution.ORGANISATION)
    assert access.items_for(colleague).filter(pk=item.pk).exists()  # same organisation, in A
    may = {u: access.can_change_distribution(cast.users[u], item) for u in cast.users}
    assert {u for u, yes in may.items() if yes} == {"member_a", "secretariat_a"}
    for username, status in (
        ("colleague_a", 403),
        ("chair_a", 403),
        ("cqc_a", 404),
        ("member_a", 200),
        ("secretariat_a", 200),
    ):
        assert client_for(username).get(f"/intelligence/{item.pk}/sharing/").status_code == (
            status
        ), username
    assert client_for("colleague_a").post(f"/intelligence/{item.pk}/sharing/").status_code == 403
    with pytest.raises(PermissionDenied):
        si.intelligence_item_change_distribution(
            actor=colleague, item=item, distribution=Distribution.QSG
        )
    si.intelligence_item_change_distribution(
        actor=cast.users["member_a"], item=item, distribution=Distribution.QSG
    )
    item.refresh_from_db()
    assert item.distribution == Distribution.QSG


def test_the_submitter_always_sees_their_own_item_even_after_losing_the_role(cast):
    item = released(cast, author="member_a", distribution=Distribution.ORGANISATION)
    QSGRole.objects.filter(user=cast.users["member_a"], qsg=cast.qsgs["a"]).delete()
    user = cast.users["member_a"]
    access.forget(user)
    assert access.item_for_user(user, item.pk) == item
