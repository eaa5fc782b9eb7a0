from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import CareHome, CqcImport, CqcRating, GpPractice


class CqcRatingInline(admin.TabularInline):
    model = CqcRating
    extra = 0
    readonly_fields = ["key_question", "rating", "published_on", "source_import"]
    can_delete = False


@admin.register(CareHome)
class CareHomeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "cqc_location_id", "provider", "local_authority",
                    "registration_type", "beds", "status", "cqc_overall_rating"]
    list_filter = ["status", "registration_type", "cqc_overall_rating", "local_authority"]
    search_fields = ["name", "cqc_location_id", "postcode", "provider__name"]
    autocomplete_fields = ["provider", "local_authority", "nhs_commissioner", "gp_practice"]
    list_select_related = ["provider", "local_authority"]
    inlines = [CqcRatingInline]


@admin.register(GpPractice)
class GpPracticeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "ods_code", "postcode", "nhs_commissioner"]
    search_fields = ["name", "ods_code", "postcode"]


@admin.register(CqcImport)
class CqcImportAdmin(admin.ModelAdmin):
    list_display = ["filename", "requested_on", "requested_by", "status", "rows_created",
                    "rows_updated", "rows_unchanged", "rows_rejected"]
    list_filter = ["status"]
    exclude = ["content"]
    readonly_fields = [f.name for f in CqcImport._meta.fields if f.name != "content"]

    def has_add_permission(self, request):
        return False
