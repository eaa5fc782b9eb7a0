from rest_framework import serializers

from commissioning.models import Organisation


class OrganisationSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="ods_code", read_only=True, allow_null=True)

    class Meta:
        model = Organisation
        fields = ["id", "kind", "commissioner_kind", "name", "ods_code", "gss_code",
                  "cqc_provider_id", "brand_name", "parent", "is_served"]
