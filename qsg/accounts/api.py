"""The token endpoint: `POST /api/v1/auth/token/`.

From a signed-in browser session (which the middleware has already made pass its second factor
where needed), the token is made for that person. Otherwise a username and password are
exchanged for a token, but not for accounts that must use a second factor or single sign-on:
their tokens are made on the account page, or here from their verified session. A token
cannot make another token (a read-only token would otherwise mint a read-write one).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from ..api.throttles import TokenThrottle
from . import policy, services
from .models import AccountEvent, ApiToken


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(required=False, max_length=150)
    password = serializers.CharField(
        required=False, trim_whitespace=False, style={"input_type": "password"}, write_only=True
    )
    name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    scope = serializers.ChoiceField(
        choices=ApiToken.Scope.choices, default=ApiToken.Scope.READ_WRITE
    )
    days = serializers.IntegerField(
        required=False, min_value=1, max_value=settings.QSG_API_TOKEN_MAX_DAYS
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    name = serializers.CharField()
    scope = serializers.ChoiceField(choices=ApiToken.Scope.choices)
    expires_at = serializers.DateTimeField()


def _refuse(user, reason: str):
    services.account_event(user=user, kind=AccountEvent.Kind.TOKEN_REFUSED, detail=reason)
    raise exceptions.PermissionDenied(reason)


@extend_schema(
    request=TokenRequestSerializer,
    responses={200: TokenResponseSerializer},
    auth=[],
)
@api_view(["POST"])
@permission_classes([AllowAny])
@throttle_classes([TokenThrottle])
def obtain_token(request):
    """Make a named API token (sent as `Authorization: Token ...`), expiring after `days`
    (default 90). Read-only tokens are refused on anything but GET, HEAD and OPTIONS."""
    if isinstance(request.auth, ApiToken):
        raise exceptions.PermissionDenied("A token cannot be used to make another token")
    serializer = TokenRequestSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    if request.user.is_authenticated:
        user = request.user
        verified = bool(getattr(user, "is_verified", lambda: False)())
        origin = ApiToken.Origin.SESSION
    else:
        if not data.get("username") or not data.get("password"):
            raise serializers.ValidationError(
                {"non_field_errors": ['Must include "username" and "password".']}
            )
        user = authenticate(request._request, username=data["username"], password=data["password"])
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                {"non_field_errors": ["Unable to log in with provided credentials."]}
            )
        if policy.must_use_single_sign_on(user):
            _refuse(
                user,
                "This account signs in through its identity provider: make a token "
                "on your account page after signing in",
            )
        if policy.needs_second_factor(user):
            _refuse(
                user,
                "This account needs two-factor authentication: make a token on your "
                "account page after signing in with your security code",
            )
        verified = False
        origin = ApiToken.Origin.PASSWORD
    try:
        token, raw = services.token_issue(
            user=user,
            name=data.get("name", ""),
            scope=data["scope"],
            days=data.get("days"),
            origin=origin,
            two_factor_verified=verified,
        )
    except ValidationError as error:
        raise serializers.ValidationError(error.message_dict) from error
    return Response(
        {"token": raw, "name": token.name, "scope": token.scope, "expires_at": token.expires_at},
        status=status.HTTP_200_OK,
    )


obtain_token.cls.throttle_scope = "token"
