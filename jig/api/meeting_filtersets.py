"""Filters of the JIG meetings API: the pages' filtersets (``jig.meeting_filtersets``) with the
few the API adds (by group, meeting or home, and archived soft intelligence)."""

import django_filters

from ..choices import MeetingStatus
from ..meeting_filtersets import JigActionFilterSet, SoftIntelligenceFilterSet
from ..models import Meeting, MeetingPack


class MeetingFilterSet(django_filters.FilterSet):
    group = django_filters.NumberFilter(field_name="group", label="The group's id")
    status = django_filters.ChoiceFilter(choices=MeetingStatus.choices, label="Status")
    month = django_filters.DateFilter(field_name="month", label="The month, as its first day (2026-11-01)")

    class Meta:
        model = Meeting
        fields = ["group", "status", "month"]


class ActionApiFilterSet(JigActionFilterSet):
    meeting = django_filters.NumberFilter(field_name="meeting", label="The meeting it was agreed at (id)")
    group = django_filters.NumberFilter(field_name="meeting__group", label="The group's id")
    care_home = django_filters.NumberFilter(field_name="care_home", label="The home's id")

    class Meta(JigActionFilterSet.Meta):
        fields = [*JigActionFilterSet.Meta.fields, "meeting", "group", "care_home"]


class SoftIntelligenceApiFilterSet(SoftIntelligenceFilterSet):
    group = django_filters.NumberFilter(field_name="group", label="The group's id")
    include_archived = django_filters.BooleanFilter(method="filter_archived",
                                                    label="Include archived items (left out by default)")

    class Meta(SoftIntelligenceFilterSet.Meta):
        fields = [*SoftIntelligenceFilterSet.Meta.fields, "group", "include_archived"]

    def filter_archived(self, queryset, name, value):
        return queryset  # applied in filter_queryset, as leaving archived items out is the default

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("include_archived"):
            queryset = queryset.filter(archived_at__isnull=True)
        return queryset


class MeetingPackFilterSet(django_filters.FilterSet):
    meeting = django_filters.NumberFilter(field_name="meeting", label="The meeting's id")

    class Meta:
        model = MeetingPack
        fields = ["meeting", "status"]
