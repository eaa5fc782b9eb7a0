from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Indicator, IndicatorSet, MonthlyReturn, ReminderSent, ReturnUpload, ReturnVersion


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = ["order", "key", "label", "section", "kind", "unit", "minimum", "maximum",
              "required", "per_bed"]


@admin.register(IndicatorSet)
class IndicatorSetAdmin(SimpleHistoryAdmin):
    list_display = ["name", "version", "is_current", "created_on"]
    inlines = [IndicatorInline]


class ReturnVersionInline(admin.TabularInline):
    model = ReturnVersion
    extra = 0
    can_delete = False
    readonly_fields = ["number", "status", "values", "confirmations", "reason", "source",
                       "created_on", "created_by"]


@admin.register(MonthlyReturn)
class MonthlyReturnAdmin(admin.ModelAdmin):
    list_display = ["care_home", "month", "status", "submitted_on", "version_count"]
    list_filter = ["status", "month"]
    search_fields = ["care_home__name", "care_home__cqc_location_id"]
    autocomplete_fields = ["care_home"]
    readonly_fields = ["values", "confirmations", "version_count", "first_submitted_on",
                       "submitted_on", "submitted_by"]
    inlines = [ReturnVersionInline]


@admin.register(ReturnUpload)
class ReturnUploadAdmin(admin.ModelAdmin):
    list_display = ["filename", "requested_on", "requested_by", "status", "rows_created",
                    "rows_updated", "rows_unchanged", "rows_rejected"]
    exclude = ["content"]

    def has_add_permission(self, request):
        return False


@admin.register(ReminderSent)
class ReminderSentAdmin(admin.ModelAdmin):
    list_display = ["kind", "care_home", "organisation", "month", "sent_on"]
    list_filter = ["kind"]
