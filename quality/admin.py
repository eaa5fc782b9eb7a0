from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    ActionPlan,
    FactualAccuracyComment,
    FrameworkDomain,
    FrameworkVersion,
    Indicator,
    IndicatorSet,
    MonthlyReturn,
    PlanAction,
    Question,
    ReminderSent,
    ReportPdf,
    ReturnUpload,
    ReturnVersion,
    SeniorReview,
    Standard,
    Visit,
    VisitEvent,
    VisitNotice,
    VisitOfficer,
    VisitStandardRating,
)


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


# Quality monitoring visits ----------------------------------------------------------------
# Changes to visits, reports and plans go through the services (quality.visits); the admin
# shows them read-only, except the framework's drafts.


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class FrameworkDomainInline(admin.TabularInline):
    model = FrameworkDomain
    extra = 0
    fields = ["order", "title"]


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(SimpleHistoryAdmin):
    list_display = ["name", "number", "status", "published_on"]
    list_filter = ["status"]
    readonly_fields = ["status", "published_on", "based_on"]
    inlines = [FrameworkDomainInline]


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    fields = ["order", "code", "text", "guidance", "evidence_prompts", "weight"]


@admin.register(Standard)
class StandardAdmin(SimpleHistoryAdmin):
    list_display = ["code", "title", "version", "domain", "module", "is_key", "weight"]
    list_filter = ["version", "module", "is_key"]
    search_fields = ["code", "title"]
    inlines = [QuestionInline]


class VisitOfficerInline(ReadOnlyInline):
    model = VisitOfficer
    fields = ["user", "organisation", "is_lead", "assigned_on", "assigned_by"]


class VisitStandardRatingInline(ReadOnlyInline):
    model = VisitStandardRating
    fields = ["standard", "mean_score", "indicative_rating", "rating", "is_amended", "published_rating"]


class VisitEventInline(ReadOnlyInline):
    model = VisitEvent
    fields = ["at", "kind", "by", "summary"]


@admin.register(Visit)
class VisitAdmin(SimpleHistoryAdmin):
    list_display = ["care_home", "planned_on", "kind", "lead_organisation", "status", "published_rating"]
    list_filter = ["status", "kind", "lead_organisation", "published_rating"]
    search_fields = ["care_home__name", "care_home__cqc_location_id"]
    date_hierarchy = "planned_on"
    inlines = [VisitOfficerInline, VisitStandardRatingInline, VisitEventInline]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(FactualAccuracyComment)
class FactualAccuracyCommentAdmin(admin.ModelAdmin):
    list_display = ["visit", "section", "standard", "made_by", "made_on", "disputed_on"]
    list_filter = ["section"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SeniorReview)
class SeniorReviewAdmin(admin.ModelAdmin):
    list_display = ["visit", "requested_on", "reviewer", "decision", "completed_on"]
    list_filter = ["decision"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReportPdf)
class ReportPdfAdmin(admin.ModelAdmin):
    list_display = ["visit", "requested_on", "requested_by", "status", "visit_status"]

    def has_add_permission(self, request):
        return False


class PlanActionInline(ReadOnlyInline):
    model = PlanAction
    fields = ["standard", "description", "owner", "target_on", "status", "overdue_since"]


@admin.register(ActionPlan)
class ActionPlanAdmin(SimpleHistoryAdmin):
    list_display = ["visit", "status", "due_on", "submitted_on", "overdue_since", "closed_on"]
    list_filter = ["status"]
    inlines = [PlanActionInline]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PlanAction)
class PlanActionAdmin(SimpleHistoryAdmin):
    list_display = ["plan", "standard", "owner", "target_on", "status", "overdue_since"]
    list_filter = ["status"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(VisitNotice)
class VisitNoticeAdmin(admin.ModelAdmin):
    list_display = ["kind", "plan", "action", "due_on", "sent_on"]
    list_filter = ["kind"]
