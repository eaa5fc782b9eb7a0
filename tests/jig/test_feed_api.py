"""The feeds API: who may send and read, the pages' rules and messages, idempotency, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from commissioning.choices import JobStatus, Role
from jig.choices import Channel
from jig.models import AmbulanceIncident, FeedBatch, HospitalActivity
from jig.services import feed_records_submit
from tests.api.conftest import ANONYMOUS, EVERYONE, session_client, token_client
from tests.commissioning.factories import AcuteTrustFactory, AmbulanceTrustFactory, MembershipFactory

pytestmark = pytest.mark.django_db

AMBULANCE, HOSPITAL, BATCHES = "/api/v1/feeds/ambulance/", "/api/v1/feeds/hospital/", "/api/v1/feed-batches/"
C, Q, M, JC, JM, P, A = (Role.COMMISSIONER, Role.QUALITY_OFFICER, Role.CARE_HOME_MANAGER,
                         Role.JIG_CHAIR, Role.JIG_MEMBER, Role.PARTNER_SYSTEM, Role.ADMINISTRATOR)
ONE, NONE = "manager_one_home", "no_role"
READERS = {C, Q, JC, JM, P, A}


@pytest.fixture
def api_for(area):
    """The partner system by its token, people by their session, or nobody."""

    def make(who) -> APIClient:
        if who == ANONYMOUS:
            return APIClient()
        user = area.users[who]
        return token_client(user) if who == P else session_client(user)

    return make


@pytest.fixture
def trust(area):
    trust = area.users[P].memberships.get().organisation
    trust.ods_code = "RYJ"
    trust.save()
    return trust


def record(n: int, home=None, *, cqc=None, **extra) -> dict:
    fields = {"source_record_id": f"AMB-{n}", "called_at": "2026-03-14T09:41",
              "cqc_location_id": cqc if cqc is not None else home.cqc_location_id,
              "response_category": "C2", "chief_complaint": "17-D-3 Falls", "outcome": "See and convey",
              "conveyed_to_site": "RRK02", "person_token": "psd-7Qk2xR9mL4vA"}
    return {**fields, **extra}


def expected_for(who, allowed: set, success: int) -> int:
    return 401 if who == ANONYMOUS else success if who in allowed else 403


@pytest.mark.parametrize("who", EVERYONE)
def test_only_senders_may_post_ambulance_incidents(area, api_for, trust, who):
    response = api_for(who).post(AMBULANCE, {"records": [record(1, area.home)]}, format="json")
    assert response.status_code == expected_for(who, {P, A}, 201), response.content
    assert FeedBatch.objects.count() == (1 if who in {P, A} else 0)


@pytest.mark.parametrize("who", EVERYONE)
def test_who_can_read_a_trusts_batches(area, api_for, trust, who):
    batch = feed_records_submit(kind="ambulance", source=trust, records=[record(1, area.home)],
                                user=area.users[P])
    client = api_for(who)
    listed = client.get(BATCHES)
    detail = client.get(f"{BATCHES}{batch.pk}/")
    assert listed.status_code == detail.status_code == expected_for(who, READERS, 200)
    if detail.status_code == 200:
        assert [row["id"] for row in listed.json()["results"]] == [batch.pk]
        assert detail.json()["source"] == "RYJ" and detail.json()["errors"] == []


def test_a_sender_posts_a_batch_and_gets_its_counts(area, api_for, trust):
    response = api_for(P).post(AMBULANCE, {"source": "ryj", "records": [
        record(1, area.home), record(2, area.second_home), record(3, cqc="1-999999999")]}, format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    batch = FeedBatch.objects.get()
    assert data["id"] == batch.pk and data["status"] == "succeeded" and data["channel"] == Channel.API
    assert (data["rows_received"], data["rows_accepted"], data["rows_unchanged"], data["rows_unmatched"],
            data["homes_affected"]) == (3, 3, 0, 1, 2)
    assert data["url"].endswith(f"{BATCHES}{batch.pk}/")
    assert data["page_url"].endswith(f"/jig/feeds/{batch.pk}/")
    assert AmbulanceIncident.objects.count() == 3


def test_sending_the_same_batch_again_changes_nothing(area, api_for, trust):
    body = {"records": [record(n, area.home) for n in range(4)]}
    api_for(P).post(AMBULANCE, body, format="json")

    again = api_for(P).post(AMBULANCE, body, format="json")

    assert again.status_code == 201
    assert (again.json()["rows_accepted"], again.json()["rows_updated"], again.json()["rows_unchanged"]) == (
        0, 0, 4)
    assert AmbulanceIncident.objects.count() == 4


def test_a_correction_through_the_api_updates_its_one_record(area, api_for, trust):
    api_for(P).post(AMBULANCE, {"records": [record(1, area.home), record(2, area.home)]}, format="json")
    corrected = api_for(P).post(AMBULANCE, {"records": [
        record(1, area.home, response_category="C1"), record(2, area.home)]}, format="json").json()
    assert (corrected["rows_updated"], corrected["rows_unchanged"]) == (1, 1)
    assert AmbulanceIncident.objects.get(source_record_id="AMB-1").response_category == "C1"


def test_a_bad_record_rejects_the_batch_with_row_and_column_and_the_batch_is_recorded(area, api_for, trust):
    response = api_for(P).post(AMBULANCE, {"records": [
        record(1, area.home), record(2, area.home, response_category="C9")]}, format="json")

    assert response.status_code == 400
    data = response.json()
    batch = FeedBatch.objects.get()
    assert data["batch"] == batch.pk and batch.status == JobStatus.REJECTED
    assert data["refused"] is False and "nothing was stored" in data["detail"]
    assert [(e["row"], e["column"], e["value"]) for e in data["errors"]] == [(2, "Response category", "C9")]
    assert "response category" in data["errors"][0]["message"]
    assert not AmbulanceIncident.objects.exists()
    detail = api_for(P).get(f"{BATCHES}{batch.pk}/").json()
    assert detail["errors"] == data["errors"] and detail["rows_rejected"] == 2


def test_a_missing_field_is_reported_as_row_0(area, api_for, trust):
    bad = record(1, area.home)
    del bad["person_token"]
    response = api_for(P).post(AMBULANCE, {"records": [bad]}, format="json")
    assert response.status_code == 400
    assert [(e["row"], e["column"]) for e in response.json()["errors"]] == [(0, "Person token")]


def test_identifiable_data_is_refused_and_the_value_withheld(area, api_for, trust):
    response = api_for(P).post(AMBULANCE, {"records": [
        record(1, area.home, chief_complaint="Fall, NHS 943 476 5919")]}, format="json")

    assert response.status_code == 400
    data = response.json()
    assert data["refused"] is True and data["batch"] == FeedBatch.objects.get().pk
    assert "identifiable" in data["detail"]
    assert "943 476 5919" not in response.content.decode() and "9434765919" not in response.content.decode()
    assert not AmbulanceIncident.objects.exists()


def test_a_body_that_is_not_a_batch_is_a_400_with_nothing_recorded(area, api_for, trust):
    client = api_for(P)
    bad = client.post(AMBULANCE, {"records": "lots"}, format="json")
    assert bad.status_code == 400 and bad.json()["batch"] is None
    assert [e["column"] for e in bad.json()["errors"]] == ["records"]
    empty = client.post(AMBULANCE, {"records": []}, format="json")
    assert empty.status_code == 400 and "at least one" in empty.json()["detail"]
    assert not FeedBatch.objects.exists()


def test_more_than_10000_records_are_refused_with_the_limit(area, api_for, trust, monkeypatch):
    monkeypatch.setattr("jig.services.MAX_API_RECORDS", 2)
    records = [record(n, area.home) for n in range(3)]
    response = api_for(P).post(AMBULANCE, {"records": records}, format="json")
    assert response.status_code == 400 and "at most 2 records" in response.json()["detail"]


def test_a_sender_cannot_send_for_another_trust_or_the_other_feed(area, api_for, trust):
    other = AmbulanceTrustFactory(ods_code="RX9")
    client = api_for(P)
    response = client.post(AMBULANCE, {"source": "RX9", "records": [record(1, area.home)]}, format="json")
    assert response.status_code == 403 and "for RX9" in response.json()["detail"]
    hospital = client.post(HOSPITAL, {"records": [{"source_record_id": "H-1"}]}, format="json")
    assert hospital.status_code == 403 and hospital.json()["detail"] == "You cannot send hospital activity."
    assert not FeedBatch.objects.filter(source=other).exists()


def test_an_administrator_must_say_which_trust_when_there_are_several(area, trust):
    AmbulanceTrustFactory(ods_code="RX9")
    client = session_client(area.users[A])
    response = client.post(AMBULANCE, {"records": [record(1, area.home)]}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["column"] == "source"
    response = client.post(AMBULANCE, {"source": "RX9", "records": [record(1, area.home)]}, format="json")
    assert response.status_code == 201 and response.json()["source"] == "RX9"


def test_an_acute_trust_sends_hospital_activity(area):
    acute = AcuteTrustFactory(ods_code="RAX")
    sender = MembershipFactory(role=P, organisation=acute).user
    response = session_client(sender).post(HOSPITAL, {"records": [{
        "source_record_id": "H-1", "kind": "Admission", "arrival_date_time": "2026-03-14 10:32",
        "admission_method": "21", "discharged_on": "2026-03-18", "cqc_location_id": area.home.cqc_location_id,
        "person_token": "psd-7Qk2xR9mL4vA"}]}, format="json")
    assert response.status_code == 201, response.content
    assert HospitalActivity.objects.get().bed_days == 4


def test_the_batch_list_filters_and_shows_a_sender_only_their_trust(area, api_for, trust):
    mine = feed_records_submit(kind="ambulance", source=trust, records=[record(1, area.home)],
                               user=area.users[P])
    bad = feed_records_submit(kind="ambulance", source=trust, records=[record(2, area.home, outcome="x")],
                              user=area.users[P])
    acute = AcuteTrustFactory(ods_code="RAX")
    theirs = feed_records_submit(kind="hospital", source=acute, user=area.users[A], records=[{
        "source_record_id": "H-1", "kind": "A&E", "arrived_at": "2026-03-14 10:32",
        "cqc_location_id": area.home.cqc_location_id, "person_token": "psd-7Qk2xR9mL4vA"}])

    def ids(who, **params):
        response = api_for(who).get(BATCHES, params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids(P) == {mine.pk, bad.pk}
    assert api_for(P).get(f"{BATCHES}{theirs.pk}/").status_code == 404
    assert ids(C) == {mine.pk, bad.pk, theirs.pk}
    assert ids(C, kind="hospital") == {theirs.pk}
    assert ids(C, status="rejected") == {bad.pk}
    assert ids(C, source_ods="rax") == {theirs.pk}
    assert ids(C, source=trust.pk) == {mine.pk, bad.pk}


def test_the_batch_list_runs_the_same_queries_for_2_batches_or_12(area, trust):
    client = session_client(area.users[C])

    def count_queries(batches: int) -> tuple[int, int]:
        for n in range(batches):
            FeedBatch.objects.create(kind="ambulance", source=trust, channel=Channel.API, checksum=f"{n}",
                                     requested_by=area.users[P], status=JobStatus.SUCCEEDED)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(BATCHES)
        assert response.status_code == 200
        return response.json()["count"], len(queries)

    first, second = count_queries(2), count_queries(10)
    assert (first[0], second[0]) == (2, 12)
    assert first[1] == second[1]
