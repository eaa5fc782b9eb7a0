"""The care home and CQC import API: who sees what, filters, pages, ratings history, query counts."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from carehomes.choices import CqcRatingValue, HomeStatus, KeyQuestion, RegistrationType
from carehomes.services import cqc_import_record
from commissioning.choices import Role
from tests.api.conftest import ANONYMOUS, EVERYONE, session_client, token_client
from tests.carehomes.factories import CareHomeFactory, CqcRatingFactory, GpPracticeFactory
from tests.commissioning.factories import MembershipFactory, ProviderFactory

pytestmark = pytest.mark.django_db

HOMES = "/api/v1/care-homes/"
IMPORTS = "/api/v1/cqc-imports/"
C, Q, M, JC, JM, P, A = (Role.COMMISSIONER, Role.QUALITY_OFFICER, Role.CARE_HOME_MANAGER,
                         Role.JIG_CHAIR, Role.JIG_MEMBER, Role.PARTNER_SYSTEM, Role.ADMINISTRATOR)
ONE, NONE = "manager_one_home", "no_role"


def home_url(home) -> str:
    return f"{HOMES}{home.cqc_location_id}/"


def ids(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["cqc_location_id"] for row in response.json()["results"]}


@pytest.fixture
def cqc_import(area):
    return cqc_import_record(filename="directory.csv", content=b"Location ID\n",
                             user=area.users[A])


def url_of(area, cqc_import, endpoint: str) -> str:
    return {
        "homes": HOMES,
        "home": home_url(area.home),
        "second_home": home_url(area.second_home),
        "other_home": home_url(area.other_home),
        "imports": IMPORTS,
        "import": f"{IMPORTS}{cqc_import.pk}/",
    }[endpoint]


# endpoint: ({who: expected status}, everyone else's status). Anonymous callers get 401 and
# people with no role 403 everywhere, so they are not repeated in each row.
MATRIX = {
    "homes": ({}, 200),
    "home": ({}, 200),
    "second_home": ({ONE: 404}, 200),
    "other_home": ({JM: 200, P: 200, A: 200}, 404),
    "imports": ({C: 200, A: 200}, 403),
    "import": ({C: 200, A: 200}, 403),
}


@pytest.mark.parametrize("endpoint", list(MATRIX))
@pytest.mark.parametrize("who", EVERYONE)
def test_permission_matrix(area, api_for, cqc_import, who, endpoint):
    overrides, default = MATRIX[endpoint]
    expected = {ANONYMOUS: 401, NONE: 403}.get(who) or overrides.get(who, default)
    response = api_for(who).get(url_of(area, cqc_import, endpoint))
    assert response.status_code == expected


@pytest.mark.parametrize("endpoint", list(MATRIX))
def test_anonymous_callers_are_asked_for_a_token_and_get_no_data(area, client, cqc_import,
                                                                  endpoint):
    response = client.get(url_of(area, cqc_import, endpoint))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert set(response.json()) == {"detail"}
    assert area.home.cqc_location_id.encode() not in response.content


def test_a_wrong_token_is_refused(area, client):
    response = client.get(HOMES, HTTP_AUTHORIZATION="Token not-a-real-token")
    assert response.status_code == 401


def test_a_partner_system_with_a_token_lists_and_reads_the_served_areas_homes(area):
    unserved = CareHomeFactory(local_authority__is_served=False)
    api = token_client(area.users[P])
    assert ids(api.get(HOMES)) == {h.cqc_location_id for h in
                                   (area.home, area.second_home, area.other_home)}
    body = api.get(home_url(area.other_home)).json()
    assert body["name"] == area.other_home.name
    assert body["provider"]["code"] == area.other_provider.cqc_provider_id
    assert api.get(home_url(unserved)).status_code == 404


def test_a_person_signed_in_to_the_portal_can_use_the_api_with_their_session(area):
    assert ids(session_client(area.users[C]).get(HOMES)) == {area.home.cqc_location_id,
                                                            area.second_home.cqc_location_id}


def test_a_manager_lists_only_their_providers_homes(area):
    api = session_client(area.users[M])
    assert ids(api.get(HOMES)) == {area.home.cqc_location_id, area.second_home.cqc_location_id}
    assert api.get(home_url(area.home)).status_code == 200


def test_a_manager_gets_404_for_another_providers_home(area):
    response = session_client(area.users[M]).get(home_url(area.other_home))
    assert response.status_code == 404
    assert area.other_home.name.encode() not in response.content


def test_a_manager_of_one_home_sees_only_that_home(area):
    api = session_client(area.users[ONE])
    assert ids(api.get(HOMES)) == {area.home.cqc_location_id}
    assert api.get(home_url(area.second_home)).status_code == 404
    assert api.get(f"{HOMES}?provider={area.provider.cqc_provider_id}").json()["count"] == 1


@pytest.fixture
def varied(area):
    """Homes in the first council that each differ from the area's homes in one way."""
    made = {
        "good": dict(cqc_overall_rating=CqcRatingValue.GOOD,
                     cqc_rating_published_on=dt.date(2025, 3, 1)),
        "nursing": dict(registration_type=RegistrationType.NURSING),
        "dementia": dict(service_user_bands=["older_people", "dementia"]),
        "dormant": dict(status=HomeStatus.DORMANT),
        "willow": dict(name="Willow Lodge", postcode="KM1 2AB"),
    }
    return {key: CareHomeFactory(local_authority=area.council, provider=area.provider, **fields)
            for key, fields in made.items()}


@pytest.mark.parametrize(("query", "expected"), [
    ("rating=good", {"good"}),
    ("registration_type=nursing", {"nursing"}),
    ("band=dementia", {"dementia"}),
    ("status=dormant", {"dormant"}),
    ("q=willow", {"willow"}),
    ("q=KM1 2AB", {"willow"}),
    ("q=km12ab", {"willow"}),
    ("rating=good&registration_type=nursing", set()),
])
def test_filters_narrow_the_list(area, varied, query, expected):
    response = session_client(area.users[A]).get(f"{HOMES}?{query}")
    assert ids(response) == {varied[key].cqc_location_id for key in expected}


def test_the_local_authority_and_not_rated_filters(area, varied):
    api = session_client(area.users[A])
    assert ids(api.get(f"{HOMES}?local_authority={area.other_council.pk}")) == {
        area.other_home.cqc_location_id}
    not_rated = ids(api.get(f"{HOMES}?rating=not_rated"))
    assert varied["good"].cqc_location_id not in not_rated
    assert area.home.cqc_location_id in not_rated and len(not_rated) == 3 + len(varied) - 1


@pytest.mark.parametrize("query", ["rating=excellent", "status=closed", "band=everyone",
                                   "registration_type=hotel", "local_authority=999999"])
def test_an_unknown_filter_value_is_a_400_not_everything(area, query):
    response = session_client(area.users[A]).get(f"{HOMES}?{query}")
    assert response.status_code == 400
    assert "results" not in response.json()


def test_filters_never_widen_what_a_manager_sees(area):
    api = session_client(area.users[M])
    # A council outside the manager's view is not a choice: a 400 naming the field, no data.
    other = api.get(f"{HOMES}?local_authority={area.other_council.pk}")
    assert other.status_code == 400
    assert list(other.json()) == ["local_authority"]
    assert api.get(f"{HOMES}?q={area.other_home.name}").json()["count"] == 0


def test_the_list_is_paginated_with_count_next_and_previous(area):
    for _ in range(4):
        CareHomeFactory(local_authority=area.council)
    api = session_client(area.users[A])
    first = api.get(f"{HOMES}?page_size=3").json()
    assert first["count"] == 7
    assert len(first["results"]) == 3
    assert first["previous"] is None and "page=2" in first["next"]
    last = api.get(first["next"]).json()
    assert len(api.get(last["next"]).json()["results"]) == 1
    names = [r["name"] for r in first["results"]]
    assert names == sorted(names)


def test_the_page_size_is_50_by_default_and_at_most_500(area):
    CareHomeFactory.create_batch(50, local_authority=area.council)
    api = session_client(area.users[A])
    assert len(api.get(HOMES).json()["results"]) == 50
    assert len(api.get(f"{HOMES}?page_size=100000").json()["results"]) == 53


def test_the_detail_has_the_cqc_rating_history_newest_first_and_the_list_does_not(area):
    for published, rating in ((dt.date(2021, 5, 1), CqcRatingValue.REQUIRES_IMPROVEMENT),
                              (dt.date(2025, 6, 1), CqcRatingValue.GOOD)):
        CqcRatingFactory(care_home=area.home, published_on=published, rating=rating)
    CqcRatingFactory(care_home=area.other_home, published_on=dt.date(2024, 1, 1))
    api = token_client(area.users[P])
    history = api.get(home_url(area.home)).json()["cqc_ratings"]
    assert history == [
        {"key_question": KeyQuestion.OVERALL, "rating": CqcRatingValue.GOOD,
         "published_on": "2025-06-01"},
        {"key_question": KeyQuestion.OVERALL, "rating": CqcRatingValue.REQUIRES_IMPROVEMENT,
         "published_on": "2021-05-01"},
    ]
    assert all("cqc_ratings" not in row for row in api.get(HOMES).json()["results"])


def test_the_api_is_read_only(area):
    api = session_client(area.users[A])
    assert api.post(HOMES, {"name": "New"}).status_code in (403, 405)
    assert api.patch(home_url(area.home), {"name": "Renamed"}).status_code in (403, 405)
    assert api.delete(home_url(area.home)).status_code in (403, 405)
    area.home.refresh_from_db()
    assert area.home.name != "Renamed"


def test_commissioners_see_import_records_without_the_file(area, cqc_import):
    body = session_client(area.users[C]).get(IMPORTS).json()
    assert [row["id"] for row in body["results"]] == [cqc_import.pk]
    row = body["results"][0]
    assert row["requested_by"] == area.users[A].email
    assert row["checksum"] == cqc_import.checksum
    assert "content" not in row


@pytest.mark.parametrize("who", [M, ONE, P, Q, JC, JM])
def test_import_records_are_hidden_from_people_who_cannot_import(area, api_for, cqc_import, who):
    response = api_for(who).get(IMPORTS)
    assert response.status_code == 403
    assert cqc_import.checksum.encode() not in response.content


def _more_homes(area, count: int) -> None:
    """Homes with their own provider, commissioner and GP practice, visible to everyone."""
    for _ in range(count):
        CareHomeFactory(local_authority=area.council, nhs_commissioner=area.commissioner,
                        gp_practice=GpPracticeFactory())


def _queries(api, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert api.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", [P, C, ONE, A])
def test_the_list_runs_the_same_queries_for_3_homes_and_for_30(area, who):
    api = token_client(area.users[who]) if who == P else session_client(area.users[who])
    with_three = _queries(api, HOMES)
    _more_homes(area, 27)
    assert _queries(api, HOMES) == with_three


def test_the_detail_runs_the_same_queries_however_long_the_rating_history(area):
    api = token_client(area.users[P])
    CqcRatingFactory(care_home=area.home)
    with_one = _queries(api, home_url(area.home))
    for year in range(2015, 2024):
        CqcRatingFactory(care_home=area.home, published_on=dt.date(year, 1, 1))
    assert _queries(api, home_url(area.home)) == with_one


def test_a_manager_of_a_provider_with_many_homes_still_sees_only_their_own(area):
    provider = ProviderFactory()
    CareHomeFactory.create_batch(5, provider=provider, local_authority=area.council)
    user = MembershipFactory(role=M, organisation=provider, all_provider_homes=True).user
    results = session_client(user).get(HOMES).json()["results"]
    assert len(results) == 5
    assert {r["provider"]["code"] for r in results} == {provider.cqc_provider_id}
