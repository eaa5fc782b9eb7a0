"""Filters for quality monitoring visits, their comments, action plans, actions and report
PDFs: used by the API (and any page that lists them). The querysets they filter come from
``quality.visits.selectors``, so they only ever narrow what the user may see."""

import django_filters
from django.db.models import Q
from django.db.models.functions import Coalesce

from commissioning.choices import OrganisationKind
from commissioning.models import Organisation

from .choices import (
    ActionPlanStatus,
    CommentSection,
    LeadOrganisation,
    PlanActionStatus,
    Rating,
    VisitKind,
    VisitStatus,
)
from .models import ActionPlan, FactualAccuracyComment, PlanAction, ReportPdf, Visit


def _councils():
    return Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY)


class VisitFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=VisitStatus.choices,
                                                 label="Status (repeat for several)")
    care_home = django_filters.CharFilter(field_name="care_home__cqc_location_id",
                                          label="The home's CQC location ID")
    council = django_filters.ModelChoiceFilter(field_name="care_home__local_authority",
                                               queryset=_councils(), label="Council (its id)")
    provider = django_filters.CharFilter(field_name="care_home__provider__cqc_provider_id",
                                         label="CQC provider ID")
    rating = django_filters.ChoiceFilter(
        choices=Rating.choices, method="filter_rating",
        label="Rating: the published rating, or the indicative one before publication")
    kind = django_filters.ChoiceFilter(choices=VisitKind.choices, label="Announced or unannounced")
    lead_organisation = django_filters.ChoiceFilter(choices=LeadOrganisation.choices,
                                                    label="Who leads the visit")
    date_from = django_filters.DateFilter(method="filter_date_from",
                                          label="Visits on or after this day (YYYY-MM-DD): the "
                                                "day the visit started, or is planned")
    date_to = django_filters.DateFilter(method="filter_date_to",
                                        label="Visits on or before this day (YYYY-MM-DD)")

    class Meta:
        model = Visit
        fields = ["status", "care_home", "council", "provider", "rating", "kind", "lead_organisation",
                  "date_from", "date_to"]

    def filter_rating(self, queryset, name, value):
        return queryset.filter(Q(published_rating=value) | Q(published_rating="", indicative_rating=value))

    def filter_date_from(self, queryset, name, value):
        return queryset.alias(visit_day=Coalesce("started_on", "planned_on")).filter(visit_day__gte=value)

    def filter_date_to(self, queryset, name, value):
        return queryset.alias(visit_day=Coalesce("started_on", "planned_on")).filter(visit_day__lte=value)


class CommentFilterSet(django_filters.FilterSet):
    visit = django_filters.NumberFilter(field_name="visit", label="The visit's id")
    standard = django_filters.CharFilter(field_name="standard__code", label="Standard code, like 7")
    section = django_filters.ChoiceFilter(choices=CommentSection.choices, label="Section")
    answered = django_filters.BooleanFilter(field_name="response", lookup_expr="isnull", exclude=True,
                                            label="Whether an officer has responded")

    class Meta:
        model = FactualAccuracyComment
        fields = ["visit", "standard", "section", "answered"]


class ActionPlanFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ActionPlanStatus.choices, label="Status")
    visit = django_filters.NumberFilter(field_name="visit", label="The visit's id")
    care_home = django_filters.CharFilter(field_name="visit__care_home__cqc_location_id",
                                          label="The home's CQC location ID")
    council = django_filters.ModelChoiceFilter(field_name="visit__care_home__local_authority",
                                               queryset=_councils(), label="Council (its id)")
    overdue = django_filters.BooleanFilter(method="filter_overdue",
                                           label="Late (the plan itself, or any of its actions)")

    class Meta:
        model = ActionPlan
        fields = ["status", "visit", "care_home", "council", "overdue"]

    def filter_overdue(self, queryset, name, value):
        late = Q(overdue_since__isnull=False) | Q(actions__overdue_since__isnull=False)
        ids = ActionPlan.objects.filter(late).values("pk")
        return queryset.filter(pk__in=ids) if value else queryset.exclude(pk__in=ids)


class PlanActionFilterSet(django_filters.FilterSet):
    plan = django_filters.NumberFilter(field_name="plan", label="The action plan's id")
    status = django_filters.MultipleChoiceFilter(choices=PlanActionStatus.choices,
                                                 label="Status (repeat for several)")
    care_home = django_filters.CharFilter(field_name="plan__visit__care_home__cqc_location_id",
                                          label="The home's CQC location ID")
    overdue = django_filters.BooleanFilter(field_name="overdue_since", lookup_expr="isnull", exclude=True,
                                           label="Past its target date and not yet completed")
    target_to = django_filters.DateFilter(field_name="target_on", lookup_expr="lte",
                                          label="Target date on or before (YYYY-MM-DD)")

    class Meta:
        model = PlanAction
        fields = ["plan", "status", "care_home", "overdue", "target_to"]


class ReportPdfFilterSet(django_filters.FilterSet):
    visit = django_filters.NumberFilter(field_name="visit", label="The visit's id")

    class Meta:
        model = ReportPdf
        fields = ["visit", "status"]
