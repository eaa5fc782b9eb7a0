import datetime as dt

import factory

from carehomes.choices import CqcRatingValue, HomeStatus, KeyQuestion, RegistrationType
from carehomes.models import CareHome, CqcRating, GpPractice
from tests.commissioning.factories import (
    LocalAuthorityFactory,
    NhsCommissionerFactory,
    ProviderFactory,
)


class GpPracticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GpPractice

    ods_code = factory.Sequence(lambda n: f"Y{10000 + n}")
    name = factory.Sequence(lambda n: f"Practice {n}")
    postcode = "SM1 1AA"


class CareHomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareHome

    cqc_location_id = factory.Sequence(lambda n: f"1-{100000000 + n}")
    name = factory.Sequence(lambda n: f"Care Home {n}")
    provider = factory.SubFactory(ProviderFactory)
    postcode = "SM1 1EA"
    local_authority = factory.SubFactory(LocalAuthorityFactory)
    nhs_commissioner = factory.SubFactory(NhsCommissionerFactory)
    registration_type = RegistrationType.RESIDENTIAL
    beds = 40
    status = HomeStatus.ACTIVE
    service_user_bands = factory.LazyFunction(lambda: ["older_people"])


class CqcRatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CqcRating

    care_home = factory.SubFactory(CareHomeFactory)
    key_question = KeyQuestion.OVERALL
    rating = CqcRatingValue.GOOD
    published_on = dt.date(2025, 6, 1)
