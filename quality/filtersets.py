"""Filters for monthly returns, used by the API (and any page that lists returns)."""

import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from commissioning.choices import OrganisationKind
from commissioning.models import Organisation

from .choices import ReturnStatus
from .models import MonthlyReturn
from .uploads import MONTH_FORMAT, parse_month


class MonthFormField(forms.CharField):
    """A month as ``2026-10`` (or a date in it), cleaned to its first day."""

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        month = parse_month(text)
        if month is None:
            raise forms.ValidationError(MONTH_FORMAT)
        return month


@extend_schema_field(OpenApiTypes.STR)
class MonthFilter(django_filters.Filter):
    field_class = MonthFormField


class ReturnFilterSet(django_filters.FilterSet):
    care_home = django_filters.CharFilter(field_name="care_home__cqc_location_id",
                                          label="The home's CQC location ID")
    month = MonthFilter(field_name="month", label="Month, like 2026-10")
    month_from = MonthFilter(field_name="month", lookup_expr="gte",
                             label="From this month, like 2026-04")
    month_to = MonthFilter(field_name="month", lookup_expr="lte",
                           label="To this month, like 2026-09")
    status = django_filters.ChoiceFilter(choices=ReturnStatus.choices, label="Status")
    local_authority = django_filters.ModelChoiceFilter(
        field_name="care_home__local_authority",
        queryset=Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY),
        label="Local authority (its id)")
    provider = django_filters.CharFilter(field_name="care_home__provider__cqc_provider_id",
                                         label="CQC provider ID")

    class Meta:
        model = MonthlyReturn
        fields = ["care_home", "month", "month_from", "month_to", "status", "local_authority",
                  "provider"]
