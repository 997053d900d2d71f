"""API authentication: named, expiring, scoped tokens stored hashed (replacing DRF's authtoken).

`Authorization: Token <token>` (as before) or `Authorization: Bearer <token>`. A read-only token
is refused on any unsafe method, whatever the view's own permissions say. A token of a person
who must use a second factor works only if it was made from a session that had passed it.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.permissions import SAFE_METHODS

from . import policy, services
from .models import ApiToken

KEYWORDS = (b"token", b"bearer")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() not in KEYWORDS:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send one token after the word Token")
        try:
            raw = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed("The token is not valid") from exc
        token = (
            ApiToken.objects.select_related("user", "user__organisation")
            .filter(key_hash=ApiToken.digest(raw))
            .first()
        )
        if token is None or token.revoked_at is not None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("The token is not valid")
        if token.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed("The token has expired")
        user = token.user
        if not token.two_factor_verified and policy.needs_second_factor(user):
            raise exceptions.AuthenticationFailed(
                "Your account needs two-factor authentication: create a token on your account "
                "page after signing in with your security code"
            )
        if token.scope == ApiToken.Scope.READ and request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied("This token is read-only")
        services.token_used(token)
        return (user, token)

    def authenticate_header(self, request):
        return "Token"


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "qsg.accounts.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'A named token from your account page: "Token <token>"',
        }
