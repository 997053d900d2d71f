"""Sign-in pages: the second factor (set up, enter, recovery codes) and API tokens.

Reached by a session that still owes its second factor only through the names listed in
`qsg.accounts.middleware.OPEN_URL_NAMES` (verify and set up).
"""

from __future__ import annotations

import base64

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..pages import apply_errors
from . import policy, services
from .forms import SecurityCodeForm, SetUpCodeForm, TokenCreateForm
from .models import AccountEvent, ApiToken

SETUP_DEVICE_KEY = "_qsg_totp_setup_device"
NEW_CODES_KEY = "_qsg_new_recovery_codes"


def _next_url(request, default: str = "qsg:home") -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(default)


def _verified(request) -> bool:
    return bool(getattr(request.user, "is_verified", lambda: False)())


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    user = request.user
    if not services.has_authenticator(user):
        target = reverse("qsg:two-factor-setup")
        if request.GET.get("next"):
            target += "?" + urlencode({"next": _next_url(request)})
        return redirect(target)
    if _verified(request):
        return redirect(_next_url(request))
    form = SecurityCodeForm(request.POST if request.method == "POST" else None)
    wait = services.second_factor_wait_seconds(user)
    if request.method == "POST" and form.is_valid():
        if services.second_factor_verify(request=request, token=form.cleaned_data["code"]):
            return redirect(_next_url(request))
        wait = services.second_factor_wait_seconds(user)
        form.add_error(
            "code",
            f"Too many wrong codes. Wait {wait} seconds, then enter the newest code"
            if wait > 2
            else "The code is not right. Enter the newest code from your authenticator app",
        )
    return render(
        request,
        "accounts/two_factor_verify.jinja",
        {"form": form, "next": _next_url(request), "wait": wait},
    )


def _qr_svg(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, dark="#212b32", light="#ffffff", omitsize=False
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Set up (or replace) the authenticator app. Replacing one needs a verified session, so a
    stolen password alone cannot add an attacker's app."""
    user = request.user
    if services.has_authenticator(user) and not _verified(request):
        return redirect("qsg:two-factor-verify")
    device = None
    device_id = request.session.get(SETUP_DEVICE_KEY)
    if device_id:
        device = TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first()
    if device is None or request.method == "GET":
        device = services.totp_device_start(user=user)
        request.session[SETUP_DEVICE_KEY] = device.pk
    form = SetUpCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.totp_device_confirm(
                request=request, device=device, token=form.cleaned_data["code"]
            )
        except ValidationError as error:
            form.add_error("code", error)
            codes = None
        if codes is not None:
            request.session.pop(SETUP_DEVICE_KEY, None)
            request.session[NEW_CODES_KEY] = codes
            messages.success(request, "Your authenticator app is set up")
            return redirect(
                reverse("qsg:two-factor-recovery-codes")
                + "?"
                + urlencode({"next": _next_url(request)})
            )
        if not form.errors:
            form.add_error(
                "code", "The code is not right. Enter the newest code from your authenticator app"
            )
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/two_factor_setup.jinja",
        {
            "form": form,
            "qr_svg": _qr_svg(device),
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
            "next": _next_url(request),
            "replacing": services.has_authenticator(user),
            "required": policy.two_factor_required(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_recovery_codes(request):
    """New codes are shown once (taken out of the session as they are shown)."""
    if request.method == "POST":
        if not _verified(request):
            return redirect("qsg:two-factor-verify")
        request.session[NEW_CODES_KEY] = services.recovery_codes_issue(
            user=request.user, actor=request.user
        )
        return redirect("qsg:two-factor-recovery-codes")
    codes = request.session.pop(NEW_CODES_KEY, None)
    return render(
        request,
        "accounts/recovery_codes.jinja",
        {"codes": codes, "next": _next_url(request, "qsg:profile")},
    )


# API tokens -----------------------------------------------------------------------------------


def token_origin_verified(request) -> bool:
    """A token made now counts as two-factor if the session passed one (or need not)."""
    return _verified(request) or not policy.needs_second_factor(request.user)


@login_required
@require_http_methods(["GET", "POST"])
def token_create(request):
    form = TokenCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = services.token_issue(
                user=request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                days=form.cleaned_data["days"],
                origin=ApiToken.Origin.ACCOUNT_PAGE,
                two_factor_verified=_verified(request),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            # Shown in this response only: never stored, never in a redirect or the session.
            return render(request, "accounts/token_created.jinja", {"token": token, "raw": raw})
    return render(request, "accounts/token_form.jinja", {"form": form})


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = ApiToken.objects.filter(pk=pk, user=request.user).first()
    if token is None:
        raise Http404("Not found")
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, f"The token '{token.name}' has been revoked")
    return redirect(reverse("qsg:profile") + "#api-tokens")


@login_required
@require_GET
def account_activity(request):
    events = AccountEvent.objects.filter(user=request.user).select_related("actor")[:50]
    return render(request, "accounts/activity.jinja", {"events": events})


def profile_context(user) -> dict:
    """What the account page shows about signing in (qsg.views.profile adds it)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice as _T

    from .models import RecoveryCodeDevice

    recovery = RecoveryCodeDevice.objects.filter(user=user).first()
    return {
        "has_authenticator": _T.objects.filter(user=user, confirmed=True).exists(),
        "recovery_left": recovery.remaining if recovery else 0,
        "two_factor_required": policy.two_factor_required(user),
        "tokens": list(ApiToken.objects.filter(user=user, revoked_at=None).order_by("-created_at")),
        "token_days": settings.QSG_API_TOKEN_DAYS,
    }
