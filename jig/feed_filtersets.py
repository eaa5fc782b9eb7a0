"""Filters for feed batches, shared by the batch history page and the API."""

import django_filters

from commissioning.choices import JobStatus
from commissioning.models import Organisation

from .choices import Channel
from .feeds.codes import FeedKind
from .models import FeedBatch


class FeedBatchFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=FeedKind.choices, label="Feed",
                                       empty_label="Any feed")
    source = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.none(), label="Trust", empty_label="Any trust",
        help_text="The sending trust's id in the portal.")
    source_ods = django_filters.CharFilter(field_name="source__ods_code", lookup_expr="iexact",
                                           label="Trust's ODS code")
    status = django_filters.ChoiceFilter(choices=JobStatus.choices, label="Status",
                                         empty_label="Any status")
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label="Sent by",
                                          empty_label="Upload or API")

    class Meta:
        model = FeedBatch
        fields = ["kind", "source", "source_ods", "status", "channel"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer only the trusts among the batches this user may see (the queryset is restricted).
        trusts = Organisation.objects.filter(
            pk__in=self.queryset.order_by().values("source")).order_by("name")
        self.filters["source"].queryset = trusts
        self.form.fields["source"].queryset = trusts
