"""The monthly returns API: who reads and writes what, the form's rules and messages, query counts."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commissioning.choices import Role
from quality.choices import ReturnSource, ReturnStatus
from quality.models import MonthlyReturn, ReturnVersion
from quality.services import return_save
from tests.api.conftest import ANONYMOUS, EVERYONE, session_client
from tests.carehomes.factories import CareHomeFactory
from tests.quality.factories import MonthlyReturnFactory, good_values, months_ago

pytestmark = pytest.mark.django_db

RETURNS = "/api/v1/returns/"
C, Q, M, JC, JM, P, A = (Role.COMMISSIONER, Role.QUALITY_OFFICER, Role.CARE_HOME_MANAGER,
                         Role.JIG_CHAIR, Role.JIG_MEMBER, Role.PARTNER_SYSTEM, Role.ADMINISTRATOR)
ONE, NONE = "manager_one_home", "no_role"




LAST_MONTH = months_ago(1)


def submit(home, user, month=LAST_MONTH, **overrides) -> MonthlyReturn:
    monthly_return, _ = return_save(care_home=home, month=month, values=good_values(**overrides),
                                    user=user, source=ReturnSource.WEB, submit=True)
    return monthly_return


def body(home, month=LAST_MONTH, **extra) -> dict:
    return {"care_home": home.cqc_location_id, "month": f"{month:%Y-%m}",
            "values": good_values(), **extra}


@pytest.fixture
def returns(area):
    manager = area.users[M]
    return {"home": submit(area.home, manager), "second_home": submit(area.second_home, manager),
            "other_home": submit(area.other_home, area.users[A])}


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# Who sees which return, by the portal's rules: (overrides, everyone else's status).
READ_MATRIX = {
    "home": ({}, 200),
    "second_home": ({ONE: 404}, 200),
    "other_home": ({JM: 200, P: 200, A: 200}, 404),
}


@pytest.mark.parametrize("home", list(READ_MATRIX))
@pytest.mark.parametrize("who", EVERYONE)
def test_who_can_read_each_return(area, api_for, returns, who, home):
    overrides, default = READ_MATRIX[home]
    expected = {ANONYMOUS: 401, NONE: 403}.get(who) or overrides.get(who, default)
    response = api_for(who).get(f"{RETURNS}{returns[home].pk}/")
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["care_home"]["cqc_location_id"] == returns[home].care_home.cqc_location_id


def test_the_list_holds_only_the_returns_the_user_may_see(area, api_for, returns):
    assert ids(api_for(M).get(RETURNS)) == {returns["home"].pk, returns["second_home"].pk}
    assert ids(api_for(ONE).get(RETURNS)) == {returns["home"].pk}
    assert ids(api_for(C).get(RETURNS)) == {returns["home"].pk, returns["second_home"].pk}
    assert ids(api_for(A).get(RETURNS)) == {r.pk for r in returns.values()}


def test_the_list_filters_by_home_month_status_council_and_provider(area, api_for, returns):
    earlier = submit(area.home, area.users[M], months_ago(2))
    MonthlyReturnFactory(care_home=area.second_home, month=months_ago(3))  # a draft
    client = api_for(A)
    assert ids(client.get(RETURNS, {"care_home": area.home.cqc_location_id})) == {
        returns["home"].pk, earlier.pk}
    assert ids(client.get(RETURNS, {"month": f"{months_ago(2):%Y-%m}"})) == {earlier.pk}
    assert ids(client.get(RETURNS, {"month_from": f"{months_ago(2):%Y-%m}",
                                    "care_home": area.home.cqc_location_id})) == {
        returns["home"].pk, earlier.pk}
    assert len(ids(client.get(RETURNS, {"status": "draft"}))) == 1
    assert ids(client.get(RETURNS, {"local_authority": area.other_council.pk})) == {
        returns["other_home"].pk}
    assert ids(client.get(RETURNS, {"provider": area.other_provider.cqc_provider_id})) == {
        returns["other_home"].pk}
    bad = client.get(RETURNS, {"month": "soon"})
    assert bad.status_code == 400
    assert bad.json() == {"month": ["Enter the month as year and month, like 2026-10"]}


def test_the_list_is_paginated_and_ordered_newest_month_first(area, api_for, returns):
    submit(area.home, area.users[M], months_ago(2))
    page = api_for(A).get(RETURNS, {"page_size": 2}).json()
    assert page["count"] == 4 and len(page["results"]) == 2 and page["next"]
    assert page["results"][0]["month"] == f"{LAST_MONTH:%Y-%m}"


def test_the_detail_includes_every_version_newest_first(area, api_for, returns):
    return_save(care_home=area.home, month=LAST_MONTH, values=good_values(falls=7),
                user=area.users[M], source=ReturnSource.WEB, submit=True, reason="A fall was missed")
    data = api_for(C).get(f"{RETURNS}{returns['home'].pk}/").json()
    assert data["status"] == "amended" and data["version_count"] == 2
    assert [(v["number"], v["reason"], v["values"]["falls"]) for v in data["versions"]] == [
        (2, "A fall was missed", 7), (1, "", 6)]
    assert data["versions"][0]["created_by"] == area.users[M].full_name
    assert data["versions"][0]["source"] == "web"
    assert data["month"] == f"{LAST_MONTH:%Y-%m}"
    assert data["local_authority"]["id"] == area.council.pk


def test_the_list_runs_the_same_queries_for_3_returns_or_30(area):
    client = session_client(area.users[M])

    def add_homes_and_count_queries(homes: int) -> int:
        for _ in range(homes):
            home = CareHomeFactory(provider=area.provider, local_authority=area.council)
            MonthlyReturnFactory(care_home=home, month=LAST_MONTH, status=ReturnStatus.SUBMITTED,
                                 submitted_on=timezone.now(), submitted_by=area.users[M])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(RETURNS)
        assert response.status_code == 200
        return response.json()["count"], len(queries)

    # session, user, two-factor device, memberships and their homes, the count and the page
    assert add_homes_and_count_queries(3) == (3, 7)
    assert add_homes_and_count_queries(27) == (30, 7)


def test_a_manager_submits_a_return_and_sending_it_again_changes_nothing(area, api_for):
    client = api_for(M)
    response = client.post(RETURNS, body(area.home), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "submitted" and data["values"]["beds_occupied"] == 36
    assert [v["source"] for v in data["versions"]] == ["api"]
    again = client.post(RETURNS, body(area.home), format="json")
    assert again.status_code == 200
    assert again.json()["version_count"] == 1 and ReturnVersion.objects.count() == 1


def test_a_manager_saves_a_draft_then_amends_with_put(area, api_for):
    client = api_for(M)
    draft = client.post(RETURNS, body(area.home, values={"falls": "3"}, submit=False),
                        format="json")
    assert draft.status_code == 201 and draft.json()["status"] == "draft"
    url = f"{RETURNS}{draft.json()['id']}/"
    assert client.put(url, {"values": good_values()}, format="json").json()["status"] == "submitted"
    refused = client.put(url, {"values": good_values(falls=8)}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"errors": {"reason": "Give a reason for amending the return"}}
    amended = client.put(url, {"values": good_values(falls=8), "reason": "Missed two falls"},
                         format="json")
    assert amended.status_code == 200 and amended.json()["status"] == "amended"
    assert [v["number"] for v in amended.json()["versions"]] == [2, 1]


def test_validation_errors_are_the_same_messages_as_the_web_form(area, api_for, client_for):
    values = good_values(beds_registered=40, beds_occupied=45, falls=3, falls_with_injury=5,
                         agency_hours_percent=120, admissions="2.5", utis="")
    form = client_for(area.users[M]).post(
        reverse("quality:return-edit", args=[area.home.cqc_location_id, f"{LAST_MONTH:%Y-%m}"]),
        {**{k: "" if v is None else str(v) for k, v in values.items()}, "action": "submit"})
    form_errors = {key: messages[0] for key, messages in form.context["form"].errors.items()}
    response = api_for(M).post(RETURNS, body(area.home, values=values), format="json")
    assert response.status_code == 400
    assert response.json() == {"errors": form_errors}
    assert form_errors["falls_with_injury"] == "Falls with injury must be no more than falls (3)"
    assert form_errors["utis"] == "Enter urinary tract infections (UTIs)"
    assert not MonthlyReturn.objects.exists()


def test_unusual_values_get_409_until_each_has_a_reason(area, api_for):
    for n in (5, 4, 3, 2):
        submit(area.home, area.users[M], months_ago(n), falls=2, falls_with_injury=0)
    client = api_for(M)
    spike = body(area.home, values=good_values(falls=20))
    response = client.post(RETURNS, spike, format="json")
    assert response.status_code == 409
    assert response.json()["detail"] == "Confirm these values with a reason"
    assert list(response.json()["warnings"]) == ["falls"]
    assert response.json()["warnings"]["falls"].startswith("Falls is 20, more than 3 times")
    assert not MonthlyReturn.objects.filter(month=LAST_MONTH).exists()
    confirmed = client.post(RETURNS, {**spike, "confirmations": {"falls": "Norovirus outbreak"}},
                            format="json")
    assert confirmed.status_code == 201
    assert confirmed.json()["confirmations"] == {"falls": "Norovirus outbreak"}


def test_request_errors_use_the_same_shape(area, api_for):
    client = api_for(M)
    response = client.post(RETURNS, {"care_home": area.home.cqc_location_id, "month": "October"},
                           format="json")
    assert response.status_code == 400
    assert response.json() == {"errors": {
        "month": "Enter the month as year and month, like 2026-10",
        "values": "This field is required."}}
    future = timezone.localdate().replace(day=1) + dt.timedelta(days=40)
    response = client.post(RETURNS, body(area.home, future), format="json")
    assert response.json() == {"errors": {
        "month": f"A return for {future:%B %Y} cannot be made before that month starts"}}


def test_a_manager_gets_404_for_another_providers_home_and_nothing_changes(area, api_for,
                                                                          returns):
    client = api_for(M)
    before = list(MonthlyReturn.objects.order_by("pk").values())
    assert client.post(RETURNS, body(area.other_home, months_ago(2)),
                       format="json").status_code == 404
    other = f"{RETURNS}{returns['other_home'].pk}/"
    assert client.get(other).status_code == 404
    put = client.put(other, {"values": good_values(falls=9), "reason": "x"}, format="json")
    assert put.status_code == 404
    assert area.other_home.name not in put.content.decode()
    assert list(MonthlyReturn.objects.order_by("pk").values()) == before


def test_a_manager_of_one_home_gets_404_for_the_providers_other_home(area, api_for, returns):
    client = api_for(ONE)
    assert client.post(RETURNS, body(area.second_home, months_ago(2)),
                       format="json").status_code == 404
    assert client.put(f"{RETURNS}{returns['second_home'].pk}/", {"values": good_values()},
                      format="json").status_code == 404


@pytest.mark.parametrize("who", [C, Q, JC, JM, P, NONE, ANONYMOUS])
def test_only_people_who_send_returns_may_write(area, api_for, returns, who):
    client = api_for(who)
    expected = 401 if who == ANONYMOUS else 403
    assert client.post(RETURNS, body(area.home, months_ago(2)), format="json").status_code == expected
    assert client.put(f"{RETURNS}{returns['home'].pk}/", {"values": good_values(falls=1),
                                                          "reason": "x"},
                      format="json").status_code == expected
    assert not MonthlyReturn.objects.filter(month=months_ago(2)).exists()


def test_an_administrator_may_write_for_any_home(area, api_for):
    response = api_for(A).post(RETURNS, body(area.other_home), format="json")
    assert response.status_code == 201


def test_returns_cannot_be_deleted(area, api_for, returns):
    response = api_for(M).delete(f"{RETURNS}{returns['home'].pk}/")
    assert response.status_code == 405
    assert MonthlyReturn.objects.filter(pk=returns["home"].pk).exists()


def test_the_schema_documents_the_write_errors(client):
    document = client.get("/api/schema/", {"format": "json"}).json()
    post = document["paths"]["/api/v1/returns/"]["post"]
    assert {"201", "400", "404", "409"} <= set(post["responses"])
    assert post["responses"]["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ReturnWarnings"}
    put = document["paths"]["/api/v1/returns/{id}/"]["put"]
    assert put["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ReturnErrors"}
    detail = document["components"]["schemas"]["MonthlyReturnDetail"]["properties"]
    assert "versions" in detail
