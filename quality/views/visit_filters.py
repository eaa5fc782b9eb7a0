"""The filters of the visit list pages: planning, visits and open actions.

Each narrows a queryset that already comes from the selectors (so from ``access``); the choices
offered (councils) are only those among the rows the user may see.
"""

import django_filters
from django import forms
from django.db.models import F, Q

from carehomes.choices import RegistrationType
from commissioning.models import Organisation

from ..choices import PlanActionStatus, Rating, VisitKind, VisitStatus
from ..models import PlanAction, Visit

RISK_CHOICES = [("red", "Red"), ("amber", "Amber"), ("green", "Green"), ("none", "Not rated")]
WITHIN_CHOICES = [("0", "Due now"), ("30", "Due within 30 days"), ("90", "Due within 3 months"),
                  ("180", "Due within 6 months"), ("365", "Due within a year")]
PLANNING_SORTS = {
    "risk": None,  # the selector's order: risk rating, then due date, then risk score
    "due": [F("next_visit_due_on").asc(nulls_first=True), "name"],
    "-due": [F("next_visit_due_on").desc(nulls_last=True), "name"],
    "name": ["name", "pk"],
    "last": [F("last_visit_on").asc(nulls_first=True), "name"],
}


def _councils_among(queryset, path: str):
    return Organisation.objects.filter(pk__in=queryset.order_by().values(path)).order_by("name")


class PlanningForm(forms.Form):
    """Which homes the planning list shows, and in what order (?within=30&council=…&sort=due)."""

    within = forms.ChoiceField(label="Due", choices=WITHIN_CHOICES, required=False, initial="30")
    council = forms.ModelChoiceField(label="Council", queryset=Organisation.objects.none(), required=False,
                                     empty_label="Any council")
    risk = forms.ChoiceField(label="Risk rating", choices=[("", "Any risk rating"), *RISK_CHOICES],
                             required=False)
    registration_type = forms.ChoiceField(label="Type", required=False,
                                          choices=[("", "Any type"), *RegistrationType.choices])
    name = forms.CharField(label="Home's name", required=False, max_length=100)
    scheduled = forms.BooleanField(label="Include homes with a visit already planned", required=False)
    sort = forms.ChoiceField(choices=[(k, k) for k in PLANNING_SORTS], required=False)

    def __init__(self, *args, councils, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = councils

    def value(self, name: str):
        return self.cleaned_data.get(name) if self.is_valid() else None

    def within_days(self) -> int:
        return int(self.value("within") or self.fields["within"].initial)

    def sort_key(self) -> str:
        return self.value("sort") or "risk"

    def apply(self, homes):
        if not self.is_valid():
            return homes
        data = self.cleaned_data
        if data["council"]:
            homes = homes.filter(local_authority=data["council"])
        if data["risk"] == "none":
            homes = homes.filter(risk_rag__isnull=True)
        elif data["risk"]:
            homes = homes.filter(risk_rag=data["risk"])
        if data["registration_type"]:
            homes = homes.filter(registration_type=data["registration_type"])
        if data["name"]:
            homes = homes.filter(name__icontains=data["name"].strip())
        order = PLANNING_SORTS[self.sort_key()]
        return homes.order_by(*order) if order else homes


class VisitPageFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=VisitStatus.choices, label="Status",
                                         empty_label="Any status")
    council = django_filters.ModelChoiceFilter(field_name="care_home__local_authority", label="Council",
                                               queryset=Organisation.objects.none(),
                                               empty_label="Any council")
    rating = django_filters.ChoiceFilter(choices=Rating.choices, method="filter_rating", label="Rating",
                                         empty_label="Any rating")
    kind = django_filters.ChoiceFilter(choices=VisitKind.choices, label="Announced or not",
                                       empty_label="Either")
    name = django_filters.CharFilter(field_name="care_home__name", lookup_expr="icontains",
                                     label="Home's name")

    class Meta:
        model = Visit
        fields = ["status", "council", "rating", "kind", "name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        councils = _councils_among(self.queryset, "care_home__local_authority")
        self.filters["council"].queryset = councils
        self.form.fields["council"].queryset = councils

    def filter_rating(self, queryset, name, value):
        """The published rating, or the indicative one before publication."""
        return queryset.filter(Q(published_rating=value) | Q(published_rating="", indicative_rating=value))


class OpenActionFilterSet(django_filters.FilterSet):
    council = django_filters.ModelChoiceFilter(field_name="plan__visit__care_home__local_authority",
                                               label="Council", queryset=Organisation.objects.none(),
                                               empty_label="Any council")
    status = django_filters.ChoiceFilter(label="Status", empty_label="Any status",
                                         choices=[c for c in PlanActionStatus.choices
                                                  if c[0] != PlanActionStatus.VERIFIED])
    overdue = django_filters.BooleanFilter(field_name="overdue_since", lookup_expr="isnull", exclude=True,
                                           label="Overdue only", widget=forms.CheckboxInput)
    name = django_filters.CharFilter(field_name="plan__visit__care_home__name", lookup_expr="icontains",
                                     label="Home's name")

    class Meta:
        model = PlanAction
        fields = ["council", "status", "overdue", "name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        councils = _councils_among(self.queryset, "plan__visit__care_home__local_authority")
        self.filters["council"].queryset = councils
        self.form.fields["council"].queryset = councils

    def filter_queryset(self, queryset):
        # An unticked box means "all actions", not "actions that are not overdue".
        if not self.form.cleaned_data.get("overdue"):
            self.form.cleaned_data["overdue"] = None
        return super().filter_queryset(queryset)
