"""Filters for the JIG's lists, shared by the pages, their CSV exports and the API."""

import datetime as dt

import django_filters
from django.db.models import F, Q

from carehomes.choices import RegistrationType
from commissioning.choices import OrganisationKind
from commissioning.models import Organisation
from quality.charts import month_label
from quality.filtersets import MonthFilter

from .choices import Rag
from .models import RiskRating

# --- Risk ratings ---------------------------------------------------------------------------

RISK_SORTS = {
    # name in the query string: the columns it orders by (descending puts missing values last)
    "score": ("score",),
    "name": ("care_home__name",),
    "change": ("score_change",),
}


class RiskSortFilter(django_filters.OrderingFilter):
    """Sort by score, name or change (``-`` for descending); missing changes always last.

    Ties are broken by the home's name and then its id, so pages never shuffle.
    """

    def filter(self, qs, value):
        if not value:
            return qs
        key = value[0]
        descending = key.startswith("-")
        columns = RISK_SORTS.get(key.lstrip("-"))
        if not columns:
            return qs
        order = [F(c).desc(nulls_last=True) if descending else F(c).asc(nulls_last=True)
                 for c in columns]
        return qs.order_by(*order, "care_home__name", "pk")


class RiskRatingFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Home name, postcode or CQC location ID")
    month = MonthFilter(field_name="month", label="Month, like 2026-10")
    rag = django_filters.ChoiceFilter(choices=Rag.choices, label="RAG rating", empty_label="All")
    council = django_filters.ModelChoiceFilter(
        field_name="care_home__local_authority",
        queryset=Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY),
        label="Council", empty_label="All councils")
    registration_type = django_filters.ChoiceFilter(
        field_name="care_home__registration_type", choices=RegistrationType.choices,
        label="Registration type", empty_label="All types")
    care_home = django_filters.NumberFilter(field_name="care_home", label="The home's id")
    cqc_location_id = django_filters.CharFilter(field_name="care_home__cqc_location_id",
                                                label="The home's CQC location ID")
    moved = django_filters.BooleanFilter(method="filter_moved",
                                         label="Only homes whose RAG changed since the month before")
    sort = RiskSortFilter(
        fields=[(name, name) for name in RISK_SORTS],
        field_labels={"score": "Score", "name": "Home name", "change": "Change in score"},
        label="Sort by")

    class Meta:
        model = RiskRating
        fields = ["q", "month", "rag", "council", "registration_type", "care_home",
                  "cqc_location_id", "moved"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer only the councils of the homes the (already restricted) ratings are about.
        councils = self.filters["council"].queryset.filter(
            pk__in=self.queryset.values("care_home__local_authority")).order_by("name")
        self.filters["council"].queryset = councils
        self.form.fields["council"].queryset = councils

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("sort"):
            queryset = queryset.order_by("-month", F("score").desc(), "care_home__name", "pk")
        return queryset

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(care_home__name__icontains=value)
                               | Q(care_home__cqc_location_id__iexact=value)
                               | Q(care_home__postcode__istartswith=value))

    def filter_moved(self, queryset, name, value):
        if value is None:
            return queryset
        changed = ~Q(previous_rag="") & ~Q(previous_rag=F("rag"))
        return queryset.filter(changed) if value else queryset.exclude(changed)


def month_value(month: dt.date) -> str:
    return month.strftime("%Y-%m")


def _to_month(value: str) -> dt.date:
    return dt.datetime.strptime(value, "%Y-%m").date()


class RiskRatingPageFilterSet(RiskRatingFilterSet):
    """The area risk table's filters: the month is picked from the months that have ratings."""

    month = django_filters.TypedChoiceFilter(field_name="month", coerce=_to_month, empty_value=None,
                                             label="Month")

    def __init__(self, *args, months: list[dt.date], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.form.fields["month"]
        field.choices = [(month_value(m), month_label(m)) for m in months]
        field.error_messages["invalid_choice"] = "Choose a month from the list"
        for name in ("rag", "council", "registration_type"):
            self.form.fields[name].error_messages["invalid_choice"] = "Choose one from the list"
