from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views
from .accounts import urls as account_urls
from .notifications import sender_lazy

app_name = "qsg"

_reset_kwargs = {
    "email_template_name": "registration/password_reset_email.txt",
    "subject_template_name": "registration/password_reset_subject.txt",
    "from_email": sender_lazy(),
}

urlpatterns = [
    path("", views.home, name="home"),
    path("account/login/", views.LoginView.as_view(), name="login"),
    path("account/logout/", views.LogoutView.as_view(), name="logout"),
    path(
        "account/password/change/",
        auth_views.PasswordChangeView.as_view(
            template_name="registration/password_change_form.jinja",
            success_url=reverse_lazy("qsg:password-change-done"),
        ),
        name="password-change",
    ),
    path(
        "account/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="registration/password_change_done.jinja"
        ),
        name="password-change-done",
    ),
    path(
        "account/password/reset/",
        auth_views.PasswordResetView.as_view(
            template_name="registration/password_reset_form.jinja",
            success_url=reverse_lazy("qsg:password-reset-done"),
            **_reset_kwargs,
        ),
        name="password-reset",
    ),
    path(
        "account/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="registration/password_reset_done.jinja"
        ),
        name="password-reset-done",
    ),
    path(
        "account/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="registration/password_reset_confirm.jinja",
            success_url=reverse_lazy("qsg:password-reset-complete"),
        ),
        name="password-reset-confirm",
    ),
    path(
        "account/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="registration/password_reset_complete.jinja"
        ),
        name="password-reset-complete",
    ),
    path("account/profile/", views.profile, name="profile"),
    *account_urls.urlpatterns,
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("organisations/new/", views.organisation_create, name="organisation-create"),
    path("organisations/<id:pk>/", views.organisation_detail, name="organisation-detail"),
    path("organisations/<id:pk>/edit/", views.organisation_edit, name="organisation-edit"),
    path("organisations/<id:pk>/delete/", views.organisation_delete, name="organisation-delete"),
    path("qsgs/", views.qsg_list, name="qsg-list"),
    path("qsgs/<id:pk>/", views.qsg_detail, name="qsg-detail"),
    path("qsgs/<id:pk>/settings/", views.qsg_settings, name="qsg-settings"),
    path("qsgs/<id:pk>/history/", views.qsg_history, name="qsg-history"),
    path("qsgs/<id:pk>/members/add/", views.membership_add, name="membership-add"),
    path(
        "qsgs/<id:pk>/members/<id:membership_pk>/edit/",
        views.membership_edit,
        name="membership-edit",
    ),
    path(
        "qsgs/<id:pk>/members/<id:membership_pk>/remove/",
        views.membership_remove,
        name="membership-remove",
    ),
    path("qsgs/<id:pk>/people/add/", views.role_add, name="role-add"),
    path("qsgs/<id:pk>/people/<id:role_pk>/remove/", views.role_remove, name="role-remove"),
    path("providers/", views.provider_list, name="provider-list"),
    path("providers/new/", views.provider_create, name="provider-create"),
    path("providers/<id:pk>/", views.provider_detail, name="provider-detail"),
    path("providers/<id:pk>/edit/", views.provider_edit, name="provider-edit"),
    path("providers/<id:pk>/delete/", views.provider_delete, name="provider-delete"),
    path("jobs/failed/", views.failed_jobs, name="failed-jobs"),
    path("jobs/<uuid:pk>/retry/", views.job_retry, name="job-retry"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
]
