import django_filters

from .models import Organisation


class OrganisationFilterSet(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")
    code = django_filters.CharFilter(method="filter_code", label="ODS, GSS or CQC provider code")

    class Meta:
        model = Organisation
        fields = ["kind", "commissioner_kind", "is_served", "name", "code"]

    def filter_code(self, queryset, name, value):
        from django.db.models import Q

        value = value.strip().upper()
        return queryset.filter(Q(ods_code=value) | Q(gss_code=value) | Q(cqc_provider_id=value))
