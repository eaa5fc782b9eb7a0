"""Shared fixtures: an area with two councils, providers, homes and a user per role."""

from dataclasses import dataclass

import pytest
from django.test import Client

from commissioning.choices import Role
from tests.carehomes.factories import CareHomeFactory
from tests.commissioning.factories import (
    AmbulanceTrustFactory,
    LocalAuthorityFactory,
    MembershipFactory,
    NhsCommissionerFactory,
    ProviderFactory,
    UserFactory,
)

PASSWORD = "a-long-test-password"


@dataclass
class Area:
    council: object
    other_council: object
    commissioner: object
    provider: object
    other_provider: object
    home: object
    second_home: object
    other_home: object
    users: dict


@pytest.fixture
def area(db) -> Area:
    """Two councils; provider A runs two homes in council 1, provider B one in council 2."""
    council, other_council = LocalAuthorityFactory(), LocalAuthorityFactory()
    commissioner = NhsCommissionerFactory()
    provider, other_provider = ProviderFactory(), ProviderFactory()
    home = CareHomeFactory(provider=provider, local_authority=council, nhs_commissioner=commissioner)
    second_home = CareHomeFactory(provider=provider, local_authority=council,
                                  nhs_commissioner=commissioner)
    other_home = CareHomeFactory(provider=other_provider, local_authority=other_council,
                                 nhs_commissioner=NhsCommissionerFactory())
    ambulance = AmbulanceTrustFactory()
    users = {}
    for role, org, extra in [
        (Role.COMMISSIONER, council, {}),
        (Role.QUALITY_OFFICER, commissioner, {}),
        (Role.CARE_HOME_MANAGER, provider, {"all_provider_homes": True}),
        (Role.JIG_CHAIR, council, {}),
        (Role.JIG_MEMBER, ambulance, {}),
        (Role.PARTNER_SYSTEM, ambulance, {}),
        (Role.ADMINISTRATOR, council, {}),
    ]:
        users[role] = MembershipFactory(role=role, organisation=org, **extra).user
    users["manager_one_home"] = MembershipFactory(
        role=Role.CARE_HOME_MANAGER, organisation=provider, care_homes=[home]).user
    users["no_role"] = UserFactory()
    return Area(council, other_council, commissioner, provider, other_provider, home,
                second_home, other_home, users)


@pytest.fixture
def client_for():
    """A signed-in browser client for a user."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make
