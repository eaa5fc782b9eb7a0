"""The organisations API: public bodies for everyone with a role, providers only for their own staff."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commissioning.choices import CommissionerKind, OrganisationKind, Role
from tests.api.conftest import ANONYMOUS, EVERYONE, session_client, token_client
from tests.commissioning.factories import (
    LocalAuthorityFactory,
    NhsCommissionerFactory,
    ProviderFactory,
)

pytestmark = pytest.mark.django_db

ORGANISATIONS = "/api/v1/organisations/"
M, ONE = Role.CARE_HOME_MANAGER, "manager_one_home"


def org_url(org) -> str:
    return f"{ORGANISATIONS}{org.pk}/"


def names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


MATRIX = {
    "organisations": ({}, 200),
    "council": ({}, 200),
    "commissioner": ({}, 200),
    "own_provider": ({}, 200),
    "other_provider": ({M: 404, ONE: 404}, 200),
}


def url_of(area, endpoint: str) -> str:
    if endpoint == "organisations":
        return ORGANISATIONS
    org = {"council": area.council, "commissioner": area.commissioner,
           "own_provider": area.provider, "other_provider": area.other_provider}[endpoint]
    return org_url(org)


@pytest.mark.parametrize("endpoint", list(MATRIX))
@pytest.mark.parametrize("who", EVERYONE)
def test_permission_matrix(area, api_for, who, endpoint):
    overrides, default = MATRIX[endpoint]
    expected = {ANONYMOUS: 401, "no_role": 403}.get(who) or overrides.get(who, default)
    assert api_for(who).get(url_of(area, endpoint)).status_code == expected


def test_anonymous_callers_get_no_organisations(area, client):
    response = client.get(ORGANISATIONS)
    assert response.status_code == 401
    assert area.provider.name.encode() not in response.content


def test_a_manager_sees_their_provider_and_the_public_bodies_but_no_other_provider(area):
    seen = names(session_client(area.users[M]).get(f"{ORGANISATIONS}?page_size=500"))
    assert area.provider.name in seen
    assert {area.council.name, area.other_council.name, area.commissioner.name} <= seen
    assert area.other_provider.name not in seen


def test_a_manager_cannot_find_another_provider_by_filtering(area):
    api = session_client(area.users[ONE])
    assert api.get(f"{ORGANISATIONS}?code={area.other_provider.cqc_provider_id}").json()["count"] == 0
    assert api.get(f"{ORGANISATIONS}?kind={OrganisationKind.CARE_PROVIDER}").json()["results"] == [
        {"id": area.provider.pk, "kind": OrganisationKind.CARE_PROVIDER, "commissioner_kind": "",
         "name": area.provider.name, "ods_code": "", "gss_code": "",
         "cqc_provider_id": area.provider.cqc_provider_id, "brand_name": "", "parent": None,
         "is_served": False}]


@pytest.mark.parametrize("who", [Role.COMMISSIONER, Role.QUALITY_OFFICER, Role.PARTNER_SYSTEM,
                                 Role.ADMINISTRATOR])
def test_people_of_public_bodies_see_every_provider(area, api_for, who):
    seen = names(api_for(who).get(f"{ORGANISATIONS}?kind={OrganisationKind.CARE_PROVIDER}"))
    assert seen == {area.provider.name, area.other_provider.name}


def test_archived_organisations_are_not_listed(area):
    archived = LocalAuthorityFactory(is_archived=True)
    api = token_client(area.users[Role.PARTNER_SYSTEM])
    assert archived.name not in names(api.get(f"{ORGANISATIONS}?page_size=500"))
    assert api.get(org_url(archived)).status_code == 404


def test_filters_by_kind_code_name_and_served(area):
    icb = NhsCommissionerFactory(commissioner_kind=CommissionerKind.ICB, name="NHS Downs ICB",
                                 ods_code="QZZ")
    LocalAuthorityFactory(is_served=False, name="Northfold Council")
    api = token_client(area.users[Role.PARTNER_SYSTEM])
    assert names(api.get(f"{ORGANISATIONS}?code=qzz")) == {icb.name}
    assert names(api.get(f"{ORGANISATIONS}?commissioner_kind=icb")) == {icb.name}
    assert names(api.get(f"{ORGANISATIONS}?name=northfold")) == {"Northfold Council"}
    assert names(api.get(f"{ORGANISATIONS}?kind=local_authority&is_served=false")) == {
        "Northfold Council"}
    assert names(api.get(f"{ORGANISATIONS}?kind=local_authority&is_served=true")) == {
        area.council.name, area.other_council.name}


def test_a_sub_icb_location_names_its_icb_by_ods_code(area):
    icb = NhsCommissionerFactory(commissioner_kind=CommissionerKind.ICB, ods_code="QZZ")
    area.commissioner.parent = icb
    area.commissioner.save()
    body = token_client(area.users[Role.PARTNER_SYSTEM]).get(org_url(area.commissioner)).json()
    assert body["parent"] == "QZZ"
    assert body["commissioner_kind"] == CommissionerKind.SUB_ICB


def test_the_list_runs_the_same_queries_for_few_and_many_organisations(area):
    api = session_client(area.users[M])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(ORGANISATIONS).status_code == 200
        return len(captured)

    few = queries()
    icb = NhsCommissionerFactory(commissioner_kind=CommissionerKind.ICB)
    for _ in range(20):
        NhsCommissionerFactory(parent=icb)
        ProviderFactory()
    assert queries() == few
