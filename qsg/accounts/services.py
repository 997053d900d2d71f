"""Every write about signing in: second-factor devices, recovery codes, API tokens, events.

Each is atomic and leaves an `AccountEvent`; nothing here trusts its caller to have checked the
code or the session (the checks are here).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import django_otp
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from qsg.screening import screen_pid

from .models import (
    AccountEvent,
    ApiToken,
    IdentityProviderDevice,
    RecoveryCode,
    RecoveryCodeDevice,
    recovery_code_digest,
)

Kind = AccountEvent.Kind
RECOVERY_CODE_COUNT = 10
# 12 characters from 31 letters and digits without look-alikes: 60 bits each.
_RECOVERY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
TOKEN_PREFIX = "qsg_"  # noqa: S105 (marks our tokens in logs and scanners)


def account_event(*, user, kind: str, actor=None, detail: str = "") -> AccountEvent:
    event = AccountEvent(user=user, actor=actor, kind=kind, detail=detail[:300])
    event.full_clean()
    event.save()
    return event


def normalise_code(token: str) -> str:
    """What people paste: spaces, hyphens, a trailing newline."""
    return "".join(str(token).split()).replace("-", "")


# Authenticator app ----------------------------------------------------------------------------


def totp_device_start(*, user) -> TOTPDevice:
    """An unconfirmed device for the person to scan; confirmed only by a correct code."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def totp_device_confirm(*, request, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the device with a code from it; replaces any earlier app (re-enrolment).

    Returns the new recovery codes (to be shown once) or None when the code was wrong.
    """
    user = request.user
    if device.user_id != user.pk or device.confirmed:
        raise ValidationError("This set-up has expired. Start again.")
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if not device.verify_token(normalise_code(token)):
            return None
        replaced = TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk)
        again = replaced.exists()
        replaced.delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        account_event(
            user=user,
            actor=user,
            kind=Kind.TWO_FACTOR_ENROLLED,
            detail="replaced an earlier app" if again else "",
        )
        codes = recovery_codes_issue(user=user, actor=user)
    _elevate(request, device)
    return codes


def recovery_codes_issue(*, user, actor) -> list[str]:
    """Ten new one-use codes; earlier codes stop working. Only their hashes are kept."""
    codes = [
        "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(12))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    with transaction.atomic():
        RecoveryCodeDevice.objects.filter(user=user).delete()
        device = RecoveryCodeDevice.objects.create(user=user, name="Recovery codes")
        RecoveryCode.objects.bulk_create(
            RecoveryCode(device=device, code_hash=recovery_code_digest(c)) for c in codes
        )
        account_event(user=user, actor=actor, kind=Kind.RECOVERY_CODES_ISSUED)
    return [f"{c[:4]}-{c[4:8]}-{c[8:]}" for c in codes]


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def second_factor_verify(*, request, token: str):
    """Check a code from the app, else a recovery code; on success the session is verified.

    Returns the device that accepted it, or None. Every device throttles its own failures
    (django-otp's ThrottlingMixin: a growing wait after each wrong code, kept in the database).
    """
    user = request.user
    code = normalise_code(token)
    accepted = None
    with transaction.atomic():
        for device in TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True):
            if code.isdigit() and len(code) <= 8 and device.verify_token(code):
                accepted = device
                break
        if accepted is None and len(code) == 12:
            for device in RecoveryCodeDevice.objects.select_for_update().filter(user=user):
                if device.verify_token(code):
                    accepted = device
                    account_event(
                        user=user,
                        actor=user,
                        kind=Kind.RECOVERY_CODE_USED,
                        detail=f"{device.remaining} left",
                    )
                    break
    if accepted is None:
        account_event(user=user, actor=user, kind=Kind.TWO_FACTOR_VERIFY_FAILED)
        return None
    _elevate(request, accepted)
    return accepted


def _elevate(request, device) -> None:
    """The session now has more power than it had: give it a new key (no fixation)."""
    request.session.cycle_key()
    django_otp.login(request, device)


def second_factor_wait_seconds(user) -> int:
    """Seconds before the authenticator app may be tried again (0: now)."""
    wait = 0
    now = timezone.now()
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        allowed, data = device.verify_is_allowed()
        if not allowed and data and data.get("locked_until"):
            wait = max(wait, int((data["locked_until"] - now).total_seconds()) + 1)
    return wait


def two_factor_reset(*, actor, user) -> None:
    """An administrator's reset when someone has lost their app and codes: every device goes,
    so any session that passed with one is no longer verified; they enrol again at next use."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        RecoveryCodeDevice.objects.filter(user=user).delete()
        IdentityProviderDevice.objects.filter(user=user).delete()
        account_event(user=user, actor=actor, kind=Kind.TWO_FACTOR_RESET)


def identity_provider_verified(*, request, issuer: str, acr: str) -> None:
    """A single sign-on whose `acr` met the required assurance counts as the second factor."""
    device, _ = IdentityProviderDevice.objects.update_or_create(
        user=request.user,
        issuer=issuer,
        defaults={"name": "Identity provider", "acr": acr, "confirmed": True},
    )
    django_otp.login(request, device)


# API tokens -----------------------------------------------------------------------------------


def token_issue(
    *,
    user,
    name: str,
    scope: str = ApiToken.Scope.READ,
    days: int | None = None,
    origin: str,
    two_factor_verified: bool,
) -> tuple[ApiToken, str]:
    """A new token; the raw value is returned once and never stored."""
    days = settings.QSG_API_TOKEN_DAYS if days is None else days
    if not 1 <= days <= settings.QSG_API_TOKEN_MAX_DAYS:
        raise ValidationError(
            {"days": f"Enter a number of days from 1 to {settings.QSG_API_TOKEN_MAX_DAYS}"}
        )
    screen_pid({"name": ("Token name", name)})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=(name or "").strip() or f"API token {timezone.localdate():%-d %B %Y}",
        prefix=raw[: len(TOKEN_PREFIX) + 6],
        key_hash=ApiToken.digest(raw),
        scope=scope,
        origin=origin,
        two_factor_verified=two_factor_verified,
        expires_at=timezone.now() + timedelta(days=days),
    )
    with transaction.atomic():
        token.full_clean()
        token.save()
        account_event(
            user=user,
            actor=user,
            kind=Kind.TOKEN_CREATED,
            detail=f"{token.name} ({token.get_scope_display()}, {days} days)",
        )
    return token, raw


def token_revoke(*, actor, token: ApiToken) -> None:
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(
            revoked_at=timezone.now()
        )
        if updated:
            account_event(user=token.user, actor=actor, kind=Kind.TOKEN_REVOKED, detail=token.name)


def token_used(token: ApiToken) -> None:
    """Record the last use, at most once a minute (one UPDATE, not one per request)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
