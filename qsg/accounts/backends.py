"""Django's model permissions read in one query instead of two.

ModelBackend reads a person's own permissions and their groups' permissions in two queries the
first time a request asks `has_perm` (the home page's analyst panel does on every visit). This
backend, listed before ModelBackend, reads both in one UNION and keeps the answer where
ModelBackend keeps its own (`_perm_cache` on the request's user object: never shared between
requests or people), so ModelBackend then answers from it without a query. It answers exactly as
ModelBackend does (inactive and anonymous people have none; a superuser has every permission)
and takes no part in logging in: no `get_user`, and `authenticate` answers no one, so sessions
still name ModelBackend.
"""

from __future__ import annotations

from django.contrib.auth.models import Permission


class PermissionReadBackend:
    def authenticate(self, request, **credentials):
        return None

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                perms = _labels(Permission.objects.all())
            else:
                own = Permission.objects.filter(user=user_obj)
                groups = Permission.objects.filter(group__user=user_obj)
                perms = _labels(own).union(_labels(groups))
            user_obj._perm_cache = {f"{app}.{codename}" for app, codename in perms}
        return user_obj._perm_cache

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        return user_obj.is_active and perm in self.get_all_permissions(user_obj, obj=obj)


def _labels(perms):
    return perms.values_list("content_type__app_label", "codename").order_by()
