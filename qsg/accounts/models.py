"""Sign-in records: second-factor devices, links to identity providers, API tokens, events.

The authenticator app itself is django-otp's `TOTPDevice`; the models here are what django-otp
does not offer in the shape this service needs (recovery codes stored hashed, the assurance an
identity provider asserted, named API tokens stored hashed). Writes go through
`qsg.accounts.services`.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_otp.models import Device, ThrottlingMixin


def recovery_code_digest(code: str) -> str:
    """Codes are random, so a keyed hash is enough (no slow hash needed); the key keeps a copy
    of the table alone from being searched offline."""
    normalised = "".join(code.split()).replace("-", "").upper()
    return hmac.new(settings.SECRET_KEY.encode(), normalised.encode(), hashlib.sha256).hexdigest()


class RecoveryCodeDevice(ThrottlingMixin, Device):
    """One-use recovery codes for when the authenticator app is lost; each stored hashed."""

    class Meta(Device.Meta):
        verbose_name = "recovery codes"

    def get_throttle_factor(self) -> int:
        return 1

    def verify_token(self, token) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        code = self.codes.filter(code_hash=recovery_code_digest(str(token)), used_at=None).first()
        if code is None:
            self.throttle_increment(commit=True)
            return False
        # A conditional update: two requests racing with one code use it once.
        used = RecoveryCode.objects.filter(pk=code.pk, used_at=None).update(used_at=timezone.now())
        if not used:
            self.throttle_increment(commit=True)
            return False
        self.throttle_reset(commit=True)
        return True

    @property
    def remaining(self) -> int:
        return self.codes.filter(used_at=None).count()


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["device", "code_hash"])]

    def __str__(self) -> str:
        return f"recovery code {self.pk}"


class IdentityProviderDevice(Device):
    """Stands for a second factor checked by an identity provider (an `acr` it asserted).

    It never verifies a token itself: a single sign-on whose assurance meets
    `OIDC_TWO_FACTOR_ACR_VALUES` marks the session verified through django-otp's own login with
    this device, so every check of `user.is_verified()` (ours, django-otp's admin) agrees.
    """

    issuer = models.URLField(max_length=300)
    acr = models.CharField(max_length=200, blank=True)

    class Meta(Device.Meta):
        verbose_name = "identity provider assurance"

    def verify_token(self, token) -> bool:
        return False

    def verify_is_allowed(self):
        return False, {"reason": "signed in through the identity provider"}


class ExternalIdentity(models.Model):
    """A person's account at an OpenID Connect provider: (issuer, subject) never changes."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities"
    )
    issuer = models.URLField(max_length=300)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="external_identity_unique")
        ]
        verbose_name_plural = "external identities"

    def __str__(self) -> str:
        return f"{self.subject} at {self.issuer}"


class ApiToken(models.Model):
    """A named API token. Only a SHA-256 of the token is kept; the person sees it once."""

    class Scope(models.TextChoices):
        READ = "read", "Read only"
        READ_WRITE = "read_write", "Read and write"

    class Origin(models.TextChoices):
        ACCOUNT_PAGE = "account_page", "Account page"
        PASSWORD = "password", "Username and password"
        SESSION = "session", "Signed-in session"
        MIGRATED = "migrated", "Token from before named tokens"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="Shown to tell tokens apart.")
    key_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=12, choices=Scope.choices, default=Scope.READ)
    origin = models.CharField(max_length=14, choices=Origin.choices)
    two_factor_verified = models.BooleanField(
        default=False,
        help_text="Created from a session that had passed its second factor.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class AccountEvent(models.Model):
    """What happened to a person's sign-in: read by administrators, never edited."""

    class Kind(models.TextChoices):
        TWO_FACTOR_ENROLLED = "2fa_enrolled", "Set up an authenticator app"
        TWO_FACTOR_VERIFY_FAILED = "2fa_failed", "Entered a wrong security code"
        RECOVERY_CODES_ISSUED = "recovery_issued", "New recovery codes made"
        RECOVERY_CODE_USED = "recovery_used", "Signed in with a recovery code"
        TWO_FACTOR_RESET = "2fa_reset", "Two-factor authentication reset by an administrator"
        SSO_SIGNED_IN = "sso_signed_in", "Signed in through the identity provider"
        SSO_REFUSED = "sso_refused", "Sign-in through the identity provider refused"
        SSO_ACCOUNT_CREATED = "sso_created", "Account created at first single sign-on"
        TOKEN_CREATED = "token_created", "API token created"
        TOKEN_REVOKED = "token_revoked", "API token revoked"
        TOKEN_REFUSED = "token_refused", "API token request refused"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="account_events",
        null=True,
        blank=True,
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.user_id})"
