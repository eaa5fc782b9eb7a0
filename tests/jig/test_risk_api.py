"""The risk API: who reads ratings and models, the filters, the components, the schema, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from commissioning.choices import Role
from jig.choices import Rag
from jig.risk import services
from tests.api.conftest import ANONYMOUS, EVERYONE, session_client, token_client
from tests.carehomes.factories import CareHomeFactory
from tests.jig.test_risk_pages import BEFORE, MONTH, rate

pytestmark = pytest.mark.django_db

RATINGS, MODELS = "/api/v1/risk-ratings/", "/api/v1/risk-models/"
C, Q, M, JC, JM, P, A = (Role.COMMISSIONER, Role.QUALITY_OFFICER, Role.CARE_HOME_MANAGER,
                         Role.JIG_CHAIR, Role.JIG_MEMBER, Role.PARTNER_SYSTEM, Role.ADMINISTRATOR)
ONE, NONE = "manager_one_home", "no_role"
# People who may not read risk at all, whatever the home.
REFUSED = {ANONYMOUS: 401, NONE: 403, M: 403, ONE: 403}


@pytest.fixture
def api_for(area):
    """As ``tests/api``'s: the partner system by token, people by session, or nobody."""

    def make(key):
        if key == ANONYMOUS:
            return APIClient()
        user = area.users[key]
        return token_client(user) if key == P else session_client(user)

    return make


@pytest.fixture
def ratings(area):
    rate(area.home, BEFORE, "30", Rag.AMBER)
    return {
        "home": rate(area.home, MONTH, "55", Rag.RED, previous_rag=Rag.AMBER, previous_score="30"),
        "second_home": rate(area.second_home, MONTH, "10", Rag.GREEN),
        "other_home": rate(area.other_home, MONTH, "30", Rag.AMBER),
    }


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


READ_MATRIX = {
    "home": ({}, 200),
    "second_home": ({}, 200),
    "other_home": ({JM: 200, P: 200, A: 200}, 404),
}


@pytest.mark.parametrize("home", list(READ_MATRIX))
@pytest.mark.parametrize("who", EVERYONE)
def test_who_can_read_each_rating(area, api_for, ratings, who, home):
    overrides, default = READ_MATRIX[home]
    expected = REFUSED.get(who) or overrides.get(who, default)
    response = api_for(who).get(f"{RATINGS}{ratings[home].pk}/")
    assert response.status_code == expected
    if expected == 200:
        body = response.json()
        assert body["care_home"]["cqc_location_id"] == ratings[home].care_home.cqc_location_id
        assert [c["code"] for c in body["components"]] == ["callouts_rate", "admissions_rate", "cqc_rating"]


@pytest.mark.parametrize("who", EVERYONE)
def test_who_can_read_the_risk_model(area, api_for, who):
    current = services.risk_model_current()
    expected = REFUSED.get(who, 200)
    assert api_for(who).get(MODELS).status_code == expected
    response = api_for(who).get(f"{MODELS}{current.pk}/")
    assert response.status_code == expected
    if expected == 200:
        body = response.json()
        assert body["version"] == current.version and body["is_current"]
        assert sum(c["weight"] for c in body["components"]) == 100


def test_the_model_cannot_be_changed_through_the_api(area, api_for):
    current = services.risk_model_current()
    response = api_for(A).patch(f"{MODELS}{current.pk}/", {"amber_from": 1}, format="json")
    assert response.status_code == 405
    current.refresh_from_db()
    assert current.amber_from == 25


def test_the_list_holds_only_the_ratings_the_user_may_see(area, api_for, ratings):
    commissioner = set(ids(api_for(C).get(RATINGS)))
    assert ratings["other_home"].pk not in commissioner and ratings["home"].pk in commissioner
    assert ratings["other_home"].pk in ids(api_for(P).get(RATINGS))


def test_the_list_is_newest_month_then_highest_score_first(area, api_for, ratings):
    rows = api_for(A).get(RATINGS).json()["results"]
    assert [(r["month"], r["score"]) for r in rows] == [("2026-03", 55), ("2026-03", 30), ("2026-03", 10),
                                                        ("2026-02", 30)]
    first = rows[0]
    assert first["rag"] == "red" and first["previous_rag"] == "amber" and first["moved"] == "up"
    assert first["score_change"] == 25 and first["model_version"] == services.risk_model_current().version
    assert "components" not in first  # only a single rating carries them


@pytest.mark.parametrize(("params", "homes"), [
    ({"month": "2026-02"}, ["home"]),
    ({"rag": "green"}, ["second_home"]),
    ({"month": "2026-03", "sort": "name"}, None),
])
def test_the_list_filters(area, api_for, ratings, params, homes):
    rows = api_for(A).get(RATINGS, params).json()["results"]
    if homes is None:
        names = [r["care_home"]["name"] for r in rows]
        assert names == sorted(names)
    else:
        assert [r["care_home"]["id"] for r in rows] == [getattr(area, h).pk for h in homes]


def test_the_list_filters_by_council_home_and_cqc_location_id(area, api_for, ratings):
    client = api_for(A)
    in_council = ids(client.get(RATINGS, {"council": area.other_council.pk}))
    assert in_council == [ratings["other_home"].pk]
    by_home = ids(client.get(RATINGS, {"care_home": area.second_home.pk}))
    assert by_home == [ratings["second_home"].pk]
    by_cqc = ids(client.get(RATINGS, {"cqc_location_id": area.second_home.cqc_location_id}))
    assert by_cqc == [ratings["second_home"].pk]


@pytest.mark.parametrize("params", [{"month": "March"}, {"rag": "purple"}, {"care_home": "x"}])
def test_a_bad_filter_is_a_400_that_says_why(area, api_for, ratings, params):
    response = api_for(A).get(RATINGS, params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_the_list_runs_the_same_number_of_queries_for_3_or_20_homes(area, api_for, ratings):
    client = api_for(P)
    counts = []
    for extra in (0, 17):
        for _ in range(extra):
            rate(CareHomeFactory(provider=area.provider, local_authority=area.council))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(RATINGS, {"month": "2026-03"})
        assert response.json()["count"] == 3 + extra
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_model_list_runs_a_fixed_number_of_queries(area, api_for):
    client = api_for(P)
    services.risk_model_current()
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(MODELS).status_code == 200
        counts.append(len(queries))
        services.risk_model_copy(model=services.risk_model_current(), user=None)
    assert counts[0] == counts[1], counts


def test_the_schema_describes_the_risk_endpoints(client):
    document = client.get("/api/schema/", {"format": "json"}).json()
    assert {"/api/v1/risk-ratings/", "/api/v1/risk-ratings/{id}/", "/api/v1/risk-models/",
            "/api/v1/risk-models/{id}/"} <= set(document["paths"])
    detail = document["components"]["schemas"]["RiskRatingDetail"]["properties"]
    assert "components" in detail
    parameters = {p["name"] for p in document["paths"]["/api/v1/risk-ratings/"]["get"]["parameters"]}
    assert {"month", "rag", "council", "care_home", "cqc_location_id", "sort"} <= parameters
