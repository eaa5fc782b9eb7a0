"""The JIG's data in the Django admin: for looking things up, not for changing them.

Writes belong to the services (the risk model's pages, feed uploads and the matching
queue), which keep their rules and history; so most of these are read-only here.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AmbulanceIncident,
    FeedBatch,
    HomeMatchRule,
    HospitalActivity,
    RiskComponent,
    RiskModel,
    RiskRating,
    RiskRecompute,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewing only: no adding, changing or deleting from the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Risk ---------------------------------------------------------------------------------------

class RiskComponentInline(admin.TabularInline):
    model = RiskComponent
    extra = 0
    fields = ["order", "code", "weight", "amber_from", "red_from"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RiskModel)
class RiskModelAdmin(SimpleHistoryAdmin):
    """Versions are copied, changed and published on the portal's risk model pages."""

    list_display = ["version", "name", "is_current", "published_on", "amber_from", "red_from"]
    readonly_fields = ["version", "name", "notes", "is_current", "published_on", "amber_from",
                       "red_from", "created_on", "created_by", "modified_on", "modified_by"]
    inlines = [RiskComponentInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RiskRating)
class RiskRatingAdmin(ReadOnlyAdmin):
    list_display = ["care_home", "month", "score", "rag", "previous_rag", "score_change", "model"]
    list_filter = ["rag", "month"]
    search_fields = ["care_home__name", "care_home__cqc_location_id"]
    list_select_related = ["care_home", "model"]
    date_hierarchy = "month"


@admin.register(RiskRecompute)
class RiskRecomputeAdmin(ReadOnlyAdmin):
    list_display = ["requested_on", "scope", "month", "status", "requested_by", "ratings_written",
                    "ratings_changed_rag"]
    list_filter = ["status", "scope"]
    list_select_related = ["requested_by"]


# --- Feeds --------------------------------------------------------------------------------------

@admin.register(FeedBatch)
class FeedBatchAdmin(ReadOnlyAdmin):
    list_display = ["requested_on", "kind", "source", "channel", "status", "rows_received",
                    "rows_accepted", "rows_updated", "rows_unchanged", "rows_rejected", "rows_unmatched"]
    list_filter = ["kind", "channel", "status", "refused"]
    list_select_related = ["source"]
    exclude = ["content"]


class FeedRecordAdmin(ReadOnlyAdmin):
    list_filter = ["match_status"]
    search_fields = ["source_record_id", "cqc_location_id", "home_name"]
    list_select_related = ["care_home", "source"]


@admin.register(AmbulanceIncident)
class AmbulanceIncidentAdmin(FeedRecordAdmin):
    list_display = ["source_record_id", "source", "called_at", "response_category", "outcome",
                    "care_home", "match_status"]
    list_filter = ["match_status", "response_category", "outcome", "is_fall"]


@admin.register(HospitalActivity)
class HospitalActivityAdmin(FeedRecordAdmin):
    list_display = ["source_record_id", "source", "kind", "arrived_at", "admission_method",
                    "care_home", "match_status"]
    list_filter = ["match_status", "kind", "is_emergency"]


@admin.register(HomeMatchRule)
class HomeMatchRuleAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ["match_key", "care_home", "created_on", "created_by"]
    search_fields = ["match_key", "care_home__name"]
    list_select_related = ["care_home", "created_by"]


# --- JIG meetings ---------------------------------------------------------------------------------
# Groups, documents, membership and meetings are for looking up here. What members say in
# confidence (soft intelligence, deep-dive answers, minutes, chairs' reasons) is not shown:
# the admin site is not the JIG, and administrators are not members (docs/jig-meetings.md).

from .models import (  # noqa: E402
    Attendance,
    ConfidentialitySignature,
    GroupDocument,
    HomeFlag,
    JigAction,
    JigGroup,
    JigMembership,
    Meeting,
    MeetingPack,
    PlanningApplication,
    SoftIntelligence,
)


class GroupDocumentInline(admin.TabularInline):
    model = GroupDocument
    extra = 0
    fields = ["kind", "version", "is_current", "published_on", "published_by", "notes"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(JigGroup)
class JigGroupAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ["name", "is_active", "meeting_week", "meeting_weekday", "meeting_time", "quorum_members"]
    inlines = [GroupDocumentInline]


@admin.register(JigMembership)
class JigMembershipAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ["user", "group", "organisation", "role", "starts_on", "ends_on"]
    list_filter = ["group", "role"]
    search_fields = ["user__full_name", "user__email", "organisation__name"]
    list_select_related = ["user", "group", "organisation"]


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    fields = ["membership", "status", "note", "recorded_at", "recorded_by"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class SignatureInline(AttendanceInline):
    model = ConfidentialitySignature
    fields = ["user", "membership", "statement", "signed_at"]
    readonly_fields = fields


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ["group", "month", "starts_at", "status", "was_quorate"]
    list_filter = ["group", "status"]
    exclude = ["minutes"]
    inlines = [AttendanceInline, SignatureInline]


@admin.register(HomeFlag)
class HomeFlagAdmin(ReadOnlyAdmin):
    list_display = ["meeting", "care_home", "flagged_at", "removed_at"]
    list_select_related = ["meeting__group", "care_home"]
    fields = ["meeting", "care_home", "flagged_at", "refreshed_at", "removed_at"]


@admin.register(SoftIntelligence)
class SoftIntelligenceAdmin(ReadOnlyAdmin):
    """That an item exists, and its state: never what it says."""

    list_display = ["care_home", "group", "reported_on", "category", "sensitivity", "archived_at"]
    list_filter = ["group", "category", "sensitivity"]
    list_select_related = ["care_home", "group"]
    fields = ["group", "care_home", "reported_on", "category", "sensitivity", "recorded_by", "archived_at"]


@admin.register(JigAction)
class JigActionAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ["__str__", "meeting", "owner_organisation", "owner", "due_on", "status", "is_training"]
    list_filter = ["status", "is_training", "training_theme"]
    list_select_related = ["meeting__group", "owner_organisation", "owner"]


@admin.register(PlanningApplication)
class PlanningApplicationAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ["reference", "council", "postcode", "proposed_beds", "received_on", "decision"]
    list_filter = ["decision", "group"]
    search_fields = ["reference", "postcode", "site_address"]


@admin.register(MeetingPack)
class MeetingPackAdmin(ReadOnlyAdmin):
    list_display = ["meeting", "requested_on", "requested_by", "status"]
    exclude = ["file"]
