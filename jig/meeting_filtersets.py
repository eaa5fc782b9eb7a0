"""Filters for the JIG members' lists: actions, soft intelligence and planning applications.

Each filters a queryset that a ``jig.meeting_selectors`` function has already restricted to
what the person may see; the organisations offered are only those of the rows they see.
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from carehomes.choices import RegistrationType
from commissioning.models import Organisation

from .choices import (
    JIG_ACTION_OUTSTANDING,
    IntelligenceCategory,
    JigActionStatus,
    PlanningDecision,
    Sensitivity,
    TrainingTheme,
)
from .models import JigAction, PlanningApplication, SoftIntelligence


def _only_seen(filterset, name: str, values: str) -> None:
    """Offer only the organisations of the rows the person can see."""
    queryset = Organisation.objects.filter(pk__in=filterset.queryset.values(values)).order_by("name")
    filterset.filters[name].queryset = queryset
    filterset.form.fields[name].queryset = queryset
    for field in filterset.form.fields.values():
        field.error_messages["invalid_choice"] = "Choose one from the list"


class JigActionFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=JigActionStatus.choices, label="Status", empty_label="All")
    owner_organisation = django_filters.ModelChoiceFilter(queryset=Organisation.objects.none(),
                                                          label="Owner organisation",
                                                          empty_label="All organisations")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="Only overdue actions",
                                           widget=forms.CheckboxInput)
    training_theme = django_filters.ChoiceFilter(choices=TrainingTheme.choices, label="Training theme",
                                                 empty_label="All actions")
    outstanding = django_filters.BooleanFilter(method="filter_outstanding", label="Only open and in progress",
                                               widget=forms.CheckboxInput)

    class Meta:
        model = JigAction
        fields = ["status", "owner_organisation", "overdue", "training_theme", "outstanding"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _only_seen(self, "owner_organisation", "owner_organisation")

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(status__in=JIG_ACTION_OUTSTANDING, due_on__lt=timezone.localdate())

    def filter_outstanding(self, queryset, name, value):
        return queryset.filter(status__in=JIG_ACTION_OUTSTANDING) if value else queryset


class SoftIntelligenceFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Home name, postcode or CQC location ID")
    category = django_filters.ChoiceFilter(choices=IntelligenceCategory.choices, label="What it is about",
                                           empty_label="All")
    sensitivity = django_filters.ChoiceFilter(choices=Sensitivity.choices, label="Sensitivity",
                                              empty_label="All")
    source_organisation = django_filters.ModelChoiceFilter(queryset=Organisation.objects.none(),
                                                           label="Where it came from",
                                                           empty_label="All organisations")
    care_home = django_filters.NumberFilter(field_name="care_home", label="The home's id")

    class Meta:
        model = SoftIntelligence
        fields = ["q", "category", "sensitivity", "source_organisation", "care_home"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _only_seen(self, "source_organisation", "source_organisation")

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(care_home__name__icontains=value) | Q(care_home__postcode__istartswith=value)
                               | Q(care_home__cqc_location_id__iexact=value))


class PlanningApplicationFilterSet(django_filters.FilterSet):
    decision = django_filters.ChoiceFilter(choices=PlanningDecision.choices, label="Decision",
                                           empty_label="All")
    registration_type = django_filters.ChoiceFilter(choices=RegistrationType.choices, label="Type of home",
                                                    empty_label="All types")

    class Meta:
        model = PlanningApplication
        fields = ["decision", "registration_type"]
