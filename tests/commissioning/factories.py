import factory

from commissioning.choices import CommissionerKind, OrganisationKind, Role
from commissioning.models import Membership, Organisation, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.nhs.uk")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", "a-long-test-password")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.OTHER_PARTNER
    name = factory.Sequence(lambda n: f"Organisation {n}")


class LocalAuthorityFactory(OrganisationFactory):
    kind = OrganisationKind.LOCAL_AUTHORITY
    name = factory.Sequence(lambda n: f"Council {n}")
    gss_code = factory.Sequence(lambda n: f"E06{n:06d}")
    is_served = True
    cqc_area_name = factory.LazyAttribute(lambda o: o.name)


class NhsCommissionerFactory(OrganisationFactory):
    kind = OrganisationKind.NHS_COMMISSIONER
    commissioner_kind = CommissionerKind.SUB_ICB
    name = factory.Sequence(lambda n: f"NHS Sub-ICB {n}")
    ods_code = factory.Sequence(lambda n: f"{n % 90 + 10}{chr(65 + n % 26)}")
    gss_code = factory.Sequence(lambda n: f"E38{n:06d}")


class ProviderFactory(OrganisationFactory):
    kind = OrganisationKind.CARE_PROVIDER
    name = factory.Sequence(lambda n: f"Provider {n} Ltd")
    cqc_provider_id = factory.Sequence(lambda n: f"1-{200000000 + n}")


class AmbulanceTrustFactory(OrganisationFactory):
    kind = OrganisationKind.AMBULANCE_TRUST
    name = factory.Sequence(lambda n: f"Ambulance Trust {n}")


class AcuteTrustFactory(OrganisationFactory):
    kind = OrganisationKind.ACUTE_TRUST
    name = factory.Sequence(lambda n: f"Hospital NHS Foundation Trust {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(LocalAuthorityFactory)
    role = Role.COMMISSIONER

    @factory.post_generation
    def care_homes(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.care_homes.set(extracted)
