"""No page or API answers a session that still owes its second factor.

Runs after django-otp's OTPMiddleware (which tells whether the session passed a second factor)
and before any view, so nothing can be forgotten: the only ways through are the sign-in pages
themselves. Token-authenticated API calls carry no session; `qsg.accounts.authentication`
applies the same rule to the token.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from . import policy

# The sign-in pages, and what a load balancer asks, are all a half-signed-in session reaches.
OPEN_URL_NAMES = frozenset(
    {
        "qsg:login",
        "qsg:logout",
        "qsg:two-factor-verify",
        "qsg:two-factor-setup",
        "qsg:oidc-login",
        "qsg:oidc-callback",
        "qsg:oidc-logged-out",
        "qsg:healthz",
        "qsg:readyz",
    }
)


def _open(request) -> bool:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return match.view_name in OPEN_URL_NAMES


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if policy.second_factor_missing(request.user) and not _open(request):
            return refuse(request)
        return self.get_response(request)


def refuse(request):
    message = "Enter the security code from your authenticator app first."
    if request.path_info.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    ):
        return JsonResponse({"detail": message, "code": "second_factor_required"}, status=403)
    target = reverse("qsg:two-factor-verify")
    if request.method == "GET" and not request.headers.get("HX-Request"):
        target += "?" + urlencode({"next": request.get_full_path()})
    return redirect(target)
