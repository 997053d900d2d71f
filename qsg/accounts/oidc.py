"""Single sign-on over OpenID Connect (Authlib): NHS CIS2 or any standards-following provider.

Authorisation code flow with PKCE (S256), a fresh state and nonce per attempt kept in the
session, the ID token's signature checked against the provider's published keys with only the
algorithms this deployment allows (`OIDC_ID_TOKEN_ALGORITHMS`; never `none` or a shared-secret
HMAC), and its issuer, audience (and `azp`), expiry, issue time and nonce checked. Where
`OIDC_ACR_VALUES` is set, the provider is asked for that assurance and a token without it is
refused. People are matched to existing accounts (see `match_user`); none is created unless the
deployment allows it. Sign-out also ends the session at the provider (RP-initiated logout).
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from authlib.integrations.base_client import OAuthError
from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from django.conf import settings
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET
from joserfc.errors import JoseError
from requests import RequestException

from qsg.vocabulary import say

from .. import services as network_services
from ..models import Organisation, User
from . import policy, services
from .models import AccountEvent, ExternalIdentity

log = logging.getLogger(__name__)
ID_TOKEN_KEY = "_qsg_oidc_id_token"  # noqa: S105 (a session key)
NEXT_KEY = "_qsg_oidc_next"
# Whatever the provider offers, these are never accepted for ID tokens.
NEVER = frozenset({"none", "HS256", "HS384", "HS512"})


class SignInRefused(Exception):
    """Shown to the person as the reason; also recorded as an account event."""


def enabled() -> bool:
    return bool(settings.OIDC_DISCOVERY_URL and settings.OIDC_CLIENT_ID)


def expected_issuer() -> str:
    return settings.OIDC_ISSUER or settings.OIDC_DISCOVERY_URL.removesuffix(
        "/.well-known/openid-configuration"
    )


class _ProviderApp(DjangoOAuth2App):
    def load_server_metadata(self):
        fresh = not self.server_metadata.get("_qsg_checked")
        metadata = super().load_server_metadata()
        if fresh:
            if metadata.get("issuer") != expected_issuer():
                raise OAuthError(
                    error="issuer_mismatch",
                    description="The provider's discovery document names another issuer",
                )
            allowed = [a for a in settings.OIDC_ID_TOKEN_ALGORITHMS if a not in NEVER]
            offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
            metadata["id_token_signing_alg_values_supported"] = [a for a in offered if a in allowed]
            metadata["_qsg_checked"] = True
        return metadata


class _OAuth(OAuth):
    oauth2_client_cls = _ProviderApp


_clients: dict[tuple, _ProviderApp] = {}


def client() -> _ProviderApp:
    """One client per configuration (its discovery document and keys are cached with it)."""
    key = (
        settings.OIDC_DISCOVERY_URL,
        settings.OIDC_CLIENT_ID,
        settings.OIDC_CLIENT_SECRET,
        settings.OIDC_SCOPES,
        settings.OIDC_TOKEN_ENDPOINT_AUTH_METHOD,
        tuple(settings.OIDC_ID_TOKEN_ALGORITHMS),
    )
    app = _clients.get(key)
    if app is None:
        registry = _OAuth()
        app = registry.register(
            name="idp",
            client_id=settings.OIDC_CLIENT_ID,
            client_secret=settings.OIDC_CLIENT_SECRET,
            server_metadata_url=settings.OIDC_DISCOVERY_URL,
            client_kwargs={
                "scope": settings.OIDC_SCOPES,
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": settings.OIDC_TOKEN_ENDPOINT_AUTH_METHOD,
                "timeout": 10,
            },
        )
        _clients[key] = app
    return app


def claims_options() -> dict:
    options = {
        "iss": {"essential": True, "value": expected_issuer()},
        "aud": {"essential": True, "value": settings.OIDC_CLIENT_ID},
        "sub": {"essential": True},
        "exp": {"essential": True},
        "iat": {"essential": True},
    }
    if settings.OIDC_ACR_VALUES:
        options["acr"] = {"essential": True, "values": list(settings.OIDC_ACR_VALUES)}
    return options


def _safe_next(request, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


@require_GET
def sso_login(request):
    if not enabled():
        return render(
            request, "accounts/sso_refused.jinja", {"reason": "not_configured"}, status=404
        )
    request.session[NEXT_KEY] = _safe_next(request, request.GET.get("next", ""))
    extra = {}
    if settings.OIDC_ACR_VALUES:
        extra["acr_values"] = " ".join(settings.OIDC_ACR_VALUES)
    try:
        return client().authorize_redirect(
            request, request.build_absolute_uri(reverse("qsg:oidc-callback")), **extra
        )
    except (OAuthError, OSError, ValueError, RequestException) as exc:
        log.warning("single sign-on could not start: %s", exc)
        return render(request, "accounts/sso_refused.jinja", {"reason": "unavailable"}, status=503)


@require_GET
def sso_callback(request):
    if not enabled():
        return render(
            request, "accounts/sso_refused.jinja", {"reason": "not_configured"}, status=404
        )
    try:
        token = client().authorize_access_token(
            request, claims_options=claims_options(), leeway=settings.OIDC_LEEWAY_SECONDS
        )
        claims = token.get("userinfo")
        if not claims:
            raise SignInRefused("The identity provider sent no ID token")
        user = match_user(claims)
    except (OAuthError, JoseError, SignInRefused, ValueError, KeyError, RequestException) as exc:
        reason = str(exc) or type(exc).__name__
        log.warning("single sign-on refused: %s", reason)
        services.account_event(user=None, kind=AccountEvent.Kind.SSO_REFUSED, detail=reason)
        return render(
            request,
            "accounts/sso_refused.jinja",
            {"reason": "refused", "detail": reason},
            status=403,
        )
    next_url = request.session.pop(NEXT_KEY, None) or reverse(settings.LOGIN_REDIRECT_URL)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[ID_TOKEN_KEY] = token["id_token"]
    acr = str(claims.get("acr") or "")
    if acr and acr in settings.OIDC_TWO_FACTOR_ACR_VALUES:
        services.identity_provider_verified(request=request, issuer=claims["iss"], acr=acr)
    services.account_event(
        user=user, actor=user, kind=AccountEvent.Kind.SSO_SIGNED_IN, detail=f"acr {acr or '-'}"
    )
    return redirect(_safe_next(request, next_url))


def match_user(claims) -> User:
    """Find the person's account: first by the (issuer, subject) link made at an earlier
    sign-in; else, where `OIDC_MATCH_EMAIL` allows, by a verified e-mail matching exactly one
    active account (the link is then recorded, so later sign-ins use the subject only); else
    create one if `OIDC_CREATE_ACCOUNTS` and a trusted claim names a known organisation."""
    issuer, subject = claims["iss"], str(claims["sub"])
    link = ExternalIdentity.objects.select_related("user").filter(issuer=issuer, subject=subject)
    identity = link.first()
    if identity is not None:
        if not identity.user.is_active:
            raise SignInRefused("This account has been closed")
        ExternalIdentity.objects.filter(pk=identity.pk).update(last_sign_in_at=timezone.now())
        return identity.user
    email = str(claims.get("email") or "").strip()
    if settings.OIDC_MATCH_EMAIL and email and claims.get("email_verified") is True:
        matches = list(User.objects.filter(email__iexact=email, is_active=True)[:2])
        if len(matches) == 1:
            ExternalIdentity.objects.create(
                user=matches[0], issuer=issuer, subject=subject, last_sign_in_at=timezone.now()
            )
            return matches[0]
    if settings.OIDC_CREATE_ACCOUNTS:
        return _create_account(claims)
    raise SignInRefused(say("There is no QSG workspace account for this person"))


def _create_account(claims) -> User:
    claim = settings.OIDC_ORGANISATION_CLAIM
    code = str(claims.get(claim) or "").strip().upper() if claim else ""
    organisation = (
        Organisation.objects.filter(ods_code=code, is_active=True).first() if code else None
    )
    if organisation is None:
        raise SignInRefused("The identity provider did not name an organisation of this workspace")
    email = str(claims.get("email") or "").strip() if claims.get("email_verified") else ""
    try:
        with transaction.atomic():
            user = network_services.user_create(
                actor=None,
                username=f"sso-{claims['sub']}"[:150],
                organisation=organisation,
                password=None,
                first_name=str(claims.get("given_name") or "")[:150],
                last_name=str(claims.get("family_name") or "")[:150],
                email=email,
            )
            ExternalIdentity.objects.create(
                user=user,
                issuer=claims["iss"],
                subject=str(claims["sub"]),
                last_sign_in_at=timezone.now(),
            )
            services.account_event(
                user=user, kind=AccountEvent.Kind.SSO_ACCOUNT_CREATED, detail=organisation.name
            )
    except ValidationError as exc:
        raise SignInRefused("An account could not be made for this person") from exc
    return user


def logout_url(request, id_token: str | None) -> str | None:
    """Where to send the browser so the provider ends its session too (None: nowhere)."""
    if not (enabled() and id_token and settings.OIDC_LOGOUT_AT_PROVIDER):
        return None
    try:
        metadata = client().load_server_metadata()
    except (OAuthError, OSError, ValueError, RequestException) as exc:
        log.warning("provider logout skipped: %s", exc)
        return None
    endpoint = metadata.get("end_session_endpoint")
    if not endpoint:
        return None
    params = {
        "id_token_hint": id_token,
        "client_id": settings.OIDC_CLIENT_ID,
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("qsg:oidc-logged-out")),
    }
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"


@require_GET
def sso_logged_out(request):
    return render(request, "accounts/sso_logged_out.jinja", {})


def password_sign_in_refused(user) -> bool:
    return policy.must_use_single_sign_on(user)
