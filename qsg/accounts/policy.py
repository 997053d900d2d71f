"""Who must use what to sign in. Pure reads; the settings say which roles need a second factor.

A person needs a second factor when they hold, in a QSG they can see, a role that reads
restricted intelligence or "do not attribute" sources (`QSG_TWO_FACTOR_REQUIRED_ROLES`:
secretariat, chair, regional reviewer by default), or when they are staff or a superuser
(`QSG_TWO_FACTOR_REQUIRED_FOR_STAFF`). Roles come from `access.principal`, which a request
resolves once anyway, so the check adds no query to pages that read through the access layer.
"""

from __future__ import annotations

from django.conf import settings

from .. import access

DEMO_EMAIL_DOMAIN = "@demo.qsg-workspace.invalid"


def required_roles() -> frozenset[str]:
    return frozenset(settings.QSG_TWO_FACTOR_REQUIRED_ROLES)


def two_factor_required(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if settings.QSG_TWO_FACTOR_REQUIRED_FOR_STAFF and (user.is_staff or user.is_superuser):
        return True
    wanted = required_roles()
    p = access.principal(user)
    return any(roles & wanted for roles in p.roles.values()) or any(
        roles & wanted for roles in p.overseen.values()
    )


def demo_exempt(user) -> bool:
    """Demo accounts skip the second factor only under the demo settings (never in production:
    qsg.settings.production sets the flag off and refuses to start with it on)."""
    return bool(settings.QSG_TWO_FACTOR_DEMO_EXEMPT) and (user.email or "").endswith(
        DEMO_EMAIL_DOMAIN
    )


def second_factor_missing(user) -> bool:
    """True when the signed-in person must still pass a second factor before anything else."""
    if not getattr(user, "is_authenticated", False):
        return False
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and is_verified():
        return False
    return two_factor_required(user) and not demo_exempt(user)


def must_use_single_sign_on(user) -> bool:
    """Accounts linked to an identity provider may be barred from password sign-in."""
    if settings.OIDC_PASSWORD_SIGN_IN_FOR_LINKED_ACCOUNTS:
        return False
    return user.external_identities.exists()


def needs_second_factor(user) -> bool:
    """Whether this account's sign-ins (and tokens) must carry a second factor."""
    return two_factor_required(user) and not demo_exempt(user)
