"""Reference data administrators edit: conclusion categories and quality dimensions per profile."""

from django.contrib import admin

from surveillance.intelligence import dimensions
from surveillance.intelligence.models import QualityDimension
from surveillance.meetings.models import ConclusionCategory


@admin.register(ConclusionCategory)
class ConclusionCategoryAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "profile", "level", "triggers_risk_summit", "is_active"]
    list_filter = ["profile", "is_active"]
    ordering = ["profile", "sort_order"]

    def has_delete_permission(self, request, obj=None):
        return False  # conclusions keep their category: retire one by unticking "is active"


@admin.register(QualityDimension)
class QualityDimensionAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "profile", "sort_order", "is_active"]
    list_filter = ["profile", "is_active"]
    ordering = ["profile", "sort_order"]

    def has_delete_permission(self, request, obj=None):
        return False  # items keep their code: retire a dimension by unticking "is active"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        dimensions.forget()
