from rest_framework import serializers

from carehomes.models import CareHome, CqcImport, CqcRating, GpPractice
from commissioning.models import Organisation


class OrganisationRefSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "name", "code"]


class GpPracticeSerializer(serializers.ModelSerializer):
    class Meta:
        model = GpPractice
        fields = ["ods_code", "name", "postcode"]


class CqcRatingSerializer(serializers.ModelSerializer):
    class Meta:
        model = CqcRating
        fields = ["key_question", "rating", "published_on"]


class CareHomeSerializer(serializers.ModelSerializer):
    provider = OrganisationRefSerializer(read_only=True)
    local_authority = OrganisationRefSerializer(read_only=True, allow_null=True)
    nhs_commissioner = OrganisationRefSerializer(read_only=True, allow_null=True)
    gp_practice = GpPracticeSerializer(read_only=True, allow_null=True)

    class Meta:
        model = CareHome
        fields = [
            "cqc_location_id", "name", "provider", "address_line_1", "address_line_2", "town",
            "county", "postcode", "latitude", "longitude", "local_authority", "nhs_commissioner",
            "registration_type", "beds", "registered_manager", "service_user_bands", "status",
            "registered_on", "deregistered_on", "gp_practice", "cqc_overall_rating",
            "cqc_rating_published_on", "modified_on",
        ]


class CareHomeDetailSerializer(CareHomeSerializer):
    cqc_ratings = CqcRatingSerializer(many=True, read_only=True)

    class Meta(CareHomeSerializer.Meta):
        fields = [*CareHomeSerializer.Meta.fields, "cqc_ratings"]


class CqcImportSerializer(serializers.ModelSerializer):
    requested_by = serializers.SlugRelatedField(slug_field="email", read_only=True, allow_null=True)

    class Meta:
        model = CqcImport
        fields = ["id", "filename", "checksum", "status", "stage", "requested_by", "requested_on",
                  "started_on", "finished_on", "progress_done", "progress_total",
                  "rows_in_file", "rows_in_area", "rows_skipped", "rows_created", "rows_updated",
                  "rows_unchanged", "rows_rejected", "homes_deregistered", "ratings_recorded",
                  "errors", "warnings", "error"]
