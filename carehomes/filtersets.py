"""Filters for care homes, shared by the list page, its CSV export and the API."""

import django_filters
from django.db.models import Q

from commissioning.choices import OrganisationKind
from commissioning.models import Organisation

from .choices import CqcRatingValue, HomeStatus, RegistrationType, ServiceUserBand
from .models import CareHome

NOT_RATED = "not_rated"


class CareHomeFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Name, postcode, CQC ID or provider")
    local_authority = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY),
        label="Local authority")
    nhs_commissioner = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.filter(kind=OrganisationKind.NHS_COMMISSIONER),
        method="filter_commissioner", label="NHS commissioner")
    provider = django_filters.CharFilter(field_name="provider__cqc_provider_id",
                                         label="CQC provider ID")
    registration_type = django_filters.ChoiceFilter(choices=RegistrationType.choices,
                                                    label="Type")
    rating = django_filters.ChoiceFilter(
        choices=[*CqcRatingValue.choices, (NOT_RATED, "Not yet rated")],
        method="filter_rating", label="CQC rating")
    band = django_filters.ChoiceFilter(choices=ServiceUserBand.choices, method="filter_band",
                                       label="Service user band")
    status = django_filters.ChoiceFilter(choices=HomeStatus.choices, label="Status")
    sort = django_filters.OrderingFilter(
        fields=(("name", "name"), ("beds", "beds"), ("postcode", "postcode"),
                ("cqc_rating_published_on", "rated_on"), ("local_authority__name", "council"),
                ("registration_type", "type")),
        label="Sort by",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer only the councils and commissioners of the homes this user may see
        # (the queryset is already restricted); an ICB is offered for its sub-ICB's homes.
        homes = self.queryset
        in_view = {
            "local_authority": Q(pk__in=homes.values("local_authority")),
            "nhs_commissioner": Q(pk__in=homes.values("nhs_commissioner"))
            | Q(pk__in=homes.values("nhs_commissioner__parent")),
        }
        for name, condition in in_view.items():
            self.filters[name].queryset = self.filters[name].queryset.filter(condition)
            self.form.fields[name].queryset = self.filters[name].queryset

    class Meta:
        model = CareHome
        fields = ["q", "local_authority", "nhs_commissioner", "provider", "registration_type",
                  "rating", "band", "status"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        compact = value.replace(" ", "").upper()
        spaced = f"{compact[:-3]} {compact[-3:]}" if len(compact) > 4 else compact
        return queryset.filter(
            Q(name__icontains=value) | Q(cqc_location_id__iexact=value)
            | Q(postcode__istartswith=value) | Q(postcode=spaced)
            | Q(provider__name__icontains=value) | Q(town__icontains=value)
        )

    def filter_commissioner(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Q(nhs_commissioner=value) | Q(nhs_commissioner__parent=value))

    def filter_rating(self, queryset, name, value):
        if value == NOT_RATED:
            return queryset.filter(cqc_overall_rating="")
        return queryset.filter(cqc_overall_rating=value)

    def filter_band(self, queryset, name, value):
        return queryset.filter(service_user_bands__contains=[value])
