"""Sign-in pages, included into the `qsg` namespace by qsg.page_urls."""

from django.urls import path

from . import oidc, views

urlpatterns = [
    path("account/two-factor/", views.two_factor_verify, name="two-factor-verify"),
    path("account/two-factor/set-up/", views.two_factor_setup, name="two-factor-setup"),
    path(
        "account/two-factor/recovery-codes/",
        views.two_factor_recovery_codes,
        name="two-factor-recovery-codes",
    ),
    path("account/activity/", views.account_activity, name="account-activity"),
    path("account/tokens/new/", views.token_create, name="token-create"),
    path("account/tokens/<id:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("account/sso/", oidc.sso_login, name="oidc-login"),
    path("account/sso/callback/", oidc.sso_callback, name="oidc-callback"),
    path("account/sso/signed-out/", oidc.sso_logged_out, name="oidc-logged-out"),
]
