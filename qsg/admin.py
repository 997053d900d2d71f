"""The Django admin is for system administrators only (staff accounts)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    QSG,
    Job,
    Membership,
    Notification,
    Organisation,
    OrganisationType,
    Provider,
    QSGRole,
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


@admin.register(User)
class QSGUserAdmin(UserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "first_name", "last_name", "organisation", "is_active", "is_staff"]
    list_filter = ["organisation__type", "is_active", "is_staff"]
    fieldsets = [*UserAdmin.fieldsets, ("Organisation", {"fields": ["organisation", "job_title"]})]


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


@admin.register(Provider)
class ProviderAdmin(SimpleHistoryAdmin):
    list_display = ["name", "ods_code", "sector", "qsg"]
    list_filter = ["sector"]
    search_fields = ["name", "ods_code"]


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
