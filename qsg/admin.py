"""The Django admin is for system administrators only (staff accounts)."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .accounts import services as account_services
from .models import (
    QSG,
    AccountEvent,
    ApiToken,
    ExternalIdentity,
    Job,
    Membership,
    Notification,
    Organisation,
    OrganisationType,
    Provider,
    QSGRole,
    QualityDimension,
    Term,
    User,
)


@admin.register(OrganisationType)
class OrganisationTypeAdmin(admin.ModelAdmin):
    list_display = [
        "label",
        "code",
        "is_statutory",
        "is_commissioner",
        "is_regulator",
        "is_nhs_england",
        "sort_order",
    ]
    list_editable = ["sort_order"]


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "type", "ods_code", "is_active"]
    list_filter = ["type", "is_active"]
    search_fields = ["name", "ods_code"]
    readonly_fields = ["group"]


class ExternalIdentityInline(admin.TabularInline):
    """Links a person to their account at the identity provider (issuer and subject)."""

    model = ExternalIdentity
    extra = 0
    fields = ["issuer", "subject", "created_at", "last_sign_in_at"]
    readonly_fields = ["created_at", "last_sign_in_at"]


@admin.register(User)
class QSGUserAdmin(UserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "first_name", "last_name", "organisation", "is_active", "is_staff"]
    list_filter = ["organisation__type", "is_active", "is_staff"]
    fieldsets = [*UserAdmin.fieldsets, ("Organisation", {"fields": ["organisation", "job_title"]})]
    inlines = [ExternalIdentityInline]
    actions = ["reset_two_factor"]

    @admin.action(description="Reset two-factor authentication (they set it up again)")
    def reset_two_factor(self, request, queryset):
        for user in queryset:
            account_services.two_factor_reset(actor=request.user, user=user)
        self.message_user(
            request,
            f"Two-factor authentication reset for {queryset.count()} account(s); "
            "each reset is in the account's sign-in activity.",
        )


@admin.register(AccountEvent)
class AccountEventAdmin(admin.ModelAdmin):
    """The sign-in audit trail: read only."""

    list_display = ["created_at", "user", "kind", "detail", "actor"]
    list_filter = ["kind"]
    search_fields = ["user__username", "detail"]
    list_select_related = ["user", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Administrators see and revoke tokens; the token itself is never stored."""

    list_display = ["name", "prefix", "user", "scope", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["scope", "origin"]
    search_fields = ["user__username", "name", "prefix"]
    fields = [*list_display[:5], "origin", "two_factor_verified", "created_at", "revoked_at"]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        for token in queryset:
            account_services.token_revoke(actor=request.user, token=token)


# django-otp's own admin would show every authenticator's secret key to administrators.
for _model in (TOTPDevice,):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(QSG)
class QSGAdmin(SimpleHistoryAdmin):
    list_display = ["name", "level", "regional_qsg", "moderation_enabled", "is_active"]
    list_filter = ["level"]
    search_fields = ["name"]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["qsg", "organisation", "kind"]
    list_filter = ["kind", "qsg__level"]
    readonly_fields = ["qsg", "organisation"]

    def has_add_permission(self, request):
        return False  # memberships are added through the service so that permissions follow


@admin.register(QSGRole)
class QSGRoleAdmin(SimpleHistoryAdmin):
    list_display = ["user", "qsg", "role"]
    list_filter = ["role"]


class ProviderAdminForm(forms.ModelForm):
    class Meta:
        model = Provider
        fields = [
            "ods_code",
            "name",
            "sector",
            "qsg",
            "other_qsgs",
            "district",
            "commissioners",
            "is_active",
        ]

    def clean(self):
        data = super().clean()
        if data.get("qsg") is not None and data.get("other_qsgs") is not None:
            services.check_other_qsgs(data["qsg"], data["other_qsgs"])
        return data


@admin.register(Provider)
class ProviderAdmin(SimpleHistoryAdmin):
    form = ProviderAdminForm
    list_display = ["name", "ods_code", "sector", "qsg"]
    list_filter = ["sector"]
    search_fields = ["name", "ods_code"]
    filter_horizontal = ["other_qsgs"]


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["kind", "status", "progress", "created_at", "finished_at"]
    list_filter = ["kind", "status"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The e-mail outbox, read-only: operators see what could not be sent (status "Could not be
    queued" or "Failed") and why. Notifications older than a day are no longer retried."""

    list_display = ["subject", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Term)
class TermAdmin(SimpleHistoryAdmin):
    """A deployment's words for what the 2013 and 2022 guidance name differently."""

    list_display = ["key", "label"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "key":
            from django import forms

            from .vocabulary import KEYS

            return forms.ChoiceField(choices=[(k, k) for k in KEYS], label="Term")
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        from .vocabulary import forget

        super().save_model(request, obj, form, change)
        forget()


@admin.register(QualityDimension)
class QualityDimensionAdmin(admin.ModelAdmin):
    """The profile's quality dimensions: intelligence items and dashboard indicators keep a code."""

    list_display = ["label", "code", "profile", "sort_order", "is_active"]
    list_filter = ["profile", "is_active"]
    ordering = ["profile", "sort_order"]

    def has_delete_permission(self, request, obj=None):
        return False  # what is classed keeps its code: retire a dimension by unticking "is active"

    def save_model(self, request, obj, form, change):
        from . import dimensions

        super().save_model(request, obj, form, change)
        dimensions.forget()
