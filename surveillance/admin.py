"""Reference data administrators edit: conclusion categories per profile (the quality dimensions
are qsg's)."""

from django.contrib import admin

from surveillance.meetings.models import ConclusionCategory


@admin.register(ConclusionCategory)
class ConclusionCategoryAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "profile", "level", "triggers_risk_summit", "is_active"]
    list_filter = ["profile", "is_active"]
    ordering = ["profile", "sort_order"]

    def has_delete_permission(self, request, obj=None):
        return False  # conclusions keep their category: retire one by unticking "is active"
