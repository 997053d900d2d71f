"""A request's model permissions are read in one query (qsg.accounts.backends.PermissionReadBackend)
and answer as Django's ModelBackend alone does."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboard import access as dashboard_access
from qsg.models import User

pytestmark = pytest.mark.django_db


def fresh(user) -> User:
    return User.objects.get(pk=user.pk)


def django_answer(user) -> set[str]:
    return ModelBackend().get_all_permissions(fresh(user))


def test_the_analyst_check_reads_the_permissions_in_one_query(cast):
    for username, analyst in (("member_b", True), ("member_a", False)):
        user = fresh(cast.users[username])
        with CaptureQueriesContext(connection) as ctx:
            assert user.has_perm(dashboard_access.LOAD) is analyst
            assert user.has_perm("qsg.no_such_permission") is False  # from the same read
        assert len(ctx.captured_queries) == 1, [q["sql"] for q in ctx.captured_queries]


def test_it_answers_as_django_for_group_own_inactive_and_superuser(cast):
    user = cast.users["member_a"]
    own = Permission.objects.get(codename="change_indicator")
    user.user_permissions.add(own)
    analyst = cast.users["member_b"]
    for person in (user, analyst):
        expected = django_answer(person)
        assert expected, "each has a permission of their own or of a group"
        assert fresh(person).get_all_permissions() == expected
    assert fresh(user).has_perm("dashboard.change_indicator")
    assert not fresh(user).has_perm(dashboard_access.LOAD)
    assert fresh(analyst).has_perm(dashboard_access.LOAD)

    User.objects.filter(pk=analyst.pk).update(is_active=False)
    assert not fresh(analyst).has_perm(dashboard_access.LOAD)

    User.objects.filter(pk=user.pk).update(is_superuser=True)
    superuser = fresh(user)
    assert superuser.has_perm("qsg.anything_at_all")  # Django's own rule for superusers
    assert superuser.get_all_permissions() == django_answer(user)
    assert len(superuser.get_all_permissions()) == Permission.objects.count()


def test_a_permission_granted_is_seen_by_the_next_request(cast):
    user = fresh(cast.users["member_a"])
    assert not user.has_perm(dashboard_access.LOAD)
    cast.users["member_a"].user_permissions.add(
        Permission.objects.get(codename="load_observations")
    )
    assert fresh(user).has_perm(dashboard_access.LOAD), "kept on one user object only"
